import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { Annotations, TerraformOutput } from "cdktf";
import { keyFilter } from "../../lambdas/shared/patterns";
import { AppParameters } from "../app-config/app-parameters";
import { appParameterWrites, mirrorDenyAdditions, overriddenKeys } from "../app-config/plan";
import { AccessLogBucket } from "../artifacts/access-log-bucket";
import { addEnvironmentArtifacts, type EnvironmentArtifacts } from "../artifacts/environment-artifacts";
import { AuditTrail, auditTrailBucketName, auditTrailName } from "../audit/audit-trail";
import { ConfigMirror } from "../config-mirror/config-mirror";
import { ConfigWriterRole } from "../config-mirror/config-writer-role";
import { configRoot } from "../config-mirror/parameters";
import { AgentRole } from "../cross-account/agent-role";
import {
  agentExternalId,
  artifactsBucketName,
  centralBusArn,
  centralBusName,
  configWriterExternalId,
  fabricNames,
  fabricRoleArn,
  namesIn,
  otherEnvironments,
} from "../cross-account/trust-map";
import { CentralBus } from "../events/central-bus";
import { environmentStackName, roleArn } from "../naming";
import { allowEventBridgeDeadLetters, EventsDeadLetterQueue } from "../events/dead-letter-queue";
import { EventForwarderRole } from "../events/event-forwarder";
import { EventRule } from "../events/event-rule";
import { StackUpdateRules } from "../events/stack-update-rules";
import { stateEventNames } from "../events/state-change-events";
import { stateKey } from "./backend";
import { addSeedOutputs } from "./seed-outputs";
import { addLedger } from "./ledger";
import { ledgerTableName } from "../ledger/global-ledger";
import { StreamProcessor } from "../ledger/stream-processor";
import { FabricMonitoring } from "../monitoring/fabric-monitoring";
import { CANARY_CHANNELS, fabricMetricsNamespace, S3_REPLICATION_EVENTS } from "../monitoring/metrics";
import { OverviewDashboard } from "../monitoring/overview-dashboard";
import { CANARY_PARAMETER_KEY, ReplicationMonitor } from "../monitoring/replication-monitor";
import { StatusEndpoint } from "../monitoring/status-endpoint";
import { addSnapshotCopy } from "../snapshots/snapshot-wiring";
import { SNAPSHOT_CHECK_SCHEDULE } from "../snapshots/snapshot-copy";
import type { DataTier, DatabaseEndpoint } from "./data-tier";
import type { DatabaseSync } from "./database-sync";
import type { EnvironmentStack } from "./environment-stack";

/** How often the canaries and the validator run. */
export const CANARY_SCHEDULE = "rate(5 minutes)";
export const VALIDATION_SCHEDULE = "rate(1 hour)";

/** Detail-types of the stream processor's events that page the operations environment. */
export const ALERT_DETAIL_TYPES = [
  "Schema Migration Failed",
  "Reference Data Sync Failed",
  "Snapshot Copy Failed",
  "Replication Canary Timed Out",
  "Replication Canary Failed",
  "Artifact Replication Failed",
  "Ledger Entry Deleted",
  "Database Writer Move Failed",
  "Restore Drill Failed",
] as const;

/**
 * Composes artifact replication, the ledger, config mirroring, events and monitoring of one
 * environment stack. The DR-region stack holds only the DR bucket and its access-log bucket; the
 * primary-region stack holds everything else (so IAM names, which are account-global, never collide).
 * The fabric's functions call only AWS APIs, so they run outside the VPC and do not use the data tier.
 * The schema and data sync functions, composed before the fabric, are watched by its monitoring.
 */
export function addReplicationFabric(stack: EnvironmentStack, dataTier: Pick<DataTier, "databases">, databaseSync?: DatabaseSync): void {
  const artifacts = addEnvironmentArtifacts(stack);
  // Promotion HEADs the destination copy before copying: without an unconditioned ListBucket S3
  // answers 403 (not 404) for a file never promoted, and promotion fails.
  if (stack.nextEnvironment && databaseSync) {
    artifacts.bucket.allowExistenceChecks("PromotingFunctionsCheckCopies", Object.values(databaseSync.functions).map((sync) => sync.function.role.arn));
  }
  if (stack.isPrimaryRegion) addPrimaryFabric(stack, artifacts, dataTier.databases, databaseSync);
  addSeedOutputs(stack, databaseSync);
}

