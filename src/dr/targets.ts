import type { DatabaseConfig, EnvironmentConfig, PlatformConfig } from "../config/types";
import { globalDatabaseIdentifiers } from "../database/global-member";
import { roleArn } from "../naming";
import { namesOf } from "../network/names";

/** One member cluster of a global database, where the platform placed it. */
export interface MemberCluster {
  readonly region: string;
  readonly clusterIdentifier: string;
  readonly arn: string;
}

/** A global database of an environment as the DR commands operate it, all derived from the configuration. */
export interface GlobalDatabase {
  /** The database's configured name (`ledger`). */
  readonly name: string;
  readonly engine: DatabaseConfig["engine"];
  readonly globalClusterIdentifier: string;
  /** The cluster created in the primary region (`primaryRegion`). */
  readonly primary: MemberCluster;
  /** The cluster created in the DR region (`drRegion`). */
  readonly secondary: MemberCluster;
}

export interface DrEnvironment {
  readonly environment: EnvironmentConfig;
  /** The deployment role the commands assume in the environment's account. */
  readonly roleArn: string;
  readonly primaryRegion: string;
  readonly drRegion: string;
  readonly databases: readonly GlobalDatabase[];
}

export class DrTargetError extends Error {}

/** The environment's global databases (all of its databases when it has disaster recovery), or why there are none. */
export function drEnvironment(platform: PlatformConfig, environmentName: string): DrEnvironment {
  const environment = platform.environments.find((e) => e.name === environmentName);
  if (!environment) throw new DrTargetError(`unknown environment "${environmentName}" (known: ${platform.environments.map((e) => e.name).join(", ")})`);
  if (!environment.disasterRecovery) throw new DrTargetError(`${environment.name} has no disaster recovery (disasterRecovery is off), so it has no global databases to switch over`);
  if (environment.databases.length === 0) throw new DrTargetError(`${environment.name} has no databases`);
  const { primaryRegion, drRegion } = platform;
  const names = namesOf(platform, environment, primaryRegion);
  const member = (region: string, clusterIdentifier: string): MemberCluster => ({
    region,
    clusterIdentifier,
    arn: `arn:aws:rds:${region}:${environment.accountId}:cluster:${clusterIdentifier}`,
  });
  const databases = environment.databases.map((database) => {
    const clusterIdentifier = names.environmentScoped(database.name);
    const ids = globalDatabaseIdentifiers(clusterIdentifier, drRegion);
    return {
      name: database.name,
      engine: database.engine,
      globalClusterIdentifier: ids.globalClusterIdentifier,
      primary: member(primaryRegion, clusterIdentifier),
      secondary: member(drRegion, ids.secondaryClusterIdentifier),
    };
  });
  return { environment, roleArn: roleArn(environment.accountId, environment.deploymentRoleName), primaryRegion, drRegion, databases };
}

/** The databases a command applies to: the one named, or all of them. */
export function selectDatabases(target: DrEnvironment, databaseName: string | undefined): readonly GlobalDatabase[] {
  if (databaseName === undefined) return target.databases;
  const database = target.databases.find((d) => d.name === databaseName);
  if (!database) throw new DrTargetError(`${target.environment.name} has no database "${databaseName}" (known: ${target.databases.map((d) => d.name).join(", ")})`);
  return [database];
}

/** The member cluster in a region. */
export function memberIn(database: GlobalDatabase, region: string): MemberCluster {
  if (database.primary.region === region) return database.primary;
  if (database.secondary.region === region) return database.secondary;
  throw new DrTargetError(`${database.name} has no cluster in ${region} (its regions: ${database.primary.region}, ${database.secondary.region})`);
}
