import type { ExtractionContext, TopologyExtractor } from "./extract";
import { environmentStacks, referenced, resourcesOf } from "./extract";
import { edgeTier } from "./edge-tier";
import type { CellKey } from "./model";
import { parseJsonAttribute } from "../json-attribute";

/**
 * One extractor per capability, each reading its resources out of the synthesized stacks. A new
 * capability (e.g. an edge tier) adds its extractor here; nodes it connects to are found by id.
 */
export const TOPOLOGY_EXTRACTORS: readonly TopologyExtractor[] = [
  stateBucket,
  databases,
  buckets,
  ledger,
  parameters,
  events,
  snapshots,
  edgeTier,
];

const bucketId = (name: string) => `bucket:${name}`;
const parametersId = (cell: CellKey) => `parameters:${cell.column}:${cell.region}`;
const rulesId = (stack: string) => `rules:${stack}`;
const snapshotsId = (cell: CellKey) => `snapshots:${cell.column}:${cell.region}`;

/** The state bucket; its "stack updated" events are read by `events`. */
function stateBucket(context: ExtractionContext): void {
  for (const stack of context.stacks.filter((s) => s.name === "state-bootstrap")) {
    for (const [, bucket] of resourcesOf(stack.json, "aws_s3_bucket")) {
      context.addNode({ id: bucketId(bucket.bucket), kind: "bucket", label: "Terraform state bucket", detail: bucket.bucket, ...context.placeOf(stack, bucket.provider) });
    }
  }
}

/** Aurora clusters, and the global database link from each primary to its DR secondary. */
function databases(context: ExtractionContext): void {
  for (const { stack } of environmentStacks(context)) {
    const clusters = resourcesOf(stack.json, "aws_rds_cluster").map(([, cluster]) => ({ cluster, global: referenced(stack.json, cluster.global_cluster_identifier) }));
    // The primary of a global database is on the stack's default provider; its secondary on the DR provider.
    const primaryOf = (global: any) => clusters.find((c) => c.global === global && c.cluster.provider === undefined)?.cluster;
    for (const { cluster, global } of clusters) {
      const primary = global ? primaryOf(global) : cluster;
      const name = `${primary?.database_name ?? cluster.cluster_identifier} (${cluster.engine})`;
      const id = `database:${cluster.cluster_identifier}`;
      const isSecondary = primary !== undefined && primary !== cluster;
      context.addNode({
        id,
        kind: "database",
        label: isSecondary ? `${name} DR secondary` : name,
        detail: cluster.cluster_identifier,
        ...context.placeOf(stack, cluster.provider),
      });
      if (isSecondary) context.addEdge({ from: `database:${primary.cluster_identifier}`, to: id, moves: "data", label: "data (global database)" });
    }
  }
}

/** Artifact buckets and their replication rules: into the DR region, and the promotion prefix into the next account. */
function buckets(context: ExtractionContext): void {
  const allBuckets = context.stacks.flatMap((stack) => resourcesOf(stack.json, "aws_s3_bucket").map(([, bucket]) => ({ stack, bucket })));
  const addBucket = (name: string): string | undefined => {
    const found = allBuckets.find((b) => b.bucket.bucket === name);
    if (!found) return undefined;
    const place = context.placeOf(found.stack, found.bucket.provider);
    const label = `${bucketPurpose(name, context.config.project, place.column)} bucket${place.region === context.config.primaryRegion ? "" : " (DR copy)"}`;
    return context.addNode({ id: bucketId(name), kind: "bucket", label, detail: name, ...place });
  };
  for (const stack of context.stacks) {
    for (const [, configuration] of resourcesOf(stack.json, "aws_s3_bucket_replication_configuration")) {
      const source = referenced(stack.json, configuration.bucket);
      const from = addBucket(source?.bucket);
      if (!from) continue;
      const rules = [...(configuration.rule ?? [])].sort((a: any, b: any) => (a.priority ?? 0) - (b.priority ?? 0));
      for (const rule of rules) {
        // A literal ARN (the bucket is in another stack or account) or a reference to a bucket of this stack.
        const destination = /^arn:aws:s3:::(.+)$/.exec(rule.destination?.bucket ?? "")?.[1] ?? referenced(stack.json, rule.destination?.bucket)?.bucket;
        const to = destination ? addBucket(destination) : undefined;
        if (!to) continue;
        const prefix = rule.filter?.prefix ?? "";
        context.addEdge({ from, to, moves: "objects", label: prefix === "" ? "objects (all)" : `objects ${prefix}` });
      }
    }
  }
}

