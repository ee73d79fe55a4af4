import { TerraformOutput } from "cdktf";
import type { EnvironmentConfig } from "../config/types";
import { enginePort } from "../database/engine";
import { VpcEndpoints } from "../network/endpoints";
import { VpcFlowLogs } from "../network/flow-logs";
import { namesOf, NetworkNames } from "../network/names";
import { NeighbourPeering } from "../network/peering";
import { DataSecurityGroups, type PeerNetwork } from "../network/security-groups";
import { VpcNetwork } from "../network/vpc-network";
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
  /** The Aurora global database and its secondary cluster in the DR region, when the environment has disaster recovery. */
  readonly global?: {
    readonly globalClusterIdentifier: string;
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
  /** Security group for functions that talk to the databases: egress to them and the VPC endpoints only. */
  readonly lambdaSecurityGroupId: string;
  /** Security group of the Aurora clusters. */
  readonly databaseSecurityGroupId: string;
  /** Security group of the interface VPC endpoints. */
  readonly endpointSecurityGroupId: string;
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

/** Composes the network, peering and databases of one environment stack. */
export function addDataTier(stack: EnvironmentStack): DataTier {
  const network = addNetwork(stack);
  const dataTier: DataTier = { ...network, databases: [] };
  addOutputs(stack, dataTier);
  return dataTier;
}

type NetworkPart = Omit<DataTier, "databases">;

function databasePorts(environment: EnvironmentConfig): number[] {
  return environment.databases.map((d) => enginePort(d.engine));
}

function addNetwork(stack: EnvironmentStack): NetworkPart {
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

  const neighbours = [stack.previousEnvironment, stack.nextEnvironment].filter((e): e is EnvironmentConfig => e !== undefined);
  const peers: PeerNetwork[] = neighbours.map((neighbour) => ({
    environment: neighbour.name,
    cidr: neighbour.network.cidrs[region],
    databasePorts: databasePorts(neighbour),
  }));
  const gatewayPrefixListIds = { s3: endpoints.gateways.s3.prefixListId, dynamodb: endpoints.gateways.dynamodb.prefixListId };
  const groups = new DataSecurityGroups(stack, "security-groups", {
    vpcId: network.vpcId,
    lambdaGroupName: networkNames.lambdaSecurityGroup,
    databaseGroupName: networkNames.databaseSecurityGroup,
    databasePorts: databasePorts(environment),
    peers,
    endpointSecurityGroupId: endpoints.securityGroup.id,
    gatewayPrefixLists: gatewayPrefixListIds,
  });

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
  }

  return {
    vpcId: network.vpcId,
    vpcCidr: cidr,
    privateSubnetIds: network.privateSubnetIds,
    privateRouteTableIds: network.privateRouteTableIds,
    lambdaSecurityGroupId: groups.lambda.id,
    databaseSecurityGroupId: groups.database.id,
    endpointSecurityGroupId: endpoints.securityGroup.id,
    gatewayPrefixListIds,
    peeringConnectionIdToNext,
  };
}

function addOutputs(stack: EnvironmentStack, dataTier: DataTier): void {
  const where = `${stack.environment.name} in ${stack.region}`;
  new TerraformOutput(stack, "vpc_id", { value: dataTier.vpcId, description: `VPC of ${where}` });
  new TerraformOutput(stack, "private_subnet_ids", { value: dataTier.privateSubnetIds, description: `Private subnets of ${where}, one per availability zone` });
  new TerraformOutput(stack, "lambda_security_group_id", { value: dataTier.lambdaSecurityGroupId, description: `Security group for functions of ${where} that reach the databases` });
  new TerraformOutput(stack, "database_security_group_id", { value: dataTier.databaseSecurityGroupId, description: `Security group of the Aurora clusters of ${where}` });
}
