/**
 * The restore drill's verification step, in the DR VPC next to the drill cluster (the drill itself
 * runs outside it, where the AWS APIs and the ledger in any region answer): connects with verified
 * TLS and runs the engine's checks (lambdas/restore-drill/verify.ts). The reference-data files come
 * from the DR-region artifacts bucket through the VPC's S3 gateway endpoint (same region; S3 decrypts
 * with the DR key on the function's behalf), so the DR VPC needs no interface endpoint for it. The
 * password arrives in the synchronous invocation's payload, which Lambda neither logs nor keeps, and
 * is never logged here.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { readEnv } from "../shared/env";
import { s3Source } from "../shared/s3-source";
import { databaseFolder } from "../shared/database-sync-deps";
import { referenceDataAsOf } from "../restore-drill/reference-data";
import { verifyRestoredDatabase, type Verification } from "../restore-drill/verify";

export interface VerifyEvent {
  readonly engine: "postgres" | "mysql";
  readonly connection: { readonly host: string; readonly port: number; readonly user: string; readonly password: string; readonly database: string };
  readonly expectedSchemaVersion?: string;
  /** The database's name in the configuration: its reference-data folder is `<DATA_PREFIX><name>/`. */
  readonly databaseName: string;
  /** ISO time the restored snapshot was taken; files changed later are skipped. @default every file */
  readonly snapshotTakenAt?: string;
}

export interface VerifyResult extends Verification {
  /** Reference-data files not compared because they changed after the snapshot was taken. */
  readonly skippedFiles: readonly string[];
}

const env = readEnv(["ARTIFACTS_BUCKET", "DATA_PREFIX"]);
const s3 = new S3Client({});

export async function handler(event: VerifyEvent): Promise<VerifyResult> {
  const folder = s3Source(s3, env.ARTIFACTS_BUCKET, databaseFolder(env.DATA_PREFIX, { name: event.databaseName }));
  const referenceData = await referenceDataAsOf(folder, event.snapshotTakenAt === undefined ? undefined : new Date(event.snapshotTakenAt));
  const verification = await verifyRestoredDatabase({
    engine: event.engine,
    connection: { ...event.connection, ssl: true },
    expectedSchemaVersion: event.expectedSchemaVersion,
    referenceData: referenceData.source,
  });
  return { ...verification, skippedFiles: referenceData.skipped };
}
