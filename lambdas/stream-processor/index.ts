/**
 * Stream processor: consumes the ledger table's DynamoDB stream and announces schema, data,
 * configuration, snapshot, canary and replication changes on the central EventBridge bus.
 * Wiring only; the logic is in `process.ts`.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { readEnv, regionOfArn } from "../shared/env";
import { createLogger } from "../shared/log";
import { createMetrics } from "../shared/metrics";
import { processStreamBatch } from "./process";

const env = readEnv(["ENVIRONMENT", "EVENT_BUS_NAME", "METRICS_NAMESPACE", "AWS_REGION"]);
const log = createLogger({ base: { handler: "stream-processor", environment: env.ENVIRONMENT } });
const metrics = createMetrics({ namespace: env.METRICS_NAMESPACE, environment: env.ENVIRONMENT, defaultDimensions: { Handler: "stream-processor" } });
// The bus may live in another account (PutEvents accepts its ARN); call the bus's own region.
const eventBridge = new EventBridgeClient({ region: regionOfArn(env.EVENT_BUS_NAME) });

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  return processStreamBatch(event.Records ?? [], { eventBridge, eventBusName: env.EVENT_BUS_NAME, region: env.AWS_REGION, log, metrics });
}
