import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { Fn, TerraformOutput } from "cdktf";
import type { DatabaseConfig, EnvironmentConfig } from "../config/types";
import { DatabaseAlarms } from "../database/alarms";
import { AuroraDatabase } from "../database/aurora-database";
import { ConnectionParameters } from "../database/connection-parameters";
import { DrRegionLookups } from "../database/dr-region";
import { globalDatabaseIdentifiers } from "../database/global-member";
import { DrRegionDatabaseAccess } from "../network/dr-region-database-access";
import { enginePort, MASTER_USERNAME } from "../database/engine";
import { MonitoringRole } from "../database/monitoring-role";
import { SecondaryCluster } from "../database/secondary-cluster";
import { ApplicationUserSecrets } from "../database/user-secrets";
import { VpcEndpoints, type VpcEndpointRequests } from "../network/endpoints";
import { VpcFlowLogs } from "../network/flow-logs";
import { namesOf, NetworkNames } from "../network/names";
import { NeighbourPeering } from "../network/peering";
import { PeerDatabaseAccess } from "../network/peer-database-access";
import { DataSecurityGroups } from "../network/security-groups";
import { VpcNetwork } from "../network/vpc-network";
import { SecretRotationFunction, type RotatedSecret } from "../secret-rotation/secret-rotation-function";
import type { EnvironmentStack } from "./environment-stack";

/** One Aurora cluster as the capabilities composed after the data tier see it. */
export interface DatabaseEndpoint {
  /** The database's configured short name (`ledger`). */
  readonly name: string;
  readonly engine: "aurora-postgresql" | "aurora-mysql";
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  /** Cluster resource id (`cluster-ABC...`), the resource of `rds-db:connect` for IAM database authentication. */
  readonly clusterResourceId: string;
  /**
   * Where to write: the cluster endpoint, or for a global database its global writer endpoint, which
   * RDS points at whichever member holds the writer (so a switchover needs no reconfiguration).
   */
  readonly writerEndpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  /** Name of the database created in the cluster. */
  readonly databaseName: string;
  /** Master user name (the password is only in the secret). */
  readonly masterUsername: string;
  /** Secrets Manager secret holding `{"username","password"}` of the master user, encrypted with `secretKmsKeyArn`. */
  readonly masterSecretArn: string;
  /** KMS key a reader of the secret needs `kms:Decrypt` on (through IAM; the key policy delegates to IAM). */
  readonly secretKmsKeyArn: string;
  /** SSM path prefix of the connection parameters, with trailing slash: `/app/<env>/db/<name>/`. */
  readonly parameterPath: string;
  /**
   * Secret ARN of each application user (`users` in the configuration), by user name; rotated, encrypted
   * with `secretKmsKeyArn`. @default {} (no application users)
   */
  readonly userSecretArns?: Readonly<Record<string, string>>;
  /** The Aurora global database and its secondary cluster in the DR region, when the environment has disaster recovery. */
  readonly global?: {
    readonly globalClusterIdentifier: string;
    /** The global writer endpoint (`aws_rds_global_cluster.endpoint`); also `writerEndpoint`. */
    readonly globalWriterEndpoint: string;
    readonly secondaryRegion: string;
    readonly secondaryClusterIdentifier: string;
    readonly secondaryClusterArn: string;
    readonly secondaryReaderEndpoint: string;
  };
}

/**
 * What the data tier of one environment stack offers the capabilities composed after it (the
 * replication fabric): the network to place functions in, and the databases to reach.
 */
