/**
 * Restore drill: on its schedule, restores the newest DR-region snapshot copy of each database into a
 * temporary cluster, verifies it with the engine (schema version and reference data), records the restore time, and deletes it
 * (drill.ts). A restore outlasts one invocation: the function hands the drill's state to its next
 * invocation (asynchronous Invoke of itself) until the drill is finished. Wiring only.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { parseJsonEnv, parsePositiveNumberEnv, readEnv } from "../shared/env";
import { latestAppliedSchemaVersions, LedgerWriter } from "../shared/ledger";
import { createLogger, errorFields } from "../shared/log";
import { createMetrics } from "../shared/metrics";
import { initialState, runDrill, type DrillDatabase, type DrillSettings, type DrillState } from "./drill";
import type { VerifyEvent, VerifyResult } from "../restore-drill-verify";

const env = readEnv(["ENVIRONMENT", "DRILL_PREFIX", "SUBNET_GROUP_NAME", "KMS_KEY_ARN", "LEDGER_TABLE_NAME", "LEDGER_REGION", "VERIFY_FUNCTION_NAME", "METRICS_NAMESPACE", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME"]);
const databases = parseJsonEnv<DrillDatabase[]>("DATABASES", process.env.DATABASES, []);
const settings: DrillSettings = {
  environment: env.ENVIRONMENT,
  region: env.AWS_REGION,
  prefix: env.DRILL_PREFIX,
  subnetGroupName: env.SUBNET_GROUP_NAME,
  securityGroupIds: parseJsonEnv<string[]>("SECURITY_GROUP_IDS", process.env.SECURITY_GROUP_IDS, []),
  kmsKeyArn: env.KMS_KEY_ARN,
  maxMinutes: parsePositiveNumberEnv("MAX_MINUTES", process.env.MAX_MINUTES, 180),
};
const log = createLogger({ base: { handler: "restore-drill", environment: settings.environment } });
const metrics = createMetrics({ namespace: env.METRICS_NAMESPACE, environment: settings.environment, defaultDimensions: { Handler: "restore-drill" } });
const rds = new RDSClient({});
const lambda = new LambdaClient({});
// The ledger's home region (the drill runs outside a VPC, so any region's endpoint answers).
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: env.LEDGER_REGION }));
const ledger = new LedgerWriter(documents, env.LEDGER_TABLE_NAME);

/** Leave this much of an invocation for handing the state on. */
const HAND_OVER_MS = 60_000;
const POLL_MS = 30_000;

export interface DrillEvent {
  /** Absent: a scheduled start (one drill per database). Present: a drill to carry on. */
  readonly state?: DrillState;
}

export async function handler(event: DrillEvent, context: Context): Promise<{ readonly phase: string } | { readonly started: number }> {
  if (event.state === undefined) {
    for (const database of databases) await invokeSelf({ state: initialState(database) });
    log.info("restore drills started", { databases: databases.map((d) => d.name) });
    return { started: databases.length };
  }
  const state = await runDrill(event.state, settings, deps(), { budgetMs: Math.max(0, context.getRemainingTimeInMillis() - HAND_OVER_MS), pollMs: POLL_MS });
  if (state.phase !== "finished") await invokeSelf({ state });
  log.info("restore drill step", { database: state.database.name, phase: state.phase, cluster: state.clusterIdentifier, outcome: state.outcome?.status });
  return { phase: state.phase };
}

function deps() {
  return {
    rds,
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    metric: (name: string, value: number, database: string) => metrics.put(name, value, name === "RestoreDrillSeconds" ? "Seconds" : "Count", { Database: database }),
    record: async (item: Parameters<LedgerWriter["put"]>[0]) => {
      try {
        await ledger.put(item);
      } catch (error) {
        log.error("could not record the drill in the ledger", { ...errorFields(error), status: (item as { status?: string }).status });
      }
    },
    verify: async (database: DrillDatabase, connection: VerifyEvent["connection"], snapshotTakenAt: Date | undefined) => {
      // What the source had applied when the snapshot was taken, from the ledger.
      const expected = (await latestAppliedSchemaVersions(documents, env.LEDGER_TABLE_NAME, settings.environment, snapshotTakenAt)).get(database.name);
      const request: VerifyEvent = {
        engine: database.engine === "aurora-postgresql" ? "postgres" : "mysql",
        connection,
        expectedSchemaVersion: expected,
        databaseName: database.name,
        snapshotTakenAt: snapshotTakenAt?.toISOString(),
      };
      const response = await lambda.send(new InvokeCommand({ FunctionName: env.VERIFY_FUNCTION_NAME, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(request)) }));
      const body = response.Payload ? Buffer.from(response.Payload).toString("utf8") : "";
      if (response.FunctionError) throw new Error(`verification failed to run: ${(JSON.parse(body || "{}") as { errorMessage?: string }).errorMessage ?? response.FunctionError}`);
      const verification = JSON.parse(body) as VerifyResult;
      if (verification.skippedFiles?.length) log.warn("reference data changed after the snapshot: not compared", { database: database.name, files: verification.skippedFiles });
      return verification;
    },
  };
}

async function invokeSelf(event: DrillEvent): Promise<void> {
  await lambda.send(new InvokeCommand({ FunctionName: env.AWS_LAMBDA_FUNCTION_NAME, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }));
}
