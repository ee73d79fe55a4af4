/** What the schema-sync and data-sync handlers need at run time; tests pass mocked clients and captured logs. */
import type { S3Client } from "@aws-sdk/client-s3";
import type { DatabaseSyncConfig, DatabaseTarget } from "./database-sync-config";
import type { DatabaseSecrets } from "./db-secret";
import type { LedgerWriter } from "./ledger";
import type { Logger } from "./log";
import type { Metrics } from "./metrics";
import type { PromotionFile } from "./promotion";
import type { RunTiming } from "./run-budget";
import type { S3FileSource } from "./s3-source";

export interface DatabaseSyncDeps {
  readonly s3: S3Client;
  readonly secrets: DatabaseSecrets;
  readonly ledger: LedgerWriter;
  readonly config: DatabaseSyncConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Id of this invocation: the run id of manual runs. */
  readonly requestId: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Time left of this invocation (the Lambda context's getRemainingTimeInMillis). @default unlimited */
  readonly remainingTimeMs?: () => number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default DEFAULT_RUN_TIMING */
  readonly timing?: Partial<RunTiming>;
}

/** The folder of one database's files. */
export function databaseFolder(prefix: string, database: Pick<DatabaseTarget, "name">): string {
  return `${prefix}${database.name}/`;
}

/** Promotion copies of `names` (files of `source`), or none when this is the last environment. */
export async function promotionFiles(source: S3FileSource, names: readonly string[], database: DatabaseTarget, config: DatabaseSyncConfig): Promise<PromotionFile[]> {
  const promotion = config.location.promotion;
  if (promotion === undefined) return [];
  const files: PromotionFile[] = [];
  for (const name of names) {
    // readBytes() returns the bytes the engine ran (kept by the source) and versionOf() the object version they came from.
    const content = await source.readBytes(name);
    files.push({ sourceKey: source.keyOf(name), destinationKey: `${databaseFolder(promotion.prefix, database)}${name}`, content, sourceVersionId: source.versionOf(name) });
  }
  return files;
}
