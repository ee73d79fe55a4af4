/**
 * The replication ledger: an append-mostly DynamoDB table recording what the replication fabric
 * did (schema migrations, reference-data syncs, mirrored parameters, snapshot copies, canaries,
 * S3 replication incidents). The table is created by infra with:
 *   partition key `pk` (S), sort key `sk` (S), TTL attribute `expiresAt` (epoch seconds),
 *   streams NEW_AND_OLD_IMAGES, replicated as a global table to the DR region.
 *
 * Key layout (`#` separates segments; SSM names, database names and S3 keys used here never
 * need escaping because `#` is not valid in SSM names and the other subjects are our own ids):
 *
 *   kind         pk                           sk                                       TTL
 *   schema       SCHEMA#<environment>         <database>#<version>                     none
 *   data         DATA#<environment>           <dataset>#<runId>                        400 days
 *   config       CONFIG#<targetEnvironment>   <targetName>#<sourceVersion|DELETE#<time>>  400 days
 *   snapshot     SNAPSHOT#<environment>       <database>#<snapshotId>#<targetRegion>   none
 *   canary       CANARY#<environment>         MARKER#<runId> | RESULT#<channel>#<runId>   1 / 30 days
 *   replication  REPLICATION#<environment>    <channel>#<bucket>#<key>#<version>#<eventType>  400 days
 *   dr           DR#<environment>             <database>#<operationId>#<status>        none
 *   drill        DRILL#<environment>          <database>#<runId>#<status>              none
 *
 * Why this layout:
 * - Idempotent: every key is derived from the event being recorded (migration version, run id,
 *   source parameter version, snapshot id), never from "now", and `occurredAt`/`expiresAt` come
 *   from the event time too. A re-delivered event writes a byte-identical item; DynamoDB emits no
 *   stream record for a PutItem that changes nothing, so re-deliveries are not re-announced.
 * - Cheap queries: one Query on `pk` returns a whole kind for one environment (e.g. every applied
 *   migration of dev, for the config validator), and `begins_with(sk, "<subject>#")` narrows it to
 *   one database / dataset / parameter. Versions that are all digits are zero-padded so that
 *   `ScanIndexForward=false, Limit=1` returns the latest one.
 * - Global-table safe: each item carries `originRegion`; the stream processor in a replica region
 *   ignores items written elsewhere so an event is announced once, in the region that wrote it.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
// The engine's version order, imported from its module so that functions without a database do not bundle the drivers.
import { compareVersions, isVersion } from "../../engine/migration-files";
import { redactSecrets } from "../../engine/redact";

export const LEDGER_KINDS = ["schema", "data", "config", "snapshot", "canary", "replication", "dr", "drill"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

const DAY_SECONDS = 86_400;

/** Default retention per kind; `undefined` keeps the item forever (audit evidence). */
export const DEFAULT_TTL_DAYS: Readonly<Record<LedgerKind, number | undefined>> = {
  schema: undefined,
  data: 400,
  config: 400,
  snapshot: undefined,
  canary: 30,
  replication: 400,
  dr: undefined,
  drill: undefined,
};

/** Canary markers only need to live long enough to replicate. */
export const CANARY_MARKER_TTL_DAYS = 1;

interface LedgerItemBase {
  readonly pk: string;
  readonly sk: string;
  readonly kind: LedgerKind;
  /** Environment whose ledger this belongs to (dev, staging, prod). */
  readonly environment: string;
  /** ISO-8601 time of the underlying event (not of the write), so re-writes are identical. */
  readonly occurredAt: string;
  /** Region of the writer; replica regions see the item via global-table replication. */
  readonly originRegion: string;
  /** Epoch seconds after which DynamoDB TTL may delete the item. */
  readonly expiresAt?: number;
}

export type SchemaStatus = "pending" | "applied" | "failed" | "rolled_back";
export interface SchemaItem extends LedgerItemBase {
  readonly kind: "schema";
  readonly database: string;
  readonly version: string;
  readonly status: SchemaStatus;
  readonly checksum?: string;
  readonly durationMs?: number;
  readonly error?: string;
}

