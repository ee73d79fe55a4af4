/**
 * Schema sync: runs the migration engine against the environment's Aurora clusters when a migration
 * file lands in the artifacts bucket (EventBridge "Object Created") or on manual invocation, and
 * promotes clean migrations to the next environment. Wiring only; the logic is in `handler-logic.ts`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { readDatabaseSyncConfig } from "../shared/database-sync-config";
import { DatabaseSecrets } from "../shared/db-secret";
import { LedgerWriter } from "../shared/ledger";
import { createLogger } from "../shared/log";
import { createMetrics } from "../shared/metrics";
import { handleSchemaSync, type SchemaSyncResult } from "./handler-logic";

const config = readDatabaseSyncConfig("schema");
const log = createLogger({ base: { handler: "schema-sync", environment: config.environment } });
const metrics = createMetrics({ namespace: config.metricsNamespace, environment: config.environment, defaultDimensions: { Handler: "schema-sync" } });
const s3 = new S3Client({});
const secrets = new DatabaseSecrets(new SecretsManagerClient({}));
const ledger = new LedgerWriter(DynamoDBDocumentClient.from(new DynamoDBClient({})), config.ledgerTableName);

export async function handler(event: unknown, context: Context): Promise<SchemaSyncResult> {
  return handleSchemaSync(event, { s3, secrets, ledger, config, log: log.child({ requestId: context.awsRequestId }), metrics, requestId: context.awsRequestId, remainingTimeMs: () => context.getRemainingTimeInMillis() });
}
