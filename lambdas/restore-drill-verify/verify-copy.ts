/** The verification step itself (the handler only wires it): reference data from S3, then the engine's checks. */
import type { S3Client } from "@aws-sdk/client-s3";
import { databaseFolder } from "../shared/database-sync-deps";
import { s3Source } from "../shared/s3-source";
import { referenceDataAsOf } from "../restore-drill/reference-data";
import { verifyRestoredDatabase, type Verification } from "../restore-drill/verify";

export interface VerifyEvent {
  readonly engine: "postgres" | "mysql";
  readonly connection: { readonly host: string; readonly port: number; readonly user: string; readonly password: string; readonly database: string };
  readonly expectedSchemaVersion?: string;
  /** The database's name in the configuration: its reference-data folder is `<data prefix><name>/`. */
  readonly databaseName: string;
  /** ISO time the restored snapshot was taken; files changed later are skipped. @default every file is compared */
  readonly snapshotTakenAt?: string;
}

export interface VerifyResult extends Verification {
  /** Reference-data files not compared because they changed after the snapshot was taken. */
  readonly skippedFiles: readonly string[];
}

export interface VerifyCopyDeps {
  readonly s3: S3Client;
  /** The DR-region artifacts bucket and the environment's data-sync read prefix. */
  readonly bucket: string;
  readonly dataPrefix: string;
  /** The connection's TLS: `true` (verified against the trusted CAs) in the function. */
  readonly ssl: true | Readonly<Record<string, unknown>>;
}

export async function verifyDrillCopy(event: VerifyEvent, deps: VerifyCopyDeps): Promise<VerifyResult> {
  const folder = s3Source(deps.s3, deps.bucket, databaseFolder(deps.dataPrefix, { name: event.databaseName }));
  const referenceData = await referenceDataAsOf(folder, event.snapshotTakenAt === undefined ? undefined : new Date(event.snapshotTakenAt));
  const verification = await verifyRestoredDatabase({
    engine: event.engine,
    connection: { ...event.connection, ssl: deps.ssl },
    expectedSchemaVersion: event.expectedSchemaVersion,
    referenceData: referenceData.source,
  });
  return { ...verification, skippedFiles: referenceData.skipped };
}