export interface DataTier {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Private subnets, one per availability zone (no route to the internet; AWS through VPC endpoints). */
  readonly privateSubnetIds: readonly string[];
  readonly privateRouteTableIds: readonly string[];
  /** Availability zone of each private subnet, in the same order. */
  readonly availabilityZones: readonly string[];
  /** Security group for functions that talk to the databases: egress to them and the VPC endpoints only. */
  readonly lambdaSecurityGroupId: string;
  /** Security group of the Aurora clusters. */
  readonly databaseSecurityGroupId: string;
  /**
   * The VPC's endpoints. Interface endpoints exist only once something asks for them: a function in
   * the VPC declares its `awsServices`; anything else calls `endpoints.require(...)` (and
   * `endpoints.admit(...)` for a security group other than `lambda`). See docs/data-tier.md.
   */
  readonly endpoints: VpcEndpointRequests;
  /** Prefix lists of the S3 and DynamoDB gateway endpoints, for egress rules. */
  readonly gatewayPrefixListIds: { readonly s3: string; readonly dynamodb: string };
  /** VPC peering with the next environment in this region (created by this stack), if any. */
  readonly peeringConnectionIdToNext?: string;
  /**
   * Clusters whose writer lives in this stack's region: every database of the environment in the
   * primary-region stack, none in the DR-region stack (its secondaries are listed under `global`).
   */
  readonly databases: readonly DatabaseEndpoint[];
}

/**
 * Composes the network, peering and databases of one environment stack.
 *
 * Every stack (both regions) holds its region's VPC, endpoints, security groups, flow logs and the
 * peering towards the next environment. The primary-region stack holds the environment's clusters;
 * with disaster recovery also the global databases and, through `otherRegionProvider`, their
 * secondary clusters in the DR region, placed in the subnet group and security group that the
 * DR-region stack (deployed first) created. See docs/data-tier.md.
 */
export function addDataTier(stack: EnvironmentStack): DataTier {
  const { part, network, networkNames } = addNetwork(stack);
  const databases = addDatabases(stack, part, network, networkNames);
  const dataTier: DataTier = { ...part, databases };
  addOutputs(stack, dataTier);
  return dataTier;
}

type NetworkPart = Omit<DataTier, "databases">;

function databasePorts(environment: EnvironmentConfig): number[] {
  return environment.databases.map((d) => enginePort(d.engine));
}

function addNetwork(stack: EnvironmentStack): { part: NetworkPart; network: VpcNetwork; networkNames: NetworkNames } {
  const { platform, environment, region } = stack;
  const networkNames = new NetworkNames(stack.names);
  const cidr = environment.network.cidrs[region];
  const network = new VpcNetwork(stack, "network", {
    cidr,
    availabilityZoneCount: environment.network.availabilityZoneCount,
    names: networkNames,
  });
  const endpoints = new VpcEndpoints(stack, "endpoints", {
    vpcId: network.vpcId,
    vpcCidr: cidr,
    region,
    subnetIds: network.privateSubnetIds,
    routeTableIds: network.privateRouteTableIds,
    securityGroupName: networkNames.endpointSecurityGroup,
  });
  new VpcFlowLogs(stack, "flow-logs", {
    vpcId: network.vpcId,
    logGroupName: networkNames.flowLogGroup,
    roleName: stack.names.regionScoped("vpc-flow-logs"),
    kmsKeyArn: stack.key.arn,
    accountId: environment.accountId,
    region,
  });

  const gatewayPrefixListIds = { s3: endpoints.gateways.s3.prefixListId, dynamodb: endpoints.gateways.dynamodb.prefixListId };
  const groups = new DataSecurityGroups(stack, "security-groups", {
    vpcId: network.vpcId,
    lambdaGroupName: networkNames.lambdaSecurityGroup,
    databaseGroupName: networkNames.databaseSecurityGroup,
    databasePorts: databasePorts(environment),
    gatewayPrefixLists: gatewayPrefixListIds,
  });
  // The lambda group reaches the interface endpoints once the VPC has any.
  endpoints.admit("lambda", groups.lambda.id);

  let peeringConnectionIdToNext: string | undefined;
  if (stack.nextEnvironment && stack.nextProvider) {
    const next = stack.nextEnvironment;
    const peering = new NeighbourPeering(stack, "peering-next", {
      vpcId: network.vpcId,
      cidr,
      routeTableIds: network.privateRouteTableIds,
      name: stack.names.regionScoped(`to-${next.name}`),
      peer: {
        environment: next.name,
        accountId: next.accountId,
        cidr: next.network.cidrs[region],
        vpcName: new NetworkNames(namesOf(platform, next, region)).vpc,
        privateTier: networkNames.privateTier,
        provider: stack.nextProvider,
      },
    });
    peeringConnectionIdToNext = peering.accepter.vpcPeeringConnectionId;
    // Database traffic across the peering: group to group, and only where a side's configuration admits it.
    const nextNames = new NetworkNames(namesOf(platform, next, region));
    new PeerDatabaseAccess(stack, "peer-database-access", {
      requester: {
        environment: environment.name,
        accountId: environment.accountId,
        databasePorts: databasePorts(environment),
        admitsPeer: environment.network.peerDatabaseAccess,
        lambdaSecurityGroupId: groups.lambda.id,
        databaseSecurityGroupId: groups.database.id,
      },
      accepter: {
        environment: next.name,
        accountId: next.accountId,
        databasePorts: databasePorts(next),
        admitsPeer: next.network.peerDatabaseAccess,
        vpcId: peering.peerVpcId,
        lambdaSecurityGroupName: nextNames.lambdaSecurityGroup,
        databaseSecurityGroupName: nextNames.databaseSecurityGroup,
        provider: stack.nextProvider,
      },
      peering: peering.accepter,
    });
  }

  const part: NetworkPart = {
    vpcId: network.vpcId,
    vpcCidr: cidr,
    privateSubnetIds: network.privateSubnetIds,
    privateRouteTableIds: network.privateRouteTableIds,
    availabilityZones: network.privateSubnets.map((s) => s.availabilityZone),
    lambdaSecurityGroupId: groups.lambda.id,
    databaseSecurityGroupId: groups.database.id,
    endpoints,
    gatewayPrefixListIds,
    peeringConnectionIdToNext,
  };
  return { part, network, networkNames };
}

