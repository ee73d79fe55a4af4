/**
 * Config validator: compares SSM hierarchies, applied schema versions and DynamoDB table
 * definitions across environments, publishes drift metrics, stores a JSON report and serves the
 * latest report from its function URL. Wiring only; the logic is in the modules beside it.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { LambdaFunctionURLResult } from "aws-lambda";
import { assumeRoleCredentials } from "../shared/assume-role";
import { createLogger } from "../shared/log";
import { createMetrics } from "../shared/metrics";
import type { EnvironmentClients } from "./collect";
import { readValidatorConfig, type ValidationEnvironment } from "./config";
import { handleValidatorEvent } from "./handler-logic";
import type { ValidationReport } from "./validate";

const config = readValidatorConfig();
const log = createLogger({ base: { handler: "config-validator", environment: config.environment } });
const metrics = createMetrics({ namespace: config.metricsNamespace, environment: config.environment, defaultDimensions: { Handler: "config-validator" } });
const sts = new STSClient({});
const s3 = new S3Client({});

// One set of clients per environment, created once; environments with a role read through it.
const clients = new Map<string, EnvironmentClients>(
  config.environments.map((env) => {
    const credentials =
      env.roleArn !== undefined && env.externalId !== undefined
        ? assumeRoleCredentials(sts, { roleArn: env.roleArn, externalId: env.externalId, sessionName: `config-validator-${config.environment}` })
        : undefined;
    const dynamodb = new DynamoDBClient({ region: env.region, credentials });
    return [env.name, { ssm: new SSMClient({ region: env.region, credentials }), dynamodb, doc: DynamoDBDocumentClient.from(dynamodb) }];
  }),
);

export async function handler(event: unknown): Promise<LambdaFunctionURLResult | ValidationReport> {
  return handleValidatorEvent(event, {
    config,
    clientsFor: (env: ValidationEnvironment) => clients.get(env.name) as EnvironmentClients,
    s3,
    log,
    metrics,
    now: () => new Date(),
  });
}