export type DataStatus = "succeeded" | "failed";
export interface DataItem extends LedgerItemBase {
  readonly kind: "data";
  readonly dataset: string;
  readonly runId: string;
  readonly status: DataStatus;
  readonly rowsInserted?: number;
  readonly rowsUpdated?: number;
  readonly rowsDeleted?: number;
  readonly checksum?: string;
  readonly error?: string;
}

export type ConfigAction = "mirrored" | "deleted" | "delete-skipped";
export interface ConfigItem extends LedgerItemBase {
  readonly kind: "config";
  readonly sourceEnvironment: string;
  readonly targetEnvironment: string;
  readonly sourceName: string;
  readonly targetName: string;
  /** Source parameter version that was mirrored; absent for deletions. */
  readonly sourceVersion?: number;
  /** Version the target parameter got from our PutParameter. */
  readonly targetVersion?: number;
  readonly parameterType?: string;
  readonly action: ConfigAction;
  readonly trigger: "event" | "reconcile";
}

export type SnapshotStatus = "started" | "copied" | "failed" | "deleted";
export interface SnapshotItem extends LedgerItemBase {
  readonly kind: "snapshot";
  readonly database: string;
  readonly snapshotId: string;
  readonly sourceRegion: string;
  readonly targetRegion: string;
  readonly targetAccount?: string;
  readonly targetSnapshotArn?: string;
  readonly status: SnapshotStatus;
  readonly error?: string;
}

export type CanaryChannel = "s3" | "dynamodb" | "ssm";
export type CanaryStatus = "ok" | "timeout" | "error";
export interface CanaryItem extends LedgerItemBase {
  readonly kind: "canary";
  readonly runId: string;
  readonly record: "marker" | "result";
  readonly channel?: CanaryChannel;
  readonly status?: CanaryStatus;
  readonly lagSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly error?: string;
}

export type ReplicationEventType = "failed" | "missed-threshold" | "replicated-after-threshold" | "not-tracked";
export interface ReplicationItem extends LedgerItemBase {
  readonly kind: "replication";
  readonly channel: "s3";
  readonly eventType: ReplicationEventType;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly destinationBucket?: string;
  readonly failureReason?: string;
  readonly ruleId?: string;
  readonly lagSeconds?: number;
}

/** Disaster-recovery operations (`npm run dr`): what moved which writer, when, and how it ended. */
export type DrAction = "switchover" | "failover" | "detach-and-promote";
export type DrStatus = "started" | "resumed" | "completed" | "failed";
export interface DrItem extends LedgerItemBase {
  readonly kind: "dr";
  readonly database: string;
  /** The run that started the operation (its start time and action), shared by all its items. */
  readonly operationId: string;
  readonly action: DrAction;
  readonly status: DrStatus;
  readonly globalClusterIdentifier: string;
  readonly fromRegion: string;
  readonly toRegion: string;
  /** Replication lag of the target when the operation was decided, in milliseconds. */
  readonly lagMs?: number;
  /** Whether preconditions were overridden with --force. */
  readonly forced?: boolean;
  /** Who ran it (the caller's ARN before assuming the deployment role). */
  readonly operator?: string;
  readonly error?: string;
}

/** Restore drills (lambdas/restore-drill): a DR-region snapshot copy restored, verified and deleted. */
export type DrillStatus = "started" | "succeeded" | "failed" | "timed-out";
export interface DrillItem extends LedgerItemBase {
  readonly kind: "drill";
  readonly database: string;
  /** The drill cluster's identifier, unique per database and day. */
  readonly runId: string;
  readonly status: DrillStatus;
  readonly snapshotIdentifier?: string;
  /** Seconds from the restore call until the instance was available and verified. */
  readonly restoreSeconds?: number;
  readonly schemaVersion?: string;
  readonly problems?: readonly string[];
  readonly error?: string;
}

export type LedgerItem = SchemaItem | DataItem | ConfigItem | SnapshotItem | CanaryItem | ReplicationItem | DrItem | DrillItem;