function addPrimaryFabric(stack: EnvironmentStack, artifacts: EnvironmentArtifacts, databases: readonly DatabaseEndpoint[], databaseSync: DatabaseSync | undefined): void {
  const { platform, environment, region } = stack;
  const { project } = platform;
  const names = fabricNames(project, environment.name);
  const namespace = fabricMetricsNamespace(project);
  const busArn = centralBusArn(platform);
  const next = stack.nextEnvironment;
  const previous = stack.previousEnvironment;
  const others = otherEnvironments(platform, environment);
  const isOperations = environment.name === platform.operationsEnvironment;
  const common = { accountId: environment.accountId, region, kmsKeyArn: stack.key.arn, defaults: stack.functionDefaults };

  // Ledger: this account's own table replicated into the DR region, or one multi-account global table.
  const ledger = addLedger(stack, artifacts.drKeyArn!);

  // Events: the central bus (operations environment), this account's forwarder and dead-letter queue.
  let centralBus: CentralBus | undefined;
  if (isOperations) {
    centralBus = new CentralBus(stack, "central-bus", {
      busName: centralBusName(project),
      // The other environments' accounts, and the state account (its state-change forwarding).
      senderAccountIds: [...new Set([...others.map((o) => o.accountId), platform.stateBackend.accountId])].filter((account) => account !== environment.accountId),
      key: stack.key,
    });
  }
  // Every events DLQ of the environment (this one, database sync's) is named <project>-<env>-...
  allowEventBridgeDeadLetters(stack.key, `${project}-${environment.name}-`);
  const deadLetterQueue = new EventsDeadLetterQueue(stack, "events-dlq", { queueName: stack.names.environmentScoped("events-dlq"), kmsKeyArn: stack.key.arn });
  const forwarder = new EventForwarderRole(stack, "event-forwarder", { roleName: names.eventForwarderRole, accountId: environment.accountId, centralBusArn: busArn });

  new StreamProcessor(stack, "stream-processor", {
    ...common,
    functionName: names.streamProcessorFunction,
    environment: environment.name,
    ledgerTableArn: ledger.arn,
    stream: ledger.streamArn === undefined ? undefined : { arn: ledger.streamArn, environment: ledger.global ? environment.name : undefined },
    eventBusArn: busArn,
    metricsNamespace: namespace,
  });

  // Cross-account roles: the agent other environments read through, the writer the previous mirror uses.
  let agent: AgentRole | undefined;
  if (others.length > 0) {
    agent = new AgentRole(stack, "agent-role", {
      roleName: names.agentRole,
      environment: environment.name,
      accountId: environment.accountId,
      region,
      callers: others.map((caller) => ({
        environment: caller.name,
        roleArns: [fabricRoleArn(platform, caller, "configValidatorFunction"), fabricRoleArn(platform, caller, "replicationMonitorFunction")],
        externalId: agentExternalId(project, caller.name, environment.name),
      })),
      ledgerTableArn: ledger.arn,
      kmsKeyArn: stack.key.arn,
      artifactsBucket: { bucketName: artifactsBucketName(platform, environment, region), kms: environment.artifacts.encryption === "aws:kms" },
    });
  }
  let writer: ConfigWriterRole | undefined;
  if (previous) {
    writer = new ConfigWriterRole(stack, "config-writer", {
      roleName: names.configWriterRole,
      environment: environment.name,
      accountId: environment.accountId,
      region,
      kmsKeyArn: stack.key.arn,
      mirrorRoleArn: fabricRoleArn(platform, previous, "configMirrorFunction"),
      externalId: configWriterExternalId(project, previous.name, environment.name),
      allowDeletes: previous.configMirror.deletePolicy === "delete",
    });
  }

  // Application settings this environment writes itself (the first environment's, and overrides);
  // the mirror leaves alone what the next environment writes itself.
  const appParameters = appParameterWrites(platform, environment.name);
  if (appParameters.length > 0) new AppParameters(stack, "app-config", { environment: environment.name, parameters: appParameters, kmsKeyArn: stack.key.arn });
  const mirrorSettings = { ...environment.configMirror, denyPatterns: [...environment.configMirror.denyPatterns, ...mirrorDenyAdditions(platform, environment.name)] };

  // Functions.
  let mirror: ConfigMirror | undefined;
  if (next) {
    mirror = new ConfigMirror(stack, "config-mirror", {
      ...common,
      functionName: names.configMirrorFunction,
      environment: environment.name,
      settings: mirrorSettings,
      target: {
        environment: next.name,
        roleArn: fabricRoleArn(platform, next, "configWriterRole"),
        externalId: configWriterExternalId(project, environment.name, next.name),
        kmsKeyId: `arn:aws:kms:${region}:${next.accountId}:${namesIn(platform, next, region).keyAlias}`,
      },
      ledgerTableName: ledger.name,
      ledgerTableArn: ledger.arn,
      metricsNamespace: namespace,
    });
    if (!keyFilter(environment.configMirror.allowPatterns, environment.configMirror.denyPatterns)(CANARY_PARAMETER_KEY)) {
      Annotations.of(mirror).addWarning(
        `configMirror patterns of ${environment.name} exclude "${CANARY_PARAMETER_KEY}": the SSM canary into ${next.name} will time out. Allow that key.`,
      );
    }
  }
  const monitor = new ReplicationMonitor(stack, "replication-monitor", {
    ...common,
    functionName: names.replicationMonitorFunction,
    environment: environment.name,
    metricsNamespace: namespace,
    ledger: { tableName: ledger.name, tableArn: ledger.arn, replica: ledger.global ? undefined : { region: platform.drRegion, kmsKeyArn: artifacts.drKeyArn! } },
    artifactsBucketName: artifactsBucketName(platform, environment, region),
    drBucket: { bucketName: artifacts.drBucketName, region: platform.drRegion },
    next: next
      ? { environment: next.name, roleArn: fabricRoleArn(platform, next, "agentRole"), externalId: agentExternalId(project, environment.name, next.name) }
      : undefined,
  });
  const operationsAccount = platform.environments.find((e) => e.name === platform.operationsEnvironment)!.accountId;
  const validator = new StatusEndpoint(stack, "config-validator", {
    ...common,
    functionName: names.configValidatorFunction,
    environment: environment.name,
    metricsNamespace: namespace,
    artifactsBucketName: artifactsBucketName(platform, environment, region),
    ledgerTableArn: ledger.arn,
    environments: platform.promotionOrder.map((name) => {
      const env = platform.environments.find((e) => e.name === name)!;
      const own = env.name === environment.name;
      return {
        name: env.name,
        accountId: env.accountId,
        region,
        ledgerTableName: ledgerTableName(platform, env.name),
        ...(own ? {} : { roleArn: fabricRoleArn(platform, env, "agentRole"), externalId: agentExternalId(project, environment.name, env.name) }),
      };
    }),
    // Overridden settings differ between environments by design.
    ignorePatterns: [...environment.configMirror.denyPatterns, ...overriddenKeys(platform)],
    callerRoleArns: operationsAccount === environment.accountId ? [] : platform.statusEndpoint.callerRoleNames.map((name) => roleArn(operationsAccount, name)),
  });
  // Snapshot copies: the clusters' and configured DB instances' snapshots, into each destination region (seed 003).
  const snapshotCopy = addSnapshotCopy(stack, { ...common, functionName: names.snapshotCopyFunction, databases, drKeyArn: artifacts.drKeyArn!, ledger, metricsNamespace: namespace });

  // S3 replication events exist only as S3 event notifications; Object Created goes to EventBridge.
  const notifyMonitor = new LambdaPermission(stack, "artifacts-notify-monitor", {
    statementId: "ArtifactsBucketReplicationEvents",
    action: "lambda:InvokeFunction",
    functionName: monitor.function.name,
    principal: "s3.amazonaws.com",
    sourceArn: artifacts.bucket.arn,
    sourceAccount: environment.accountId,
  });
  new S3BucketNotification(stack, "artifacts-notifications", {
    bucket: artifacts.bucket.name,
    eventbridge: true,
    lambdaFunction: [{ id: "replication-events", lambdaFunctionArn: monitor.function.arn, events: [...S3_REPLICATION_EVENTS] }],
    dependsOn: [notifyMonitor],
  });

  // Rules on the default bus; every target has the dead-letter queue and a retry policy.
  const rule = (id: string, suffix: string, description: string, spec: { eventPattern?: Record<string, unknown>; scheduleExpression?: string }) =>
    new EventRule(stack, id, { ruleName: stack.names.environmentScoped(suffix), description, deadLetterQueue, ...spec });
  const forward = (r: EventRule) => r.addEventBus("central-bus", busArn, forwarder.arn);

  forward(
    rule("rule-artifact-created", "artifact-created", "New artifacts, to the central bus", {
      eventPattern: { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: [artifactsBucketName(platform, environment, region)] } } },
    }),
  );
  const parameterChange = rule("rule-parameter-change", "parameter-change", `Changes under ${configRoot(environment.name)}`, {
    eventPattern: { source: ["aws.ssm"], "detail-type": ["Parameter Store Change"], detail: { name: [{ prefix: configRoot(environment.name) }] } },
  });
  if (mirror) parameterChange.addFunction("config-mirror", mirror.function);
  forward(parameterChange);
  const stackChange = rule("rule-stack-change", "stack-change", "CloudFormation stack status changes: validate and forward", {
    eventPattern: { source: ["aws.cloudformation"], "detail-type": ["CloudFormation Stack Status Change"] },
  });
  stackChange.addFunction("config-validator", validator.function, { action: "validate" });
  forward(stackChange);
  addStackUpdateTriggers(stack, validator, centralBus, deadLetterQueue);
  // The configuration-API-call rule sees events only from an account with a trail: one per account.
  const trailBucketName = auditTrailBucketName(stack.names);
  new AuditTrail(stack, "audit-trail", {
    trailName: auditTrailName(stack.names),
    bucketName: trailBucketName,
    accountId: environment.accountId,
    key: stack.key,
    accessLogs: { bucketName: artifacts.accessLogs.name, prefix: AccessLogBucket.logPrefix(trailBucketName) },
    preventDestroy: environment.deletionProtection,
  });
  forward(
    rule("rule-config-api-calls", "config-api-calls", "Configuration API calls recorded by the account's CloudTrail trail, to the central bus", {
      eventPattern: {
        source: ["aws.ssm", "aws.dynamodb", "aws.s3"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["ssm.amazonaws.com", "dynamodb.amazonaws.com", "s3.amazonaws.com"], eventName: [...CONFIGURATION_API_CALLS] },
      },
    }),
  );
  forward(
    rule("rule-rds-snapshots", "rds-snapshots", "RDS snapshot events, to the central bus", {
      eventPattern: { source: ["aws.rds"], "detail-type": ["RDS DB Cluster Snapshot Event", "RDS DB Snapshot Event"] },
    }),
  );
  if (mirror) {
    rule("rule-config-reconcile", "config-reconcile", "Periodic reconcile of the mirrored configuration", { scheduleExpression: environment.configMirror.reconcileSchedule }).addFunction(
      "config-mirror",
      mirror.function,
    );
  }
  rule("rule-replication-canary", "replication-canary", "Replication canaries", { scheduleExpression: CANARY_SCHEDULE }).addFunction("replication-monitor", monitor.function);
  rule("rule-config-validation", "config-validation", "Periodic cross-environment validation", { scheduleExpression: VALIDATION_SCHEDULE }).addFunction("config-validator", validator.function);
  if (snapshotCopy) {
    rule("rule-snapshot-copy", "snapshot-copy", `Copies of the newest database snapshots to ${platform.snapshots.destinations.map((d) => d.region).join(", ")}, and expiry of old ones`, {
      scheduleExpression: platform.snapshots.schedule,
    }).addFunction("snapshot-copy", snapshotCopy.construct.function, { action: "copy" });
    rule("rule-snapshot-check", "snapshot-check", "Progress of the snapshot copies and the age of the newest one", {
      scheduleExpression: SNAPSHOT_CHECK_SCHEDULE,
    }).addFunction("snapshot-copy", snapshotCopy.construct.function, { action: "check" });
  }
  if (centralBus) {
    new EventRule(stack, "rule-central-alerts", {
      ruleName: stack.names.environmentScoped("central-alerts"),
      description: "Replication failures from every environment, to the operations alarm topic",
      eventBusName: centralBus.name,
      eventPattern: { source: ["platform.replication"], "detail-type": [...ALERT_DETAIL_TYPES] },
      deadLetterQueue,
    }).addTopic("alarm-topic", stack.alarmTopic.arn);
    stack.alarmTopic.allowEventBridge();
  }

  // Monitoring.
  const watched = [
    { functionName: names.streamProcessorFunction, handler: "stream-processor" },
    ...(mirror ? [{ functionName: names.configMirrorFunction, handler: "config-mirror" }] : []),
    { functionName: names.replicationMonitorFunction, handler: "replication-monitor" },
    { functionName: names.configValidatorFunction, handler: "config-validator" },
    ...(snapshotCopy ? [{ functionName: names.snapshotCopyFunction, handler: "snapshot-copy" }] : []),
    // Schema and data sync are watched like every other function of the environment.
    ...Object.values(databaseSync?.functions ?? {}).map((sync) => ({ functionName: sync.functionName, handler: sync.handler })),
  ];
  const monitoring = new FabricMonitoring(stack, "fabric-monitoring", {
    namePrefix: `${project}-${environment.name}`,
    environment: environment.name,
    region,
    alarmTopicArn: stack.alarmTopic.arn,
    thresholds: platform.alarms,
    metricsNamespace: namespace,
    replication: { sourceBucketName: artifactsBucketName(platform, environment, region), rules: artifacts.replication!.rules },
    ledger: { tableName: ledgerTableName(platform, environment.name), receivingRegions: ledger.receivingRegions },
    functions: watched.map((fn) => ({ ...fn, deadLetterQueueName: `${fn.functionName}-dlq` })),
    queueNames: [stack.names.environmentScoped("events-dlq"), ...(databaseSync ? [databaseSync.eventsDeadLetterQueueName] : [])],
    canary: true,
    // The ledger canary reads a same-account replica, which a multi-account ledger does not have.
    canaryChannels: ledger.global ? CANARY_CHANNELS.filter((channel) => channel !== "dynamodb") : undefined,
    validator: true,
    snapshotCopies: snapshotCopy?.alarms,
  });

  // Outputs: the contract operators and other tooling rely on.
  const output = (id: string, value: string, description: string) => new TerraformOutput(stack, id, { value, description });
  output("ledger_table_arn", ledger.arn, `ARN of the ${environment.name} replication ledger (global table)`);
  if (ledger.streamArn !== undefined) output("ledger_stream_arn", ledger.streamArn, "Stream of the ledger, consumed by the stream processor");
  if (agent) output("agent_role_arn", agent.arn, `Role the other environments' validators and monitors assume to read ${environment.name}`);
  if (writer) output("config_writer_role_arn", writer.arn, `Role ${previous!.name}'s config mirror assumes to write ${configRoot(environment.name)}`);
  output("status_endpoint_url", validator.url.functionUrl, "Replication status endpoint: the validator's function URL (IAM auth, GET returns the latest report)");
  output("dashboard_url", monitoring.dashboard.url, `CloudWatch dashboard of the ${environment.name} replication fabric`);
  output("events_dead_letter_queue_url", deadLetterQueue.queue.url, "Dead-letter queue of every EventBridge target of this environment");
  if (centralBus) {
    output("central_bus_arn", centralBus.arn, "Central event bus that every environment forwards to");
    const overview = new OverviewDashboard(stack, "overview-dashboard", { platform, metricsNamespace: namespace });
    output("overview_dashboard_url", overview.url, "CloudWatch overview dashboard of every environment");
  }
}

