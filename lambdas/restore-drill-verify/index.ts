/**
 * The restore drill's verification step, in the DR VPC next to the drill cluster (the drill itself
 * runs outside it, where the AWS APIs and the ledger in any region answer): connects with verified
 * TLS and runs the engine's checks (verify-copy.ts, lambdas/restore-drill/verify.ts). The
 * reference-data files come from the DR-region artifacts bucket through the VPC's S3 gateway
 * endpoint (same region; S3 decrypts with the DR key on the function's behalf), so the DR VPC needs
 * no interface endpoint for it. The password arrives in the synchronous invocation's payload, which
 * Lambda neither logs nor keeps, and is never logged here. Wiring only.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { readEnv } from "../shared/env";
import { verifyDrillCopy, type VerifyEvent, type VerifyResult } from "./verify-copy";

export type { VerifyEvent, VerifyResult } from "./verify-copy";

const env = readEnv(["ARTIFACTS_BUCKET", "DATA_PREFIX"]);
const s3 = new S3Client({});

export async function handler(event: VerifyEvent): Promise<VerifyResult> {
  return verifyDrillCopy(event, { s3, bucket: env.ARTIFACTS_BUCKET, dataPrefix: env.DATA_PREFIX, ssl: true });
}