/** What callers supply: everything but the derived keys, kind and retention. */
type Input<T extends LedgerItem> = Omit<T, "pk" | "sk" | "kind" | "expiresAt"> & {
  /** Retention override in days; `null` keeps the item forever. @default DEFAULT_TTL_DAYS[kind] */
  readonly ttlDays?: number | null;
};

/** Zero-pads all-digit versions so that lexicographic order is numeric order. */
export function sortableVersion(version: string | number): string {
  const text = String(version);
  return /^\d+$/.test(text) ? text.padStart(20, "0") : text;
}

/** Fields whose text comes from outside (servers, AWS): passed through redactSecrets. */
const FREE_TEXT_FIELDS = ["error", "failureReason"] as const;

function finish<T extends LedgerItem>(kind: T["kind"], pk: string, sk: string, input: Input<T>): T {
  const { ttlDays, ...rest } = input;
  const days = ttlDays === undefined ? DEFAULT_TTL_DAYS[kind] : ttlDays ?? undefined;
  const item: Record<string, unknown> = { pk, sk, kind, ...rest };
  // Error texts come from database servers, which may quote a failing statement's password.
  // Identifiers (keys, names) are never rewritten.
  for (const key of FREE_TEXT_FIELDS) {
    if (typeof item[key] === "string") item[key] = redactSecrets(item[key] as string);
  }
  if (days !== undefined) {
    const occurred = Date.parse(input.occurredAt);
    if (Number.isNaN(occurred)) {
      throw new Error(`Ledger item ${pk}/${sk} has an invalid occurredAt "${input.occurredAt}"; use an ISO-8601 timestamp.`);
    }
    item.expiresAt = Math.floor(occurred / 1000) + Math.round(days * DAY_SECONDS);
  }
  // DynamoDB rejects `undefined` attributes unless removeUndefinedValues is set; strip them here.
  for (const key of Object.keys(item)) {
    if (item[key] === undefined) {
      delete item[key];
    }
  }
  return item as T;
}

export const ledgerItems = {
  schema: (input: Input<SchemaItem>): SchemaItem =>
    finish<SchemaItem>("schema", `SCHEMA#${input.environment}`, `${input.database}#${sortableVersion(input.version)}`, input),
  data: (input: Input<DataItem>): DataItem => finish<DataItem>("data", `DATA#${input.environment}`, `${input.dataset}#${input.runId}`, input),
  config: (input: Input<ConfigItem>): ConfigItem =>
    finish<ConfigItem>(
      "config",
      `CONFIG#${input.targetEnvironment}`,
      input.sourceVersion !== undefined ? `${input.targetName}#${sortableVersion(input.sourceVersion)}` : `${input.targetName}#DELETE#${input.occurredAt}`,
      input,
    ),
  snapshot: (input: Input<SnapshotItem>): SnapshotItem =>
    finish<SnapshotItem>("snapshot", `SNAPSHOT#${input.environment}`, `${input.database}#${input.snapshotId}#${input.targetRegion}`, input),
  canary: (input: Input<CanaryItem>): CanaryItem =>
    finish<CanaryItem>(
      "canary",
      `CANARY#${input.environment}`,
      input.record === "marker" ? `MARKER#${input.runId}` : `RESULT#${input.channel ?? "unknown"}#${input.runId}`,
      { ...input, ttlDays: input.ttlDays !== undefined ? input.ttlDays : input.record === "marker" ? CANARY_MARKER_TTL_DAYS : undefined },
    ),
  replication: (input: Input<ReplicationItem>): ReplicationItem =>
    finish<ReplicationItem>(
      "replication",
      `REPLICATION#${input.environment}`,
      `${input.channel}#${input.bucket}#${input.key}#${input.versionId ?? "null"}#${input.eventType}`,
      input,
    ),
  dr: (input: Input<DrItem>): DrItem => finish<DrItem>("dr", `DR#${input.environment}`, `${input.database}#${input.operationId}#${input.status}`, input),
  drill: (input: Input<DrillItem>): DrillItem => finish<DrillItem>("drill", `DRILL#${input.environment}`, `${input.database}#${input.runId}#${input.status}`, input),
};