/**
 * "Stack updated" from Terraform: the state account forwards every state write to the central bus
 * (`StateChangeForwarding`, in the state-bootstrap stack); there, one rule per environment stack
 * runs the validator of the stack's environment. Other accounts' validators let the central
 * account's invoker role call them. Terraform Cloud keeps state elsewhere, so then nothing is added.
 */
function addStackUpdateTriggers(stack: EnvironmentStack, validator: StatusEndpoint, centralBus: CentralBus | undefined, deadLetterQueue: EventsDeadLetterQueue): void {
  const { platform, environment, region } = stack;
  if (platform.terraformCloud) return;
  const operations = platform.environments.find((e) => e.name === platform.operationsEnvironment)!;
  const invokerRoleName = stateEventNames(platform.project).invokerRole;
  if (environment.name !== operations.name) {
    new LambdaPermission(stack, "stack-updates-invoke-validator", {
      statementId: "StackUpdatesFromCentralBus",
      action: "lambda:InvokeFunction",
      functionName: validator.function.name,
      principal: roleArn(operations.accountId, invokerRoleName),
    });
  }
  if (!centralBus) return;
  new StackUpdateRules(stack, "stack-updates", {
    busName: centralBus.name,
    stateBucketName: platform.stateBackend.bucket,
    deadLetterQueue,
    invokerRoleName,
    accountId: environment.accountId,
    namePrefix: `${platform.project}-${environment.name}`,
    stacks: platform.promotionOrder.flatMap((name) => {
      const env = platform.environments.find((e) => e.name === name)!;
      const local = name === environment.name;
      const functionArn = `arn:aws:lambda:${region}:${env.accountId}:function:${fabricNames(platform.project, name).configValidatorFunction}`;
      return [platform.drRegion, platform.primaryRegion].map((stackRegion) => {
        const stackName = environmentStackName(name, stackRegion);
        return { stackName, environment: name, stateKey: stateKey(platform.stateBackend, stackName), validator: local ? { local: validator.function } : { functionArn } };
      });
    }),
  });
}

/** CloudTrail-recorded calls that change replicated configuration, schemas of tables, or bucket replication. */
export const CONFIGURATION_API_CALLS = [
  "PutParameter",
  "DeleteParameter",
  "DeleteParameters",
  "LabelParameterVersion",
  "CreateTable",
  "UpdateTable",
  "DeleteTable",
  "UpdateTimeToLive",
  "PutBucketReplication",
  "DeleteBucketReplication",
  "PutBucketPolicy",
  "PutBucketEncryption",
] as const;
