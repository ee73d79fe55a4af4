/**
 * Mirrors `/app/<source>/config/**` into `/app/<target>/config/**` in the next environment.
 *
 * Loop safety, by construction:
 * - only names under the SOURCE root are ever read, and only names under the TARGET root are
 *   ever written, so a change event for a target parameter (or anything else) is ignored;
 * - a write happens only when the target's type or value differs from the source's, so a
 *   re-delivered event, or one that races the scheduled reconcile, writes nothing;
 * - deny-listed keys are never written or deleted, so environment-specific values survive.
 * Values are never logged: only names, types and versions.
 */
import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type ParameterType,
  type PutParameterCommandInput,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { ledgerItems, type LedgerWriter } from "../shared/ledger";
import { errorFields, type Logger } from "../shared/log";
import type { Metrics } from "../shared/metrics";
import { keyFilter } from "../shared/patterns";
import { configRoot, readHierarchy, relativeKey, toConfigParameter, type ConfigParameter } from "../shared/ssm-hierarchy";
import type { MirrorConfig } from "./config";

export interface MirrorDeps {
  /** SSM in the source account (this function's own). */
  readonly source: SSMClient;
  /** SSM in the target account, with assumed-role credentials. */
  readonly target: SSMClient;
  readonly ledger: LedgerWriter;
  readonly config: MirrorConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Milliseconds left in this invocation. @default unlimited */
  readonly remainingTimeMs?: () => number;
}

/** Stop starting new writes when less than this is left, so the reconcile never times out mid-way. */
export const RECONCILE_TIME_MARGIN_MS = 10_000;

export type Outcome = "mirrored" | "unchanged" | "filtered" | "ignored" | "deleted" | "delete-skipped" | "absent";

/** The fields of an EventBridge "Parameter Store Change" detail that we use. It carries no value. */
export interface ParameterChange {
  readonly name: string;
  readonly operation: string;
  /** Event time (ISO-8601), recorded in the ledger. */
  readonly time: string;
}

/** Handles one change event: always re-reads the current source value, then syncs the key. */
export async function mirrorChange(change: ParameterChange, deps: MirrorDeps): Promise<Outcome> {
  const { config, log } = deps;
  const key = relativeKey(change.name, config.sourceEnvironment);
  if (key === undefined) {
    log.info("ignoring change outside the source hierarchy", { name: change.name, sourceRoot: configRoot(config.sourceEnvironment) });
    return "ignored";
  }
  if (!keyFilter(config.allowPatterns, config.denyPatterns)(key)) {
    log.info("ignoring change to a key excluded by ALLOW_PATTERNS/DENY_PATTERNS", { name: change.name, key });
    return "filtered";
  }
  const sourceName = configRoot(config.sourceEnvironment) + key;
  // Read the source even for a Delete event: events arrive late and out of order, and a parameter
  // deleted and created again must be mirrored, not deleted from the target.
  const current = await getParameter(deps.source, sourceName, config.sourceEnvironment);
  if (current !== undefined && change.operation === "Delete") log.info("source parameter exists again after its delete event; mirroring it", { name: sourceName });
  if (current === undefined) {
    return deleteInTarget(key, "event", change.time, deps);
  }
  const existing = await getParameter(deps.target, targetName(key, config), config.targetEnvironment);
  return syncParameter(current, existing, "event", change.time, deps);
}

export interface ReconcileSummary {
  readonly examined: number;
  readonly mirrored: number;
  readonly unchanged: number;
  readonly filtered: number;
  readonly orphans: number;
  readonly deleted: number;
  readonly failed: number;
  /** False when the run stopped early to respect the Lambda timeout. */
  readonly complete: boolean;
}

/**
 * Compares the whole source hierarchy with the target hierarchy and repairs every difference a
 * missed or failed event left behind. Target keys with no source (orphans) are deleted only under
 * DELETE_POLICY=delete and only if they pass the key filter.
 */
export async function reconcile(time: string, deps: MirrorDeps): Promise<ReconcileSummary> {
  const { config, log, metrics } = deps;
  const filter = keyFilter(config.allowPatterns, config.denyPatterns);
  const remaining = deps.remainingTimeMs ?? (() => Number.POSITIVE_INFINITY);
  const [sourceParams, targetParams] = await Promise.all([readHierarchy(deps.source, config.sourceEnvironment, true), readHierarchy(deps.target, config.targetEnvironment, true)]);

  const counts = { examined: 0, mirrored: 0, unchanged: 0, filtered: 0, orphans: 0, deleted: 0, failed: 0 };
  let complete = true;
  const work: Array<() => Promise<Outcome>> = [];
  for (const [key, param] of sourceParams) {
    if (!filter(key)) {
      counts.filtered += 1;
      continue;
    }
    work.push(() => syncParameter(param, targetParams.get(key), "reconcile", time, deps));
  }
  for (const key of targetParams.keys()) {
    if (!sourceParams.has(key) && filter(key)) {
      counts.orphans += 1;
      if (config.deletePolicy === "delete") {
        work.push(() => deleteInTarget(key, "reconcile", time, deps));
      } else {
        log.info("target parameter has no source; kept (DELETE_POLICY=record)", { name: targetName(key, config) });
      }
    }
  }

  for (const step of work) {
    if (remaining() < RECONCILE_TIME_MARGIN_MS) {
      complete = false;
      log.warn("reconcile stopped early to stay within the Lambda timeout; the next run continues", { left: work.length - counts.examined });
      break;
    }
    counts.examined += 1;
    try {
      const outcome = await step();
      if (outcome === "mirrored") counts.mirrored += 1;
      if (outcome === "unchanged") counts.unchanged += 1;
      if (outcome === "deleted") counts.deleted += 1;
    } catch (err) {
      counts.failed += 1;
      log.error("reconcile step failed", errorFields(err));
    }
  }
  metrics.put("ConfigReconcileRepaired", counts.mirrored + counts.deleted, "Count");
  metrics.put("ConfigOrphans", counts.orphans, "Count");
  metrics.put("ConfigMirrorFailures", counts.failed, "Count", { Trigger: "reconcile" });
  const summary = { ...counts, complete };
  log.info("reconcile finished", { ...summary });
  return summary;
}

