import { artifactsBucketName } from "../cross-account/trust-map";
import { enginePort } from "../database/engine";
import { readPrefix } from "../database-sync/layout";
import { allowEventBridgeDeadLetters, EventsDeadLetterQueue } from "../events/dead-letter-queue";
import { ledgerTableArn, ledgerTableName } from "../ledger/global-ledger";
import { fabricMetricsNamespace } from "../monitoring/metrics";
import { NetworkNames } from "../network/names";
import { drillPrefix } from "../../lambdas/restore-drill/names";
import { RestoreDrill } from "../restore-drill/restore-drill";
import type { DataTier } from "./data-tier";
import type { EnvironmentStack } from "./environment-stack";

/**
 * The restore drill of an environment listed in `disasterRecovery.restoreDrill.environments`, in its
 * DR-region stack: where the snapshot copies are, in the subnet group and database group that stack
 * prepared for the secondary clusters. See docs/disaster-recovery.md, "Restore drills".
 */
export function addRestoreDrill(stack: EnvironmentStack, dataTier: DataTier): RestoreDrill | undefined {
  const { platform, environment } = stack;
  const drill = platform.disasterRecovery.restoreDrill;
  if (stack.isPrimaryRegion || !drill.environments.includes(environment.name) || environment.databases.length === 0) return undefined;
  const functionName = stack.names.environmentScoped("restore-drill");
  // The DR-region stack has no events queue of its own otherwise: its key admits EventBridge for this one.
  const queueName = stack.names.environmentScoped("restore-drill-events-dlq");
  allowEventBridgeDeadLetters(stack.key, queueName);
  return new RestoreDrill(stack, "restore-drill", {
    functionName,
    environment: environment.name,
    accountId: environment.accountId,
    region: stack.region,
    kmsKeyArn: stack.key.arn,
    drillPrefix: drillPrefix(platform.project, environment.name),
    databases: environment.databases.map((d) => ({
      name: d.name,
      engine: d.engine,
      // The copies in this region are named after the primary cluster (lambdas/snapshot-copy/names.ts).
      sourceClusterIdentifier: stack.names.environmentScoped(d.name),
      databaseName: d.databaseName,
      port: enginePort(d.engine),
    })),
    subnetGroupName: new NetworkNames(stack.names).dbSubnetGroup,
    databaseSecurityGroupId: dataTier.databaseSecurityGroupId,
    vpc: { subnetIds: dataTier.privateSubnetIds, securityGroupIds: [dataTier.lambdaSecurityGroupId], endpoints: dataTier.endpoints },
    schedule: drill.schedule,
    rtoMinutes: drill.rtoMinutes,
    maxMinutes: drill.maxMinutes,
    // The DR copy of the artifacts bucket (same keys), in this region: no primary-region call.
    referenceData: { bucketName: artifactsBucketName(platform, environment, stack.region), prefix: readPrefix(platform, environment, "data"), kms: environment.artifacts.encryption === "aws:kms" },
    ledgerTableName: ledgerTableName(platform, environment.name),
    ledgerTableArn: ledgerTableArn(platform, environment),
    ledgerRegion: platform.primaryRegion,
    metricsNamespace: fabricMetricsNamespace(platform.project),
    alarmTopicArn: stack.alarmTopic.arn,
    deadLetterQueue: new EventsDeadLetterQueue(stack, "restore-drill-events-dlq", { queueName, kmsKeyArn: stack.key.arn }),
    defaults: stack.functionDefaults,
  });
}
