/**
 * The platform configuration model: what a user writes (after defaults are applied).
 *
 * The raw JSON is checked by `validate.ts`, which fills in every default documented here, so code
 * that receives a `PlatformConfig` can rely on every field being present and consistent.
 * The field reference for users is docs/configuration.md; keep the two in step.
 */

/** Database engines the platform can run, both as Aurora Serverless v2. */
export type DatabaseEngine = "aurora-postgresql" | "aurora-mysql";

/**
 * How an Aurora cluster's readers scale: `with-writer` keeps them at the writer's capacity (promotion
 * tiers 0 and 1), so a failover lands on a warm instance; `independent` lets them follow their own load
 * down to the floor (tiers 2 and up), so an idle reader costs the floor but a failover starts small.
 */
export type ReaderScaling = "with-writer" | "independent";

/** What an application user may do in its database. */
export type DatabaseGrantLevel = "read-only" | "read-write" | "owner";

/**
 * An application user of one database. Its credentials live in a secret of its own, encrypted with
 * the environment key and rotated with the alternating-users strategy (`<name>` and `<name>_clone`);
 * the rotation's first run creates the user with the grants of its level. See docs/data-tier.md.
 */
export interface DatabaseUserConfig {
  /** User name (lowercase letters, digits and `_`, 1 to 24 characters; `_clone` is added for the alternate). */
  readonly name: string;
  /** `read-only`: SELECT; `read-write`: SELECT, INSERT, UPDATE, DELETE; `owner`: every privilege on the database. */
  readonly grant: DatabaseGrantLevel;
}

/** One Aurora cluster of an environment. */
export interface DatabaseConfig {
  /** Short name, unique within the environment; used in resource names and SSM paths. */
  readonly name: string;
  /** The Aurora engine. */
  readonly engine: DatabaseEngine;
  /** Engine version. @default "16.6" for aurora-postgresql, "8.0.mysql_aurora.3.08.2" for aurora-mysql */
  readonly engineVersion: string;
  /** Name of the database created in the cluster. @default the database's `name` */
  readonly databaseName: string;
  /**
   * Serverless v2 minimum capacity in ACUs of the primary cluster's instances, writer and readers (0 to
   * 256, in steps of 0.5). 0 lets idle instances pause (automatic pause): only outside a global
   * database (`disasterRecovery` off) and on engine versions that support it. @default 0.5
   */
  readonly minCapacity: number;
  /** Serverless v2 maximum capacity in ACUs (1 to 256, in steps of 0.5), of the primary and the DR secondary. @default 1 */
  readonly maxCapacity: number;
  /**
   * Seconds without user connections before an instance at 0 ACUs pauses (300 to 86400); only with
   * `minCapacity` 0. @default 300 when minCapacity is 0, otherwise not set
   */
  readonly secondsUntilAutoPause?: number;
  /**
   * Minimum capacity in ACUs of the DR secondary cluster (0.5 to 256, in steps of 0.5; a global
   * database cannot pause); only with `disasterRecovery`. @default the database's `minCapacity`
   */
  readonly secondaryMinCapacity: number;
  /** Whether readers keep the writer's capacity or scale on their own load. @default "with-writer" */
  readonly readerScaling: ReaderScaling;
  /** Number of instances (writer plus readers), spread across availability zones. @default 2 */
  readonly instanceCount: number;
  /** Days of automated backups kept (1 to 35). @default 7 */
  readonly backupRetentionDays: number;
  /**
   * Turns on Performance Insights (encrypted with the environment key).
   * @default true in the last environment of the promotion order (production), false elsewhere
   */
  readonly performanceInsights: boolean;
  /**
   * Enhanced monitoring interval in seconds; 0 turns it off. One of 0, 1, 5, 10, 15, 30, 60.
   * @default 60 in the last environment of the promotion order (production), 0 (off) elsewhere
   */
  readonly enhancedMonitoringInterval: number;
  /**
   * Version of the master password of a global database (disaster recovery), where RDS cannot manage
   * the password; raise it by one to rotate the password and its secret. Ignored otherwise. @default 1
   */
  readonly masterPasswordVersion: number;
  /**
   * Lets schema sync apply a migration file whose version is below the last applied one (a late
   * file) instead of refusing it. Off, a late file stops the database's migrations until it is
   * renamed to a higher version. @default false
   */
  readonly allowOutOfOrderMigrations: boolean;
  /**
   * Days between rotations of the credentials the platform rotates itself: the master secret of a
   * global database and every application user's secret (1 to 365). @default 30
   */
  readonly credentialRotationDays: number;
  /** Application users, each with its own rotated secret. @default [] */
  readonly users: readonly DatabaseUserConfig[];
  /**
   * Managed recovery point objective of an Aurora PostgreSQL global database, in seconds
   * (`rds.global_db_rpo`, 20 or more): the writer holds commits back when no secondary is within this
   * lag, so a failover loses at most this much. Only in an environment with `disasterRecovery`.
   * @default undefined (no managed RPO: commits never wait for the secondary; the RPO lag is only alarmed on)
   */
  readonly managedRpoSeconds?: number;
}