/** Writes `source` into the target unless the target already has the same type and value. */
async function syncParameter(source: ConfigParameter, existing: ConfigParameter | undefined, trigger: "event" | "reconcile", time: string, deps: MirrorDeps): Promise<Outcome> {
  const { config, log, metrics } = deps;
  const name = targetName(source.key, config);
  if (existing !== undefined && existing.type === source.type && existing.value === source.value) {
    log.debug("target already up to date; nothing written", { name, type: source.type });
    return "unchanged";
  }
  const input: PutParameterCommandInput = {
    Name: name,
    Value: source.value,
    Type: source.type as ParameterType,
    Description: `mirrored from ${config.sourceEnvironment}@${source.version ?? "unknown"}`,
    // Standard below 4 KB, Advanced above, without us tracking sizes.
    Tier: "Intelligent-Tiering",
    ...(source.type === "SecureString" ? { KeyId: config.targetKmsKeyId } : {}),
    ...(source.dataType !== undefined && source.dataType !== "text" ? { DataType: source.dataType } : {}),
    // SSM refuses Tags together with Overwrite, so tags are set when the mirror creates the parameter.
    ...(existing === undefined
      ? { Tags: [{ Key: "mirrored-from", Value: config.sourceEnvironment }, { Key: "managed-by", Value: "config-mirror" }] }
      : { Overwrite: true }),
  };
  const response = await deps.target.send(new PutParameterCommand(input));
  log.info("mirrored parameter", { name, type: source.type, sourceVersion: source.version, targetVersion: response.Version, trigger });
  metrics.put("ConfigParametersMirrored", 1, "Count", { Trigger: trigger });
  await deps.ledger.put(
    ledgerItems.config({
      environment: config.environment,
      sourceEnvironment: config.sourceEnvironment,
      targetEnvironment: config.targetEnvironment,
      sourceName: source.name,
      targetName: name,
      sourceVersion: source.version ?? 0,
      targetVersion: response.Version,
      parameterType: source.type,
      action: "mirrored",
      trigger,
      occurredAt: time,
      originRegion: config.region,
    }),
  );
  return "mirrored";
}

/** Applies the delete policy to the target copy of `key`. */
async function deleteInTarget(key: string, trigger: "event" | "reconcile", time: string, deps: MirrorDeps): Promise<Outcome> {
  const { config, log } = deps;
  const name = targetName(key, config);
  let action: "deleted" | "delete-skipped" = "delete-skipped";
  if (trigger === "reconcile") {
    // The listing may be minutes old: a source created since then keeps its target copy.
    const source = await getParameter(deps.source, configRoot(config.sourceEnvironment) + key, config.sourceEnvironment);
    if (source !== undefined) return syncParameter(source, await getParameter(deps.target, name, config.targetEnvironment), trigger, time, deps);
  }
  if (config.deletePolicy === "delete") {
    try {
      await deps.target.send(new DeleteParameterCommand({ Name: name }));
    } catch (err) {
      if (!(err instanceof ParameterNotFound)) {
        throw err;
      }
    }
    action = "deleted";
  }
  log.info(action === "deleted" ? "deleted target parameter" : "source parameter deleted; target kept (DELETE_POLICY=record)", { name, trigger });
  await deps.ledger.put(
    ledgerItems.config({
      environment: config.environment,
      sourceEnvironment: config.sourceEnvironment,
      targetEnvironment: config.targetEnvironment,
      sourceName: configRoot(config.sourceEnvironment) + key,
      targetName: name,
      action,
      trigger,
      occurredAt: time,
      originRegion: config.region,
    }),
  );
  return action;
}

async function getParameter(client: SSMClient, name: string, environment: string): Promise<ConfigParameter | undefined> {
  try {
    const response = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return response.Parameter === undefined ? undefined : toConfigParameter(response.Parameter, environment);
  } catch (err) {
    if (err instanceof ParameterNotFound) {
      return undefined;
    }
    throw err;
  }
}

function targetName(key: string, config: MirrorConfig): string {
  return configRoot(config.targetEnvironment) + key;
}