function addDatabases(stack: EnvironmentStack, part: NetworkPart, network: VpcNetwork, networkNames: NetworkNames): DatabaseEndpoint[] {
  const { platform, environment } = stack;
  const hostsClusters = stack.isPrimaryRegion || environment.disasterRecovery;
  if (environment.databases.length === 0 || !hostsClusters) return [];

  // Storage, Performance Insights and the RDS-managed secrets use the key through RDS and Secrets
  // Manager on behalf of the deploying principal (grants), so the key policy names no RDS service
  // principal. Readers of the secrets need kms:Decrypt in their own IAM policies: the key policy
  // delegates to IAM.
  const subnetGroup = new DbSubnetGroup(stack, "db-subnet-group", {
    name: networkNames.dbSubnetGroup,
    description: `Private subnets of ${environment.name} in ${stack.region} for Aurora`,
    subnetIds: [...part.privateSubnetIds],
  });
  // The DR-region stack only prepares the subnet group (and the security group, above) for the
  // secondary clusters that the primary-region stack creates.
  if (!stack.isPrimaryRegion) return [];

  const monitoringRole = environment.databases.some((d) => d.enhancedMonitoringInterval > 0)
    ? new MonitoringRole(stack, "rds-monitoring", { name: stack.names.regionScoped("rds-monitoring"), accountId: environment.accountId })
    : undefined;
  const dr = environment.disasterRecovery
    ? new DrRegionLookups(stack, "dr-region", {
        provider: stack.otherRegionProvider,
        names: new NetworkNames(namesOf(platform, environment, stack.otherRegion)),
        vpcCidr: environment.network.cidrs[stack.otherRegion],
        keyAlias: stack.names.keyAlias,
        availabilityZoneCount: environment.network.availabilityZoneCount,
      })
    : undefined;
  if (dr) {
    new TerraformOutput(stack, "dr_kms_key_arn", { value: dr.keyArn, description: `ARN of the ${environment.name} environment key in ${stack.otherRegion}, which encrypts the secondary clusters` });
    addDrRegionPeering(stack, part, network, networkNames, dr);
  }

  const rotated: RotatedSecret[] = [];
  const databases = environment.databases.map((database) => addDatabase(stack, database, { subnetGroup, network, part, monitoringRole, dr, rotated }));
  if (rotated.length > 0) {
    new SecretRotationFunction(stack, "secret-rotation", {
      functionName: stack.names.environmentScoped("secret-rotation"),
      accountId: environment.accountId,
      region: stack.region,
      kmsKeyArn: stack.key.arn,
      defaults: stack.functionDefaults,
      vpc: { subnetIds: part.privateSubnetIds, securityGroupIds: [part.lambdaSecurityGroupId], endpoints: part.endpoints },
      databases: databases.map((d) => ({ name: d.name, engine: d.engine, writerEndpoint: d.writerEndpoint, port: d.port, databaseName: d.databaseName, masterSecretArn: d.masterSecretArn })),
      secrets: rotated,
    });
  }
  return databases;
}

