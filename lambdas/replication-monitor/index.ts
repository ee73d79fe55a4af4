/**
 * Replication monitor: records S3 replication incidents (S3 event notifications) and, on a
 * schedule, runs canaries that measure S3, DynamoDB global-table and SSM mirror replication lag.
 * Wiring only; the logic is in `s3-events.ts`, `canary.ts` and `handler-logic.ts`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { assumeRoleCredentials } from "../shared/assume-role";
import { systemClock } from "../shared/clock";
import { LedgerWriter } from "../shared/ledger";
import { createLogger } from "../shared/log";
import { createMetrics } from "../shared/metrics";
import { readMonitorConfig } from "./config";
import { handleMonitorEvent, type MonitorClients, type MonitorResult } from "./handler-logic";

const config = readMonitorConfig();
const log = createLogger({ base: { handler: "replication-monitor", environment: config.environment } });
const metrics = createMetrics({ namespace: config.metricsNamespace, environment: config.environment, defaultDimensions: { Handler: "replication-monitor" } });
// Short request timeouts so one slow replica read cannot eat the canary's time budget.
const fast = { requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 } };
const sts = new STSClient({});
const ledger = new LedgerWriter(DynamoDBDocumentClient.from(new DynamoDBClient(fast)), config.ledgerTableName);

const clients: MonitorClients = {
  s3: new S3Client(fast),
  ssm: new SSMClient(fast),
  s3Replica:
    config.s3Replica === undefined
      ? undefined
      : new S3Client({
          ...fast,
          region: config.s3Replica.region,
          credentials: config.s3Replica.role === undefined ? undefined : assumeRoleCredentials(sts, { ...config.s3Replica.role, sessionName: `replication-canary-${config.environment}` }),
        }),
  ledgerReplica: config.ledgerReplica === undefined ? undefined : DynamoDBDocumentClient.from(new DynamoDBClient({ ...fast, region: config.ledgerReplica.region })),
  ssmTarget:
    config.ssmTarget === undefined
      ? undefined
      : new SSMClient({ ...fast, region: config.ssmTarget.region, credentials: assumeRoleCredentials(sts, { ...config.ssmTarget.role, sessionName: `replication-canary-${config.environment}` }) }),
};

export async function handler(event: unknown, context: Context): Promise<MonitorResult> {
  return handleMonitorEvent(event, { config, clients, ledger, log, metrics, clock: systemClock, remainingTimeMs: () => context.getRemainingTimeInMillis() });
}
