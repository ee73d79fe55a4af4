import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import type { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsGlobalCluster } from "@cdktf/provider-aws/lib/rds-global-cluster";
import { Construct } from "constructs";
import type { DatabaseConfig } from "../config/types";
import { clusterParameterGroup, exportLogGroups, serverlessInstances, sharedClusterSettings } from "./cluster-parts";
import { ENGINE_TRAITS, MASTER_USERNAME } from "./engine";
import { GLOBAL_MEMBER_RDS_MANAGED_ATTRIBUTES } from "./global-member";
import { EphemeralRandomPassword, WriteOnlyMasterSecret } from "./master-password";

export interface AuroraDatabaseProps {
  readonly database: DatabaseConfig;
  /** e.g. `replica-prod-ledger`; also the prefix of the instance, parameter group and alarm names. */
  readonly clusterIdentifier: string;
  readonly subnetGroupName: string;
  readonly securityGroupIds: readonly string[];
  /** Zones to spread the instances over (the private subnets' zones). */
  readonly availabilityZones: readonly string[];
  /** The environment key: storage, Performance Insights, the master secret and the log groups. */
  readonly kmsKeyArn: string;
  /** Deletion protection, `prevent_destroy`, and a final snapshot on deletion. */
  readonly deletionProtection: boolean;
  readonly monitoringRoleArn?: string;
  /**
   * Make the cluster the primary of an Aurora global database with this identifier. Its master
   * password then comes from an ephemeral password through write-only arguments (see master-password.ts).
   */
  readonly global?: {
    readonly globalClusterIdentifier: string;
    /** Bump to rotate the master password. */
    readonly passwordVersion: number;
    /** Replicate the master secret into this region with this key. */
    readonly secretReplica: { readonly region: string; readonly kmsKeyArn: string };
  };
}

/**
 * One Aurora Serverless v2 cluster (PostgreSQL or MySQL) of an environment: encrypted, TLS-only,
 * IAM authentication on, logs exported to encrypted log groups, backups kept `backupRetentionDays`,
 * never publicly accessible, and a master password nobody (not even Terraform state) holds.
 *
 * @example
 * const db = new AuroraDatabase(this, "ledger", { database, clusterIdentifier: "replica-dev-ledger", subnetGroupName, securityGroupIds, availabilityZones, kmsKeyArn, deletionProtection: false });
 */
export class AuroraDatabase extends Construct {
  readonly cluster: RdsCluster;
  readonly instances: readonly RdsClusterInstance[];
  readonly globalCluster?: RdsGlobalCluster;
  /** ARN of the secret with the master user's `{"username","password"}`. */
  readonly masterSecretArn: string;
  /** The secret Terraform writes for a global database's master user (RDS manages it otherwise). */
  readonly writeOnlyMasterSecret?: WriteOnlyMasterSecret;
  readonly port: number;

  constructor(scope: Construct, id: string, props: AuroraDatabaseProps) {
    super(scope, id);
    const { database, clusterIdentifier, deletionProtection } = props;
    this.port = ENGINE_TRAITS[database.engine].port;
    const lifecycle = deletionProtection ? { preventDestroy: true } : undefined;
    const parameterGroup = clusterParameterGroup(this, "parameters", database, clusterIdentifier);
    const logGroups = exportLogGroups(this, "logs", database, clusterIdentifier, props.kmsKeyArn);

    let password: EphemeralRandomPassword | undefined;
    if (props.global) {
      this.globalCluster = new RdsGlobalCluster(this, "global", {
        globalClusterIdentifier: props.global.globalClusterIdentifier,
        engine: database.engine,
        engineVersion: database.engineVersion,
        databaseName: database.databaseName,
        storageEncrypted: true,
        deletionProtection,
        lifecycle,
      });
      password = new EphemeralRandomPassword(this, "master-password");
    }

    this.cluster = new RdsCluster(this, "cluster", {
      clusterIdentifier,
      engine: database.engine,
      engineVersion: database.engineVersion,
      engineMode: "provisioned",
      databaseName: database.databaseName,
      port: this.port,
      masterUsername: MASTER_USERNAME,
      ...(password
        ? { masterPasswordWo: password.value, masterPasswordWoVersion: props.global!.passwordVersion, globalClusterIdentifier: this.globalCluster!.id }
        : { manageMasterUserPassword: true, masterUserSecretKmsKeyId: props.kmsKeyArn }),
      ...sharedClusterSettings(database, { ...props, parameterGroupName: parameterGroup.name }, "primary"),
      deletionProtection,
      // Without deletion protection the environment is treated as disposable (dev by default): no
      // final snapshot, so `terraform destroy` leaves nothing behind. Protected clusters keep one.
      skipFinalSnapshot: !deletionProtection,
      finalSnapshotIdentifier: deletionProtection ? `${clusterIdentifier}-final` : undefined,
      applyImmediately: !deletionProtection,
      allowMajorVersionUpgrade: false,
      dependsOn: logGroups,
      // A global database's members change roles outside Terraform (switchover, failover): what RDS
      // then changes is ignored, so plan stays clean whichever region holds the writer.
      lifecycle: props.global ? { ...lifecycle, ignoreChanges: [...GLOBAL_MEMBER_RDS_MANAGED_ATTRIBUTES] } : lifecycle,
    });

    this.instances = serverlessInstances(this, "instance", {
      database,
      clusterIdentifier,
      clusterId: this.cluster.id,
      subnetGroupName: props.subnetGroupName,
      availabilityZones: props.availabilityZones,
      kmsKeyArn: props.kmsKeyArn,
      monitoringRoleArn: props.monitoringRoleArn,
      applyImmediately: !deletionProtection,
    });

    if (password && props.global) {
      const secret = new WriteOnlyMasterSecret(this, "master-secret", {
        name: `${clusterIdentifier}-master`,
        username: MASTER_USERNAME,
        password,
        version: props.global.passwordVersion,
        kmsKeyArn: props.kmsKeyArn,
        replica: props.global.secretReplica,
        dependsOn: [this.cluster],
        recoveryWindowInDays: deletionProtection ? 30 : 7,
      });
      this.masterSecretArn = secret.arn;
      this.writeOnlyMasterSecret = secret;
    } else {
      this.masterSecretArn = this.cluster.masterUserSecret.get(0).secretArn;
    }
  }
}