/**
 * Inter-region peering of the environment's primary and DR VPCs (same account), so the database
 * functions, which stay in the primary region next to the artifacts bucket that triggers them, reach
 * a global database's writer in either region through its global writer endpoint. Peering has no
 * hourly cost (interface endpoints or a second set of functions would); traffic is limited to the
 * database ports. See docs/disaster-recovery.md.
 */
function addDrRegionPeering(stack: EnvironmentStack, part: NetworkPart, network: VpcNetwork, networkNames: NetworkNames, dr: DrRegionLookups): void {
  const { platform, environment } = stack;
  const drCidr = environment.network.cidrs[stack.otherRegion];
  const peering = new NeighbourPeering(stack, "peering-dr", {
    vpcId: part.vpcId,
    cidr: part.vpcCidr,
    routeTableIds: part.privateRouteTableIds,
    name: stack.names.regionScoped(`to-${stack.otherRegion}`),
    peer: {
      environment: `${environment.name}-${stack.otherRegion}`,
      accountId: environment.accountId,
      cidr: drCidr,
      vpcName: new NetworkNames(namesOf(platform, environment, stack.otherRegion)).vpc,
      privateTier: networkNames.privateTier,
      provider: stack.otherRegionProvider,
      region: stack.otherRegion,
    },
  });
  new DrRegionDatabaseAccess(stack, "dr-region-database-access", {
    databasePorts: databasePorts(environment),
    lambdaSecurityGroupId: part.lambdaSecurityGroupId,
    functionSubnetCidrs: network.privateSubnets.map((s) => s.cidrBlock),
    drDatabaseSecurityGroupId: dr.databaseSecurityGroupId,
    drVpcCidr: drCidr,
    provider: stack.otherRegionProvider,
    peering: peering.accepter,
  });
}

interface DatabaseContext {
  readonly subnetGroup: DbSubnetGroup;
  readonly network: VpcNetwork;
  readonly part: NetworkPart;
  readonly monitoringRole?: MonitoringRole;
  readonly dr?: DrRegionLookups;
  /** Collects the secrets the environment's rotation function rotates. */
  readonly rotated: RotatedSecret[];
}