/** Networking of an environment: one VPC per region. */
export interface NetworkConfig {
  /** VPC CIDR per region; both the primary and the DR region need one, and no two may overlap. */
  readonly cidrs: Readonly<Record<string, string>>;
  /** Availability zones used for private subnets (2 to 3). @default 2 */
  readonly availabilityZoneCount: number;
  /**
   * Lets the neighbouring environments' database functions (their `lambda` security group, over VPC
   * peering) reach this environment's database ports. Nothing else in a peered VPC ever may.
   * @default false (no other environment reaches this environment's databases)
   */
  readonly peerDatabaseAccess: boolean;
}

/** Default encryption of an environment's artifact buckets: its KMS key (SSE-KMS) or S3-managed keys (SSE-S3). */
export type ArtifactEncryption = "aws:kms" | "AES256";

/** The artifacts bucket of an environment and what it promotes into the next environment. */
export interface ArtifactsConfig {
  /** Default encryption of the artifacts bucket and its DR copy. @default "aws:kms" (the environment key) */
  readonly encryption: ArtifactEncryption;
  /** Key prefix whose objects replicate into the next environment's artifacts bucket; ends with "/". @default "promote/" */
  readonly promotionPrefix: string;
}

/** What a source deletion does to the mirrored parameter in the next environment. */
export type ConfigMirrorDeletePolicy = "record" | "delete";

/** Mirroring of this environment's `/app/<env>/config/` parameters into the next environment. */
export interface ConfigMirrorConfig {
  /** Keys (relative to `/app/<env>/config/`) to mirror; a trailing "/" is a prefix, `*` and `**` are globs. @default [] (every key) */
  readonly allowPatterns: readonly string[];
  /** Keys never mirrored, overwritten or deleted (environment-specific settings); deny wins over allow. @default [] */
  readonly denyPatterns: readonly string[];
  /** EventBridge schedule of the full reconcile that repairs missed change events. @default "rate(15 minutes)" */
  readonly reconcileSchedule: string;
  /** "record" keeps the target parameter and writes a ledger item; "delete" deletes it too. @default "record" */
  readonly deletePolicy: ConfigMirrorDeletePolicy;
}

