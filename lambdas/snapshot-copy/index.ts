/**
 * Snapshot copy: keeps cross-region copies of the environment's database snapshots (Aurora
 * clusters and plain DB instances) in each destination region, records each copy in the
 * replication ledger and expires old copies.
 * Wiring only; the logic is in `source.ts`, `account-copy.ts` and `handler-logic.ts`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { RDSClient } from "@aws-sdk/client-rds";
import { STSClient } from "@aws-sdk/client-sts";
import { assumeRoleCredentials } from "../shared/assume-role";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { systemClock } from "../shared/clock";
import { LedgerWriter } from "../shared/ledger";
import { createLogger } from "../shared/log";
import { createMetrics } from "../shared/metrics";
import { readSnapshotCopyConfig } from "./config";
import { handleSnapshotCopyEvent, type SnapshotCopySummary } from "./handler-logic";

const config = readSnapshotCopyConfig();
const log = createLogger({ base: { handler: "snapshot-copy", environment: config.environment } });
// `Handler` like every other function: the infrastructure's alarms select Environment, Handler and Database.
const metrics = createMetrics({ namespace: config.metricsNamespace, environment: config.environment, defaultDimensions: { Handler: "snapshot-copy" } });
const source = new RDSClient({ region: config.sourceRegion });
const targets = Object.fromEntries(config.destinations.map((d) => [d.region, new RDSClient({ region: d.region })]));
// The other account's RDS, through its role (external ID against confused deputies).
const accountCopy = config.accountCopy;
const account =
  accountCopy === undefined
    ? undefined
    : new RDSClient({ region: accountCopy.region, credentials: assumeRoleCredentials(new STSClient({}), { roleArn: accountCopy.roleArn, externalId: accountCopy.externalId, sessionName: "snapshot-copy" }) });
const ledger = new LedgerWriter(DynamoDBDocumentClient.from(new DynamoDBClient({})), config.ledgerTableName);

export async function handler(event: unknown): Promise<SnapshotCopySummary> {
  return handleSnapshotCopyEvent(event, { config, source, targets, account, ledger, log, metrics, clock: systemClock });
}