function addDatabase(stack: EnvironmentStack, database: DatabaseConfig, context: DatabaseContext): DatabaseEndpoint {
  const { platform, environment, names } = stack;
  const { dr } = context;
  const clusterIdentifier = names.environmentScoped(database.name);
  const globalIdentifiers = globalDatabaseIdentifiers(clusterIdentifier, stack.otherRegion);
  const deletionProtection = environment.deletionProtection;
  const aurora = new AuroraDatabase(stack, `database-${database.name}`, {
    database,
    clusterIdentifier,
    subnetGroupName: context.subnetGroup.name,
    securityGroupIds: [context.part.databaseSecurityGroupId],
    availabilityZones: context.network.privateSubnets.map((s) => s.availabilityZone),
    kmsKeyArn: stack.key.arn,
    deletionProtection,
    monitoringRoleArn: context.monitoringRole?.arn,
    global: dr
      ? {
          globalClusterIdentifier: globalIdentifiers.globalClusterIdentifier,
          passwordVersion: database.masterPasswordVersion,
          secretReplica: { region: stack.otherRegion, kmsKeyArn: dr.keyArn },
        }
      : undefined,
  });
  const userSecrets = new ApplicationUserSecrets(stack, `database-${database.name}-users`, {
    clusterIdentifier,
    users: database.users,
    kmsKeyArn: stack.key.arn,
    replica: dr ? { region: stack.otherRegion, kmsKeyArn: dr.keyArn } : undefined,
    recoveryWindowInDays: deletionProtection ? 30 : 7,
  });
  // Rotation needs the cluster's instances to log in to, and each secret's first version.
  const rotationBasics = { database: database.name, rotationDays: database.credentialRotationDays };
  if (aurora.writeOnlyMasterSecret) {
    // RDS cannot manage a global database's master password: the platform rotates it (single user).
    context.rotated.push({ ...rotationBasics, name: aurora.writeOnlyMasterSecret.secretName, arn: aurora.writeOnlyMasterSecret.arn, strategy: "single-user", user: MASTER_USERNAME, after: [...aurora.instances, aurora.writeOnlyMasterSecret.version] });
  }
  for (const { user, name, secret } of userSecrets.secrets) {
    context.rotated.push({ ...rotationBasics, name, arn: secret.arn, strategy: "alternating-users", user: user.name, grant: user.grant, after: [...aurora.instances, secret.version] });
  }
  const userSecretArns = Object.fromEntries(userSecrets.secrets.map(({ user, secret }) => [user.name, secret.arn]));
  const userParameters = (arns: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(arns).map(([user, arn]) => [`users/${user}/secret-arn`, arn]));

  new DatabaseAlarms(stack, `database-${database.name}-alarms`, {
    clusterIdentifier,
    thresholds: platform.alarms,
    topicArn: stack.alarmTopic.arn,
    hasReaders: database.instanceCount > 1,
    // After a switchover this cluster is the secondary: its lag is watched from then on.
    globalMember: dr ? { engine: database.engine } : undefined,
  });
  const parameterPath = `${names.parameterPrefix}/db/${database.name}/`;
  const port = String(aurora.port);
  // Clients of a global database write through the global writer endpoint, in either region.
  const globalWriterEndpoint = aurora.globalCluster?.endpoint;
  const writerEndpoint = globalWriterEndpoint ?? aurora.cluster.endpoint;
  const globalWriterParameter: Record<string, string> = globalWriterEndpoint ? { "global-writer-endpoint": globalWriterEndpoint } : {};
  new ConnectionParameters(stack, `database-${database.name}-parameters`, {
    path: parameterPath,
    subject: `${database.name} database of ${environment.name}`,
    values: {
      engine: database.engine,
      "cluster-identifier": clusterIdentifier,
      "writer-endpoint": writerEndpoint,
      ...globalWriterParameter,
      "reader-endpoint": aurora.cluster.readerEndpoint,
      port,
      "database-name": database.databaseName,
      username: MASTER_USERNAME,
      "secret-arn": aurora.masterSecretArn,
      ...userParameters(userSecretArns),
    },
  });

  let global: DatabaseEndpoint["global"];
  if (dr && aurora.globalCluster) {
    const secondaryIdentifier = globalIdentifiers.secondaryClusterIdentifier;
    const secondary = new SecondaryCluster(stack, `database-${database.name}-secondary`, {
      database,
      clusterIdentifier: secondaryIdentifier,
      globalClusterId: aurora.globalCluster.id,
      provider: stack.otherRegionProvider,
      subnetGroupName: dr.subnetGroupName,
      securityGroupIds: [dr.databaseSecurityGroupId],
      availabilityZones: dr.availabilityZones,
      kmsKeyArn: dr.keyArn,
      deletionProtection,
      monitoringRoleArn: context.monitoringRole?.arn,
      after: aurora.instances,
    });
    new DatabaseAlarms(stack, `database-${database.name}-secondary-alarms`, {
      clusterIdentifier: secondaryIdentifier,
      thresholds: platform.alarms,
      // The DR-region stack's alarm topic, by its deterministic name.
      topicArn: `arn:aws:sns:${stack.otherRegion}:${environment.accountId}:${names.environmentScoped("alarms")}`,
      hasReaders: database.instanceCount > 1,
      globalMember: { engine: database.engine },
      provider: stack.otherRegionProvider,
    });
    // A replica of a secret keeps the primary's name and suffix; only the region differs.
    const replicaSecretArn = Fn.replace(aurora.masterSecretArn, `:${stack.region}:`, `:${stack.otherRegion}:`);
    new ConnectionParameters(stack, `database-${database.name}-secondary-parameters`, {
      path: parameterPath,
      subject: `${database.name} database of ${environment.name} (secondary of the global database)`,
      provider: stack.otherRegionProvider,
      values: {
        engine: database.engine,
        "cluster-identifier": secondaryIdentifier,
        "global-cluster-identifier": aurora.globalCluster.globalClusterIdentifier,
        "writer-endpoint": writerEndpoint,
        ...globalWriterParameter,
        "reader-endpoint": secondary.cluster.readerEndpoint,
        port,
        "database-name": database.databaseName,
        username: MASTER_USERNAME,
        "secret-arn": replicaSecretArn,
        ...userParameters(Object.fromEntries(Object.entries(userSecretArns).map(([user, arn]) => [user, Fn.replace(arn, `:${stack.region}:`, `:${stack.otherRegion}:`)]))),
      },
    });
    global = {
      globalClusterIdentifier: aurora.globalCluster.globalClusterIdentifier,
      globalWriterEndpoint: aurora.globalCluster.endpoint,
      secondaryRegion: stack.otherRegion,
      secondaryClusterIdentifier: secondaryIdentifier,
      secondaryClusterArn: secondary.cluster.arn,
      secondaryReaderEndpoint: secondary.cluster.readerEndpoint,
    };
  }

  return {
    name: database.name,
    engine: database.engine,
    clusterIdentifier,
    clusterArn: aurora.cluster.arn,
    clusterResourceId: aurora.cluster.clusterResourceId,
    writerEndpoint,
    readerEndpoint: aurora.cluster.readerEndpoint,
    port: aurora.port,
    databaseName: database.databaseName,
    masterUsername: MASTER_USERNAME,
    masterSecretArn: aurora.masterSecretArn,
    secretKmsKeyArn: stack.key.arn,
    parameterPath,
    userSecretArns,
    global,
  };
}

