/**
 * What a schema-sync or data-sync invocation asks for. Two triggers:
 * - an EventBridge `aws.s3` "Object Created" event for `<prefix><database>/<file>` in the artifacts
 *   bucket: run that database (the engine finds every pending file, so the event only names it);
 * - a manual invocation `{"database": "ledger", "dryRun": true, "target": "3", "prune": false, "allowMassPrune": false}`,
 *   where every field is optional (no database: every configured database).
 * Anything else (another bucket, a key outside the prefix, an unknown database, a file the
 * function does not read) is ignored with a reason, never an error: EventBridge retries errors.
 */
import type { ArtifactLocation, DatabaseTarget } from "./database-sync-config";

export type SyncRequest =
  | {
      readonly trigger: "event";
      readonly databases: readonly DatabaseTarget[];
      readonly key: string;
      /** EventBridge event id: the run id of ledger items, identical on re-delivery. */
      readonly eventId: string;
      readonly time: string;
      readonly dryRun: false;
    }
  | {
      readonly trigger: "manual";
      readonly databases: readonly DatabaseTarget[];
      readonly dryRun: boolean;
      readonly target?: string;
      readonly prune?: boolean;
      /** With prune: delete more than the engine's mass-prune fraction of a table (engine/data-sync.ts). @default false */
      readonly allowMassPrune?: boolean;
    }
  | { readonly trigger: "ignored"; readonly reason: string; readonly key?: string };

interface ObjectCreatedEvent {
  readonly id?: string;
  readonly source?: string;
  readonly "detail-type"?: string;
  readonly time?: string;
  readonly detail?: { readonly bucket?: { readonly name?: unknown }; readonly object?: { readonly key?: unknown } };
}

export interface ParseOptions {
  readonly location: ArtifactLocation;
  readonly databases: readonly DatabaseTarget[];
  /** File names this function reads, e.g. `/\.sql$/i`. */
  readonly fileName: RegExp;
  readonly now: () => Date;
}

export class InvalidRequestError extends Error {
  constructor(reason: string) {
    super(`Invalid manual invocation: ${reason}. Send {"database"?: string, "dryRun"?: boolean, "target"?: string, "prune"?: boolean, "allowMassPrune"?: boolean}.`);
    this.name = "InvalidRequestError";
  }
}

export function parseSyncRequest(event: unknown, options: ParseOptions): SyncRequest {
  const envelope = (event ?? {}) as ObjectCreatedEvent & Record<string, unknown>;
  if (envelope.source === "aws.s3" || envelope["detail-type"] !== undefined) return parseObjectCreated(envelope, options);
  return parseManual(envelope, options);
}

function parseObjectCreated(event: ObjectCreatedEvent, options: ParseOptions): SyncRequest {
  if (event.source !== "aws.s3" || event["detail-type"] !== "Object Created") {
    return { trigger: "ignored", reason: `not an S3 Object Created event (source ${String(event.source)}, detail-type ${String(event["detail-type"])})` };
  }
  const bucket = event.detail?.bucket?.name;
  const key = event.detail?.object?.key;
  if (typeof bucket !== "string" || typeof key !== "string") return { trigger: "ignored", reason: "event without detail.bucket.name / detail.object.key" };
  // S3 notification keys are form-URL-encoded; decoding is harmless for our keys (the key only names
  // the database folder, whose names are letters, digits, `_` and `-`) and safe if a key arrives encoded.
  const decoded = safeDecode(key);
  if (bucket !== options.location.bucket) return { trigger: "ignored", reason: `bucket ${bucket} is not ${options.location.bucket}`, key: decoded };
  const { prefix } = options.location;
  if (!decoded.startsWith(prefix)) return { trigger: "ignored", reason: `key is outside ${prefix}`, key: decoded };
  const rest = decoded.slice(prefix.length).split("/");
  if (rest.length !== 2 || rest[0] === "" || rest[1] === "") {
    return { trigger: "ignored", reason: `key is not ${prefix}<database>/<file>`, key: decoded };
  }
  const [name, file] = rest as [string, string];
  const database = options.databases.find((d) => d.name === name);
  if (database === undefined) return { trigger: "ignored", reason: `database ${name} is not configured here`, key: decoded };
  if (!options.fileName.test(file)) return { trigger: "ignored", reason: `${file} is not a file this function reads`, key: decoded };
  return {
    trigger: "event",
    databases: [database],
    key: decoded,
    eventId: typeof event.id === "string" && event.id !== "" ? event.id : `key-${decoded}`,
    time: typeof event.time === "string" && !Number.isNaN(Date.parse(event.time)) ? event.time : options.now().toISOString(),
    dryRun: false,
  };
}

function parseManual(input: Record<string, unknown>, options: ParseOptions): SyncRequest {
  const { database, dryRun, target, prune, allowMassPrune } = input;
  const unknown = Object.keys(input).filter((k) => !["database", "dryRun", "target", "prune", "allowMassPrune"].includes(k));
  if (unknown.length > 0) throw new InvalidRequestError(`unknown field(s) ${unknown.join(", ")}`);
  if (database !== undefined && typeof database !== "string") throw new InvalidRequestError("database must be a string");
  if (dryRun !== undefined && typeof dryRun !== "boolean") throw new InvalidRequestError("dryRun must be true or false");
  if (prune !== undefined && typeof prune !== "boolean") throw new InvalidRequestError("prune must be true or false");
  if (allowMassPrune !== undefined && typeof allowMassPrune !== "boolean") throw new InvalidRequestError("allowMassPrune must be true or false");
  if (allowMassPrune === true && prune !== true) throw new InvalidRequestError("allowMassPrune only applies with prune: true");
  if (target !== undefined && typeof target !== "string" && typeof target !== "number") throw new InvalidRequestError("target must be a version such as \"3\"");
  let databases = options.databases;
  if (database !== undefined) {
    const found = options.databases.find((d) => d.name === database);
    if (found === undefined) throw new InvalidRequestError(`database ${database} is not configured (known: ${options.databases.map((d) => d.name).join(", ") || "none"})`);
    databases = [found];
  }
  return { trigger: "manual", databases, dryRun: dryRun ?? false, target: target === undefined ? undefined : String(target), prune, allowMassPrune };
}

function safeDecode(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return key;
  }
}