/** Raised by `parseLedgerItem` for an item that is not a well-formed ledger item. */
export class MalformedLedgerItemError extends Error {
  constructor(reason: string) {
    super(`Malformed ledger item: ${reason}`);
    this.name = "MalformedLedgerItemError";
  }
}

const REQUIRED_FIELDS: Readonly<Record<LedgerKind, readonly string[]>> = {
  schema: ["database", "version", "status"],
  data: ["dataset", "runId", "status"],
  config: ["sourceEnvironment", "targetEnvironment", "sourceName", "targetName", "action"],
  snapshot: ["database", "snapshotId", "targetRegion", "status"],
  canary: ["runId", "record"],
  replication: ["channel", "eventType", "bucket", "key"],
  dr: ["database", "operationId", "action", "status"],
  drill: ["database", "runId", "status"],
};

/** Validates a plain (unmarshalled) object read back from the table or a stream image. */
export function parseLedgerItem(value: unknown): LedgerItem {
  if (value === null || typeof value !== "object") {
    throw new MalformedLedgerItemError("not an object");
  }
  const item = value as Record<string, unknown>;
  for (const field of ["pk", "sk", "kind", "environment", "occurredAt"]) {
    if (typeof item[field] !== "string" || item[field] === "") {
      throw new MalformedLedgerItemError(`missing string field "${field}"`);
    }
  }
  const kind = item.kind as string;
  if (!(LEDGER_KINDS as readonly string[]).includes(kind)) {
    throw new MalformedLedgerItemError(`unknown kind "${kind}"`);
  }
  const missing = REQUIRED_FIELDS[kind as LedgerKind].filter((field) => item[field] === undefined || item[field] === null);
  if (missing.length > 0) {
    throw new MalformedLedgerItemError(`${kind} item ${String(item.pk)}/${String(item.sk)} lacks ${missing.join(", ")}`);
  }
  return item as unknown as LedgerItem;
}

/** Writes ledger items. One instance per table; safe to share across invocations. */
export class LedgerWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Puts the item (an idempotent overwrite: the same event always yields the same item). */
  async put(item: LedgerItem): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  /**
   * Puts the item only if its key holds nothing yet, or holds an item whose status is not
   * `keepStatus`: a rerun or re-delivery never overwrites what was first recorded. Returns whether
   * it wrote.
   */
  async putOnce(item: LedgerItem, keepStatus?: string): Promise<boolean> {
    const condition =
      keepStatus === undefined
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : { ConditionExpression: "attribute_not_exists(pk) OR #status <> :keep", ExpressionAttributeNames: { "#status": "status" }, ExpressionAttributeValues: { ":keep": keepStatus } };
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }
}

/**
 * Latest version per database among `schema` items with status `applied` in one environment
 * (applied at or before `at`, when given: what a snapshot taken then holds).
 * Pages through the whole partition (tens to hundreds of items in practice).
 */
export async function latestAppliedSchemaVersions(client: DynamoDBDocumentClient, tableName: string, environment: string, at?: Date): Promise<Map<string, string>> {
  const latest = new Map<string, { version: string }>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `SCHEMA#${environment}` },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) {
      const item = raw as Partial<SchemaItem>;
      if (item.status !== "applied" || item.database === undefined || item.version === undefined) {
        continue;
      }
      if (at !== undefined && !(Date.parse(String(item.occurredAt)) <= at.getTime())) continue;
      const version = String(item.version);
      const current = latest.get(item.database);
      if (current === undefined || newerVersion(version, current.version)) latest.set(item.database, { version });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return new Map([...latest].map(([database, { version }]) => [database, version]));
}

/** Numeric by dotted segment (1.10 after 1.9), the engine's order; text order for anything else. */
function newerVersion(candidate: string, current: string): boolean {
  return isVersion(candidate) && isVersion(current) ? compareVersions(candidate, current) > 0 : sortableVersion(candidate) > sortableVersion(current);
}
