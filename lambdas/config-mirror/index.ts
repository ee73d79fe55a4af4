/**
 * Config mirror: copies SSM parameters from this environment's `/app/<env>/config/` hierarchy to
 * the next environment's, in its account, on change events and on a scheduled reconcile.
 * Wiring only; the logic is in `mirror.ts` and `handler-logic.ts`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { assumeRoleCredentials } from "../shared/assume-role";
import { LedgerWriter } from "../shared/ledger";
import { createLogger } from "../shared/log";
import { createMetrics } from "../shared/metrics";
import { readMirrorConfig } from "./config";
import { handleMirrorEvent, type MirrorResult } from "./handler-logic";

const config = readMirrorConfig();
const log = createLogger({ base: { handler: "config-mirror", environment: config.environment, target: config.targetEnvironment } });
const metrics = createMetrics({ namespace: config.metricsNamespace, environment: config.environment, defaultDimensions: { Handler: "config-mirror" } });
// SSM's PutParameter limit is low; adaptive retries back off on throttling instead of failing.
const retry = { maxAttempts: 8, retryMode: "adaptive" as const };
const source = new SSMClient(retry);
const target = new SSMClient({
  ...retry,
  region: config.targetRegion,
  credentials: assumeRoleCredentials(new STSClient({}), {
    roleArn: config.targetRoleArn,
    externalId: config.targetExternalId,
    sessionName: `config-mirror-${config.sourceEnvironment}-to-${config.targetEnvironment}`,
  }),
});
const ledger = new LedgerWriter(DynamoDBDocumentClient.from(new DynamoDBClient({})), config.ledgerTableName);

export async function handler(event: unknown, context: Context): Promise<MirrorResult> {
  return handleMirrorEvent(event, { source, target, ledger, config, log, metrics, remainingTimeMs: () => context.getRemainingTimeInMillis() });
}
