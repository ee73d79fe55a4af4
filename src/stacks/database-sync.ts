import { TerraformOutput } from "cdktf";
import { artifactsBucketName } from "../cross-account/trust-map";
import { DatabaseSyncFunction } from "../database-sync/database-sync-function";
import { promotionPrefix, readPrefix, type SyncKind } from "../database-sync/layout";
import { EventsDeadLetterQueue } from "../events/dead-letter-queue";
import { fabricMetricsNamespace } from "../monitoring/metrics";
import type { DataTier } from "./data-tier";
import type { EnvironmentStack } from "./environment-stack";
import { ledgerTableName } from "../ledger/global-ledger";

/** The database-sync functions of one primary-region stack, and the queue their rules dead-letter to. */
export interface DatabaseSync {
  readonly functions: Readonly<Record<SyncKind, DatabaseSyncFunction>>;
  /** Name of the encrypted queue that receives events the functions' rules could not deliver. */
  readonly eventsDeadLetterQueueName: string;
}

/**
 * Composes schema sync and data sync of one environment: both functions in the primary-region
 * stack only (where the clusters' writers are), in the data tier's private subnets with its Lambda
 * security group. Bucket and ledger names come from the naming code the fabric uses, so this
 * composition needs nothing back from `addReplicationFabric`. Returns undefined in the DR-region
 * stack and in an environment without databases.
 */
export function addDatabaseSync(stack: EnvironmentStack, dataTier: DataTier): DatabaseSync | undefined {
  const { platform, environment, region } = stack;
  if (!stack.isPrimaryRegion || environment.databases.length === 0) return undefined;
  // The environment's own ledger table, or its replica of the multi-account ledger.
  const ledgerTable = ledgerTableName(platform, environment.name);
  const bucketName = artifactsBucketName(platform, environment, region);
  const eventsDeadLetterQueueName = stack.names.environmentScoped("database-sync-events-dlq");
  const deadLetterQueue = new EventsDeadLetterQueue(stack, "database-sync-events-dlq", {
    queueName: eventsDeadLetterQueueName,
    kmsKeyArn: stack.key.arn,
  });
  const make = (kind: SyncKind, handler: string) =>
    new DatabaseSyncFunction(stack, handler, {
      kind,
      functionName: stack.names.environmentScoped(handler),
      ruleName: stack.names.environmentScoped(`${handler}-object-created`),
      environment: environment.name,
      accountId: environment.accountId,
      region,
      kmsKeyArn: stack.key.arn,
      defaults: stack.functionDefaults,
      vpc: { subnetIds: dataTier.privateSubnetIds, securityGroupIds: [dataTier.lambdaSecurityGroupId], endpoints: dataTier.endpoints },
      artifactsBucketName: bucketName,
      readPrefix: readPrefix(platform, environment, kind),
      promotionPrefix: promotionPrefix(platform, environment, kind),
      databases: dataTier.databases,
      allowOutOfOrderMigrations: environment.databases.filter((d) => d.allowOutOfOrderMigrations).map((d) => d.name),
      ledgerTableName: ledgerTable,
      ledgerTableArn: `arn:aws:dynamodb:${region}:${environment.accountId}:table/${ledgerTable}`,
      metricsNamespace: fabricMetricsNamespace(platform.project),
      deadLetterQueue,
    });
  const functions = { schema: make("schema", "schema-sync"), data: make("data", "data-sync") };
  new TerraformOutput(stack, "migrations_prefix", { value: readPrefix(platform, environment, "schema"), description: `Key prefix of the ${environment.name} artifacts bucket that schema sync applies (<prefix><database>/V<version>__<name>.sql)` });
  new TerraformOutput(stack, "reference_data_prefix", { value: readPrefix(platform, environment, "data"), description: `Key prefix of the ${environment.name} artifacts bucket that data sync loads (<prefix><database>/<table>.json|csv)` });
  return { functions, eventsDeadLetterQueueName };
}