function addOutputs(stack: EnvironmentStack, dataTier: DataTier): void {
  const where = `${stack.environment.name} in ${stack.region}`;
  new TerraformOutput(stack, "vpc_id", { value: dataTier.vpcId, description: `VPC of ${where}` });
  new TerraformOutput(stack, "private_subnet_ids", { value: dataTier.privateSubnetIds, description: `Private subnets of ${where}, one per availability zone` });
  new TerraformOutput(stack, "lambda_security_group_id", { value: dataTier.lambdaSecurityGroupId, description: `Security group for functions of ${where} that reach the databases` });
  new TerraformOutput(stack, "database_security_group_id", { value: dataTier.databaseSecurityGroupId, description: `Security group of the Aurora clusters of ${where}` });
  for (const db of dataTier.databases) {
    const output = (name: string, value: string | number, description: string) =>
      new TerraformOutput(stack, `db_${db.name}_${name}`, { value, description: `${description} of the ${db.name} cluster of ${stack.environment.name}` });
    output("cluster_identifier", db.clusterIdentifier, "Identifier");
    output("writer_endpoint", db.writerEndpoint, db.global ? "Writer endpoint (the global writer endpoint, wherever the writer is)" : "Writer endpoint");
    output("reader_endpoint", db.readerEndpoint, "Reader endpoint");
    output("port", db.port, "Port");
    output("secret_arn", db.masterSecretArn, "ARN of the master user secret");
    for (const [user, arn] of Object.entries(db.userSecretArns ?? {})) output(`user_${user}_secret_arn`, arn, `ARN of the secret of application user ${user}`);
    if (db.global) {
      output("global_writer_endpoint", db.global.globalWriterEndpoint, "Global writer endpoint (follows the writer across regions)");
      output("secondary_cluster_identifier", db.global.secondaryClusterIdentifier, `Identifier of the DR secondary (${db.global.secondaryRegion})`);
      output("secondary_reader_endpoint", db.global.secondaryReaderEndpoint, `Reader endpoint of the DR secondary (${db.global.secondaryRegion})`);
    }
  }
}