/** What a bucket is for, from its name: `replica-dev-artifacts-111111111111-us-east-1` → `artifacts`. */
function bucketPurpose(name: string, project: string, environment: string): string {
  const prefix = `${project}-${environment}-`;
  return name.startsWith(prefix) ? name.slice(prefix.length).replace(/-\d{12}(-[a-z0-9-]+)?$/, "") : "S3";
}

/** The ledger table, its same-account replicas and (multi-account ledger) the replicas in other accounts. */
function ledger(context: ExtractionContext): void {
  for (const { stack } of environmentStacks(context)) {
    for (const [, table] of resourcesOf(stack.json, "aws_dynamodb_table")) {
      const place = context.placeOf(stack, table.provider);
      const from = context.addNode({ id: `table:${place.column}:${place.region}:${table.name}`, kind: "table", label: "ledger table", detail: table.name, ...place });
      for (const replica of table.replica ?? []) {
        const cell = { column: place.column, region: replica.region_name };
        const to = context.addNode({ id: `table:${cell.column}:${cell.region}:${table.name}`, kind: "table", label: "ledger replica", detail: table.name, ...cell });
        context.addEdge({ from, to, moves: "items", label: "items (global table)" });
      }
      for (const [, cfn] of resourcesOf(stack.json, "aws_cloudformation_stack")) {
        if (!String(cfn.template_body ?? "").includes("AWS::DynamoDB::GlobalTable")) continue;
        const cell = context.placeOf(stack, cfn.provider);
        const to = context.addNode({ id: `table:${cell.column}:${cell.region}:${table.name}`, kind: "table", label: "ledger replica (other account)", detail: cfn.name, ...cell });
        context.addEdge({ from, to, moves: "items", label: "items (multi-account)" });
      }
    }
  }
}

/** Application settings in SSM and the config-mirror function that copies them into the next environment. */
function parameters(context: ExtractionContext): void {
  for (const { stack, environment } of environmentStacks(context)) {
    const counts = new Map<string, { cell: CellKey; count: number }>();
    for (const [, parameter] of resourcesOf(stack.json, "aws_ssm_parameter")) {
      if (!String(parameter.name).startsWith(`/app/${environment}/config/`)) continue;
      const cell = context.placeOf(stack, parameter.provider);
      const key = parametersId(cell);
      counts.set(key, { cell, count: (counts.get(key)?.count ?? 0) + 1 });
    }
    for (const [id, { cell, count }] of counts) {
      context.addNode({ id, kind: "parameters", label: `parameters /app/${environment}/config/`, detail: `${count} set by the platform`, ...cell });
    }
    for (const [, fn] of resourcesOf(stack.json, "aws_lambda_function")) {
      const variables = fn.environment?.variables ?? {};
      if (variables.SOURCE_ENVIRONMENT === undefined || variables.TARGET_ENVIRONMENT === undefined) continue;
      const source = context.placeOf(stack, fn.provider);
      const target = { column: variables.TARGET_ENVIRONMENT as string, region: (variables.TARGET_REGION as string) ?? source.region };
      const from = context.addNode({ id: parametersId(source), kind: "parameters", label: `parameters /app/${environment}/config/`, ...source });
      const to = context.addNode({ id: parametersId(target), kind: "parameters", label: `parameters /app/${target.column}/config/`, ...target });
      context.addEdge({ from, to, moves: "parameters", label: "parameters (mirror)" });
    }
  }
}