/** One AWS account of the promotion chain. */
export interface EnvironmentConfig {
  /** Environment name (lowercase letters and digits, 2 to 10 characters), e.g. `dev`. */
  readonly name: string;
  /** The 12-digit AWS account ID the environment lives in. */
  readonly accountId: string;
  /** Name of the IAM role that deployments assume in this account. @default the top-level `deploymentRoleName` */
  readonly deploymentRoleName: string;
  /** The environment's VPCs. */
  readonly network: NetworkConfig;
  /** The environment's Aurora clusters. @default [] */
  readonly databases: readonly DatabaseConfig[];
  /**
   * Deletion protection on databases, tables and keys, and `prevent_destroy` in Terraform.
   * @default true for the last environment of the promotion order (production), false otherwise
   */
  readonly deletionProtection: boolean;
  /**
   * Disaster recovery in the DR region: Aurora global databases with a secondary cluster there.
   * @default true for the last environment of the promotion order, false otherwise
   */
  readonly disasterRecovery: boolean;
  /** The artifacts bucket: encryption and promotion prefix. @default { encryption: "aws:kms", promotionPrefix: "promote/" } */
  readonly artifacts: ArtifactsConfig;
  /** Parameter mirroring into the next environment (ignored for the last environment). @default mirror every key, reconcile every 15 minutes, record deletions */
  readonly configMirror: ConfigMirrorConfig;
  /** The edge and application tier (docs/edge-tier.md): CloudFront in front of an application in both regions. @default off (no edge or compute resource, no public subnet) */
  readonly edgeTier?: EdgeTierConfig;
  /** Plain RDS DB instances whose snapshots are copied into `snapshots.destinations`. @default [] */
  readonly snapshotInstances: readonly SnapshotInstanceConfig[];
  /** A copy of every database's newest snapshot copy in another environment's account (in the DR region). @default none */
  readonly snapshotAccountCopy?: SnapshotAccountCopyConfig;
}

/** CloudFront price classes: the edge locations a distribution uses. */
export type PriceClass = "PriceClass_100" | "PriceClass_200" | "PriceClass_All";

/** TLS between CloudFront and one region's load balancer: a name that resolves to the load balancer, and its certificate. */
export interface OriginTlsConfig {
  /** DNS name CloudFront connects to (a CNAME or alias record of the load balancer that the user creates), e.g. `origin-us-east-1.example.com`. */
  readonly domainName: string;
  /** ARN of the ACM certificate for `domainName`, in that region. */
  readonly certificateArn: string;
}

/**
 * The edge and application tier of an environment: an Auto Scaling group behind an Application Load
 * Balancer in both regions, and a CloudFront distribution whose origins fail over from the primary
 * region to the DR region. See docs/edge-tier.md.
 */
export interface EdgeTierConfig {
  /** EC2 instance type of the application instances. @default "t3.micro" */
  readonly instanceType: string;
  /**
   * AMI per region (both regions when set). @default the latest Amazon Linux 2023 AMI for the instance
   * type's architecture, resolved by EC2 at each launch from the public SSM parameter
   */
  readonly amiIds?: Readonly<Record<string, string>>;
  /** Smallest number of instances per region. @default 2 */
  readonly minSize: number;
  /** Largest number of instances per region (at least `minSize`). @default 4 */
  readonly maxSize: number;
  /** Instances per region at deployment (between `minSize` and `maxSize`). @default `minSize` */
  readonly desiredCapacity: number;
  /** Port the application listens on (instances). @default 8080 */
  readonly applicationPort: number;
  /** Path of the load balancer's health check; it must answer 200-399. @default "/health" */
  readonly healthCheckPath: string;
  /** Size of each instance's root volume (encrypted gp3), in GiB (8 to 1024). @default 20 */
  readonly rootVolumeGiB: number;
  /** Key prefix of the artifacts bucket the instances may read (their release bundles); ends with "/". @default "app/" */
  readonly artifactsPrefix: string;
  /** Days the application's log group keeps logs. One of CloudWatch Logs' retention values. @default 30 */
  readonly logRetentionDays: number;
  /** CloudFront price class. @default "PriceClass_100" (North America and Europe) */
  readonly priceClass: PriceClass;
  /** ARN of a WAFv2 web ACL of scope CLOUDFRONT (us-east-1) to attach to the distribution. @default none */
  readonly webAclArn?: string;
  /** Custom domain names (aliases) of the distribution; needs `certificateArn`. @default [] (the distribution's cloudfront.net name only) */
  readonly domainNames: readonly string[];
  /** ACM certificate for `domainNames`, in us-east-1 (CloudFront only uses certificates there). @default none */
  readonly certificateArn?: string;
  /**
   * HTTPS from CloudFront to the load balancers, per region (both regions when set). Without it the
   * load balancers listen on HTTP only, which CloudFront reaches over the AWS network (docs/edge-tier.md).
   * @default none (HTTP to the origins)
   */
  readonly originTls?: Readonly<Record<string, OriginTlsConfig>>;
  /** Raise by one to replace the secret origin header value (CloudFront and both load balancers change in one apply). @default 1 */
  readonly originSecretVersion: number;
}

