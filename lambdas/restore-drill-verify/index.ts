/**
 * The restore drill's verification step, in the DR VPC next to the drill cluster (the drill itself
 * runs outside it, where the AWS APIs and the ledger in any region answer): connects with verified
 * TLS and runs the engine's checks (lambdas/restore-drill/verify.ts). It calls no AWS API, so the DR
 * VPC needs no endpoint for it. The password arrives in the synchronous invocation's payload, which
 * Lambda neither logs nor keeps, and is never logged here.
 */
import { verifyRestoredDatabase, type Verification } from "../restore-drill/verify";

export interface VerifyEvent {
  readonly engine: "postgres" | "mysql";
  readonly connection: { readonly host: string; readonly port: number; readonly user: string; readonly password: string; readonly database: string };
  readonly expectedSchemaVersion?: string;
}

export async function handler(event: VerifyEvent): Promise<Verification> {
  return verifyRestoredDatabase({ engine: event.engine, connection: { ...event.connection, ssl: true }, expectedSchemaVersion: event.expectedSchemaVersion });
}