/** Event buses: each stack's rules that forward to another bus (the central bus), and the bus itself. */
function events(context: ExtractionContext): void {
  const buses = new Map<string, string>();
  for (const stack of context.stacks) {
    for (const [, bus] of resourcesOf(stack.json, "aws_cloudwatch_event_bus")) {
      const cell = context.placeOf(stack, bus.provider);
      const accountId = context.config.environments.find((e) => e.name === cell.column)?.accountId ?? context.config.stateBackend.accountId;
      const arn = `arn:aws:events:${cell.region}:${accountId}:event-bus/${bus.name}`;
      buses.set(arn, context.addNode({ id: `bus:${bus.name}`, kind: "bus", label: "central event bus", detail: bus.name, ...cell }));
    }
  }
  for (const stack of context.stacks) {
    const forwarded = new Map<string, { cell: CellKey; rules: string[] }>();
    for (const [, target] of resourcesOf(stack.json, "aws_cloudwatch_event_target")) {
      const bus = buses.get(target.arn);
      if (!bus) continue;
      const rule = referenced(stack.json, target.rule);
      const cell = context.placeOf(stack, rule?.provider ?? target.provider);
      const entry = forwarded.get(bus) ?? { cell, rules: [] };
      entry.rules.push(shortRuleName(rule?.name ?? target.target_id, context.config.project));
      forwarded.set(bus, entry);
    }
    for (const [bus, { cell, rules }] of forwarded) {
      // The state bucket's own notifications are the source of "stack updated"; it is drawn already.
      const stateBucketName = stack.name === "state-bootstrap" ? resourcesOf(stack.json, "aws_s3_bucket")[0]?.[1].bucket : undefined;
      const from = stateBucketName
        ? bucketId(stateBucketName)
        : context.addNode({ id: rulesId(stack.name), kind: "bus", label: `event rules (${rules.length})`, detail: rules.join(", "), ...cell });
      const label = stateBucketName ? `events (stack updated)` : `events (${rules.length} rules)`;
      context.addEdge({ from, to: bus, moves: "events", label });
    }
  }
}

/** `replica-dev-stack-change` → `stack-change`. */
function shortRuleName(name: string, project: string): string {
  const parts = name.split("-");
  return name.startsWith(`${project}-`) && parts.length > 2 ? parts.slice(2).join("-") : name;
}

/** The snapshot copy job of each environment and the regions (and account) its copies land in. */
function snapshots(context: ExtractionContext): void {
  for (const { stack } of environmentStacks(context)) {
    for (const [, fn] of resourcesOf(stack.json, "aws_lambda_function")) {
      const variables = fn.environment?.variables ?? {};
      if (variables.DESTINATIONS === undefined || variables.SOURCES === undefined) continue;
      const cell = context.placeOf(stack, fn.provider);
      const sources = (parseJsonAttribute(variables.SOURCES) as { name: string }[]).map((s) => s.name);
      const from = context.addNode({ id: `job:${fn.function_name}`, kind: "job", label: "snapshot copy job", detail: sources.join(", "), ...cell });
      for (const destination of parseJsonAttribute(variables.DESTINATIONS) as { region: string }[]) {
        const target = { column: cell.column, region: destination.region };
        const to = context.addNode({ id: snapshotsId(target), kind: "snapshots", label: "snapshot copies", ...target });
        context.addEdge({ from, to, moves: "snapshots", label: "snapshots (copy)" });
      }
      if (variables.ACCOUNT_COPY !== undefined) {
        const copy = parseJsonAttribute(variables.ACCOUNT_COPY) as { accountId: string; region: string };
        const target = { column: context.columnOfAccount(copy.accountId), region: copy.region };
        const to = context.addNode({ id: snapshotsId(target), kind: "snapshots", label: "snapshot copies", ...target });
        context.addEdge({ from, to, moves: "snapshots", label: "snapshots (other account)" });
      }
    }
  }
}