/** Remote Terraform state in S3, locked with S3 lock files (`use_lockfile`). */
export interface S3StateConfig {
  /** Account that holds the state bucket and its key. @default the operations environment's account */
  readonly accountId: string;
  /** Region of the state bucket and its key. @default the primary region */
  readonly region: string;
  /** State bucket name. @default "<project>-tfstate-<accountId>" */
  readonly bucket: string;
  /** Role assumed in the state account to read and write state. @default "<project>-terraform-state" */
  readonly roleName: string;
  /** Prefix of every stack's state key. @default "<project>" */
  readonly keyPrefix: string;
  /**
   * Whether the bootstrap group (`state-bootstrap`, `bootstrap-*`) has been applied once with local state;
   * when true those stacks keep their state in the state bucket too (see docs/deployment.md). @default false
   */
  readonly bootstrapped: boolean;
}

/** Terraform Cloud as the state backend instead of S3: one workspace per stack. */
export interface TerraformCloudConfig {
  /** Terraform Cloud (or Enterprise) organization. */
  readonly organization: string;
  /** Hostname of Terraform Cloud or of a Terraform Enterprise installation. @default "app.terraform.io" */
  readonly hostname: string;
  /** Prefix of the workspace names; each stack's workspace is `<prefix><stack name>`. @default "<project>-" */
  readonly workspacePrefix: string;
}

/** Alarm thresholds shared by all environments. */
export interface AlarmConfig {
  /** Aurora CPU utilisation, percent, sustained for 5 minutes. @default 80 */
  readonly cpuUtilizationPercent: number;
  /** `AuroraReplicaLag` in milliseconds. @default 1000 */
  readonly replicaLagMs: number;
  /** `AuroraGlobalDBReplicationLag` in milliseconds. @default 5000 */
  readonly globalReplicationLagMs: number;
  /**
   * `AuroraGlobalDBRPOLag` (Aurora PostgreSQL global databases) in milliseconds: the data a failover
   * would lose. @default 30000
   */
  readonly globalRpoLagMs: number;
  /** Low `FreeableMemory`, in MiB. @default 256 */
  readonly freeableMemoryMiB: number;
  /** `DatabaseConnections` above this count. @default 500 */
  readonly maxConnections: number;
  /** DynamoDB global table `ReplicationLatency`, in milliseconds. @default 1000 */
  readonly dynamoReplicationLatencyMs: number;
  /** S3 replication latency, in seconds (Replication Time Control promises 900). @default 900 */
  readonly s3ReplicationLatencySeconds: number;
  /** Replication lag measured by the replication canaries (`ReplicationLagSeconds`), in seconds, per channel. @default 60 */
  readonly canaryLagSeconds: number;
}

/** A region the snapshot copies are kept in. */
export interface SnapshotDestinationConfig {
  /** An AWS region other than the primary region. The DR region uses the environment's DR key; any other region gets its own key. */
  readonly region: string;
  /**
   * Hours after which the newest copy of a database in this region is overdue and alarms (the
   * recovery point objective). @default 24 + the schedule's period + 6 (automated mode) or twice the period + 6 (manual mode); 54 for a daily schedule
   */
  readonly maxCopyAgeHours?: number;
}

/** Scheduled cross-region snapshot copies. */
export interface SnapshotConfig {
  /** EventBridge schedule expression of the copy job. @default "cron(0 5 * * ? *)" */
  readonly schedule: string;
  /** Days a copy (and a manual snapshot the copy job took) is kept; the newest available one is always kept. @default 14 */
  readonly retentionDays: number;
  /** Regions the copies are kept in. @default [{ region: <drRegion> }] */
  readonly destinations: readonly SnapshotDestinationConfig[];
}

/**
 * Copies into another environment's account: the newest copy of each database in the DR region is
 * shared with that account and copied there under its DR-region key, by a role its stack creates.
 */
