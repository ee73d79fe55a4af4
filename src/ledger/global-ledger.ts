import type { EnvironmentConfig, PlatformConfig } from "../config/types";
import { fabricNames } from "../cross-account/trust-map";

/**
 * Where an environment's ledger is: its own table (`<project>-<env>-replication-ledger`), or, with
 * `ledgerGlobalTable.enabled`, its replica of the platform's one global table, which has the same
 * name in every account. Every function, role, alarm and validator input names the ledger through here.
 */
export function ledgerTableName(platform: PlatformConfig, environment: string): string {
  return platform.ledgerGlobalTable.enabled ? platform.ledgerGlobalTable.tableName : fabricNames(platform.project, environment).ledgerTable;
}

/** ARN of an environment's ledger table (or replica) in its primary region; known before it exists. */
export function ledgerTableArn(platform: PlatformConfig, environment: EnvironmentConfig): string {
  return `arn:aws:dynamodb:${platform.primaryRegion}:${environment.accountId}:table/${ledgerTableName(platform, environment.name)}`;
}

/** The environment whose table every replica is created from: the first of the promotion order. */
export function ledgerSourceEnvironment(platform: PlatformConfig): EnvironmentConfig {
  return environmentNamed(platform, platform.promotionOrder[0]);
}

/** The environments that hold a replica of the source, in promotion order. */
export function ledgerReplicaEnvironments(platform: PlatformConfig): EnvironmentConfig[] {
  return platform.promotionOrder.slice(1).map((name) => environmentNamed(platform, name));
}

/** Every member of the global table (source first) with its table ARN. */
export function ledgerMembers(platform: PlatformConfig): { readonly environment: EnvironmentConfig; readonly tableArn: string }[] {
  return platform.promotionOrder.map((name) => environmentNamed(platform, name)).map((environment) => ({ environment, tableArn: ledgerTableArn(platform, environment) }));
}

function environmentNamed(platform: PlatformConfig, name: string): EnvironmentConfig {
  const environment = platform.environments.find((e) => e.name === name);
  if (!environment) throw new Error(`promotionOrder names ${name}, which is not an environment`);
  return environment;
}
