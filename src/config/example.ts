/**
 * The built-in example platform, used when PLATFORM_CONFIG is not set: three environments in three
 * accounts, promoted dev → staging → prod, each with one Aurora PostgreSQL and one Aurora MySQL
 * cluster. The account IDs are documentation placeholders, not real accounts.
 *
 * It is written in the same raw form as a user's JSON file and goes through the same validation.
 */
export const EXAMPLE_CONFIG = {
  project: "replica",
  primaryRegion: "us-east-1",
  drRegion: "eu-west-1",
  promotionOrder: ["dev", "staging", "prod"],
  deploymentRoleName: "PlatformDeployment",
  // Placeholders in the placeholder accounts: CI's OIDC role in the operations account and the operators' SSO permission set.
  deployers: [
    "arn:aws:iam::333333333333:role/github-actions-deploy",
    "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_PlatformAdmin_*",
  ],
  tags: { CostCenter: "platform", Owner: "platform-team" },
  environments: [
    exampleEnvironment("dev", "111111111111", 10),
    exampleEnvironment("staging", "222222222222", 20),
    // Production serves the application through CloudFront, failing over from us-east-1 to eu-west-1 (docs/edge-tier.md).
    { ...exampleEnvironment("prod", "333333333333", 30), edgeTier: { instanceType: "t3.small", minSize: 2, maxSize: 4 } },
  ],
  stateBackend: { accountId: "333333333333", region: "us-east-1" },
  alarms: { cpuUtilizationPercent: 80, replicaLagMs: 1000, dynamoReplicationLatencyMs: 1000 },
  snapshots: { schedule: "cron(0 5 * * ? *)", retentionDays: 14 },
  alarmEmails: ["platform-alerts@example.com"],
  // One ledger for the three accounts: dev's table is the source, staging and prod hold replicas.
  ledgerGlobalTable: { enabled: true },
  // Application settings: created under /app/dev/config/ and mirrored to staging and prod, except
  // where an environment overrides them (secure settings: docs/configuration.md, appConfig).
  appConfig: {
    settings: {
      "service/log-level": { value: "debug", overrides: { prod: "warn" } },
      "service/region": "us-east-1",
      "feature/new-checkout": { value: "on", overrides: { prod: "off" } },
    },
  },
};

/** One environment: its VPCs take 10.<n>.0.0/16 in the primary region and 10.<n+1>.0.0/16 in the DR region. */
function exampleEnvironment(name: string, accountId: string, secondOctet: number) {
  return {
    name,
    accountId,
    network: { cidrs: { "us-east-1": `10.${secondOctet}.0.0/16`, "eu-west-1": `10.${secondOctet + 1}.0.0/16` } },
    databases: [
      { name: "ledger", engine: "aurora-postgresql", engineVersion: "16.6", minCapacity: 0.5, maxCapacity: 1 },
      { name: "catalog", engine: "aurora-mysql", engineVersion: "8.0.mysql_aurora.3.08.2", minCapacity: 0.5, maxCapacity: 1 },
    ],
  };
}