export interface SnapshotAccountCopyConfig {
  /** The environment (in another account) that keeps the copies, e.g. a backup environment or the next one. */
  readonly environment: string;
  /** Recovery point objective of the copies there, in hours. @default as for the DR region */
  readonly maxCopyAgeHours?: number;
}

/** How the copy job gets the snapshot it copies. */
export type SnapshotMode = "automated" | "manual";

/** A plain RDS DB instance (not managed by the platform) whose snapshots are copied like the environment's Aurora clusters'. */
export interface SnapshotInstanceConfig {
  /** Short name, unique among the environment's databases and instances: ledger subject and alarm dimension. */
  readonly name: string;
  /** The DB instance identifier in the primary region (lowercase letters, digits, single hyphens, at most 63). */
  readonly instanceIdentifier: string;
  /**
   * "automated" copies the newest automated snapshot; "manual" takes a manual snapshot first (at most
   * once per half schedule period) and copies it in a later run, once RDS reports it available. @default "automated"
   */
  readonly mode: SnapshotMode;
  /**
   * ARN of the customer-managed KMS key that encrypts the instance, when it is not the environment's
   * key: the copy function's role may then create RDS grants on it. @default none (the environment key, or the AWS managed aws/rds key, which needs no grant)
   */
  readonly kmsKeyArn?: string;
}

/** Defaults for every Lambda function of the platform. */
export interface LambdaConfig {
  /** Memory in MB (128 to 10240). @default 256 */
  readonly memoryMb: number;
  /** Days function logs are kept. One of CloudWatch Logs' retention values. @default 30 */
  readonly logRetentionDays: number;
  /**
   * Reserved concurrency per function (1 to 1000). A new account's concurrency quota (often 10) leaves
   * no room for reservations (AWS keeps 100 unreserved), so reserving fails the first apply there.
   * @default not reserved: functions share the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
}

/** Who may call the status endpoints (the validators' function URLs) from the operations account. */
export interface StatusEndpointConfig {
  /**
   * Names of IAM roles in the operations environment's account that may call every other
   * environment's status endpoint; each function's resource policy names exactly these role ARNs.
   * @default [] (no cross-account caller: the endpoint is callable only from its own account)
   */
  readonly callerRoleNames: readonly string[];
}

/**
 * One replication ledger for the whole platform: a DynamoDB multi-account global table whose source
 * is the first environment of the promotion order and whose replicas live in every other
 * environment's account (docs/replication-fabric.md, "Multi-account ledger").
 */
export interface LedgerGlobalTableConfig {
  /**
   * Replaces the per-account ledger tables (each with a DR-region replica) by one global table.
   * @default false (each environment keeps its own ledger table, replicated into its DR region)
   */
  readonly enabled: boolean;
  /** Name of the table in every account (replicas share the source's name). @default "<project>-replication-ledger" */
  readonly tableName: string;
}

/** A value of an application setting: written in the configuration, or read from a secret at deploy. */
export type AppSettingValue =
  | { readonly kind: "plain"; readonly value: string }
  | {
      readonly kind: "secret";
      /** Secrets Manager secret (in the environment's own account and primary region) whose string is the value. */
      readonly secretArn: string;
      /** Raise by one to copy the secret's current value again (Terraform cannot see a write-only value change). @default 1 */
      readonly version: number;
    };

/** One application setting, created as `/app/<env>/config/<key>`. */
export interface AppSettingConfig {
  /** Path below `/app/<env>/config/` (letters, digits, `_ . -`, segments separated by `/`). */
  readonly key: string;
  /** SecureString encrypted with the environment key (the value must come from a secret), or String. @default false */
  readonly secure: boolean;
  /** The value of the first environment, mirrored down the promotion order. */
  readonly value: AppSettingValue;
  /** Values of later environments that differ; each stays local to its environment. @default {} */
  readonly overrides: Readonly<Record<string, AppSettingValue>>;
}

/** Application settings the platform creates under `/app/<first env>/config/` (docs/configuration.md). */
export interface AppConfigConfig {
  /** @default [] */
  readonly settings: readonly AppSettingConfig[];
}

/** How the disaster-recovery commands (`npm run dr`) operate the global databases. */
export interface DisasterRecoveryConfig {
  /**
   * Largest `AuroraGlobalDBReplicationLag` of the secondary, in seconds, at which `npm run dr --
   * switchover` or `failover` proceeds without `--force` (for a failover, about the data it would lose).
   * @default 10
   */
  readonly maxSwitchoverLagSeconds: number;
  /** Scheduled restore drills of the DR-region snapshot copies. */
  readonly restoreDrill: RestoreDrillConfig;
}

/** Restore drills: the newest DR-region snapshot copy of each database restored, verified and deleted. */
export interface RestoreDrillConfig {
  /**
   * Environments whose databases are drilled (each needs `disasterRecovery`).
   * @default the last environment of the promotion order, when it has disasterRecovery; else none
   */
  readonly environments: readonly string[];
  /** When drills start (EventBridge schedule). @default "cron(0 6 2 * ? *)" (monthly, the 2nd at 06:00 UTC, after the day's snapshot copies) */
  readonly schedule: string;
  /** Recovery time objective: a restore (until the instance is available) slower than this alarms. @default 60 */
  readonly rtoMinutes: number;
  /** A drill not finished after this many minutes is abandoned, recorded as timed out, and torn down. @default 180 */
  readonly maxMinutes: number;
}

/** The whole platform. */
export interface PlatformConfig {
  /** Short project name used as the prefix of every resource name (lowercase, 2 to 12 characters). @default "replica" */
  readonly project: string;
  /** Region that runs the primary databases and most of the platform. @default "us-east-1" */
  readonly primaryRegion: string;
  /** Disaster-recovery region: replicas of buckets, tables and global databases. @default "eu-west-1" */
  readonly drRegion: string;
  /** The environments, in any order. */
  readonly environments: readonly EnvironmentConfig[];
  /** Environment names in promotion order; each change flows from one to the next. */
  readonly promotionOrder: readonly string[];
  /** Environment that hosts the central event bus and overview dashboard. @default the last environment of the promotion order */
  readonly operationsEnvironment: string;
  /** Name of the IAM role that deployments assume in each account. @default "PlatformDeployment" */
  readonly deploymentRoleName: string;
  /**
   * Principals allowed to deploy: IAM role ARNs, or ARN patterns with `*` and `?` (an SSO permission set
   * is `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/` + `*` + `/AWSReservedSSO_<Set>_*`). Only they may
   * assume the deployment roles and the state role. Required; no default, so nobody is trusted by accident.
   */
  readonly deployers: readonly string[];
  /** Tags on every resource, on top of `Project`, `Environment` and `ManagedBy` which the platform sets. @default {} */
  readonly tags: Readonly<Record<string, string>>;
  /** S3 state backend; ignored for the environment stacks when `terraformCloud` is set. */
  readonly stateBackend: S3StateConfig;
  /** Terraform Cloud backend; when set, every environment stack uses it. @default not set */
  readonly terraformCloud?: TerraformCloudConfig;
  /** Alarm thresholds. */
  readonly alarms: AlarmConfig;
  /** Snapshot copy schedule and retention. */
  readonly snapshots: SnapshotConfig;
  /** Lambda defaults. */
  readonly lambda: LambdaConfig;
  /** E-mail addresses subscribed to every environment's alarm topic. @default [] */
  readonly alarmEmails: readonly string[];
  /** Cross-account callers of the status endpoints. @default { callerRoleNames: [] } */
  readonly statusEndpoint: StatusEndpointConfig;
  /** The ledger as one multi-account global table. @default { enabled: false, tableName: "<project>-replication-ledger" } */
  readonly ledgerGlobalTable: LedgerGlobalTableConfig;
  /** Application settings mirrored along the promotion order. @default { settings: [] } */
  readonly appConfig: AppConfigConfig;
  /** Settings of the disaster-recovery commands. @default { maxSwitchoverLagSeconds: 10 } */
  readonly disasterRecovery: DisasterRecoveryConfig;
}
