import { readAppConfig } from "./app-config";
import { readEdgeTier } from "./edge-tier";
import { overlaps, parseCidr, type Ipv4Block } from "./cidr";
import {
  childPath,
  closest,
  indexPath,
  Problems,
  readArray,
  readBoolean,
  readNumber,
  readObject,
  readString,
  readStringMap,
  required,
} from "./reader";
import { readCapacity } from "./capacity";
import { readRegion } from "./regions";
import { checkSnapshotAccountCopies, readSnapshotAccountCopy, readSnapshotInstances, readSnapshots } from "./snapshots";
import type {
  DisasterRecoveryConfig,
  RestoreDrillConfig,
  AlarmConfig,
  ArtifactEncryption,
  ArtifactsConfig,
  ConfigMirrorConfig,
  ConfigMirrorDeletePolicy,
  DatabaseConfig,
  DatabaseEngine,
  DatabaseGrantLevel,
  DatabaseUserConfig,
  EnvironmentConfig,
  LambdaConfig,
  LedgerGlobalTableConfig,
  NetworkConfig,
  PlatformConfig,
  S3StateConfig,
  StatusEndpointConfig,
  TerraformCloudConfig,
} from "./types";

/** Thrown when the configuration is invalid; `problems` holds one line per problem, each with its path. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid platform configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((line) => `  - ${line}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const ACCOUNT_ID = { pattern: /^\d{12}$/, patternMessage: "must be 12 digits" };
const ENVIRONMENT_NAME = { pattern: /^[a-z][a-z0-9]{1,9}$/, patternMessage: "must be 2 to 10 lowercase letters or digits, starting with a letter" };
const IAM_NAME = { pattern: /^[\w+=,.@-]{1,64}$/, patternMessage: "must be a valid IAM role name (up to 64 letters, digits and +=,.@_-)" };

export const DEFAULT_ENGINE_VERSIONS: Readonly<Record<DatabaseEngine, string>> = {
  "aurora-postgresql": "16.6",
  "aurora-mysql": "8.0.mysql_aurora.3.08.2",
};

/** Retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Tag keys the platform sets itself on every resource. */
export const PLATFORM_TAG_KEYS = ["Project", "Environment", "ManagedBy"] as const;

/**
 * Checks raw configuration JSON and returns it with every default applied.
 * @throws ConfigError listing every problem found, each with its path.
 */
export function validateConfig(raw: unknown): PlatformConfig {
  const p = new Problems();
  const config = readPlatform(p, raw);
  if (p.list.length > 0 || !config) throw new ConfigError(p.list.length > 0 ? p.list : ["(root): must be a JSON object"]);
  return config;
}

const PLATFORM_FIELDS = [
  "project", "primaryRegion", "drRegion", "environments", "promotionOrder", "operationsEnvironment",
  "deploymentRoleName", "deployers", "tags", "stateBackend", "terraformCloud", "alarms", "snapshots", "lambda", "alarmEmails",
  "statusEndpoint", "ledgerGlobalTable", "appConfig", "disasterRecovery",
];

function readPlatform(p: Problems, raw: unknown): PlatformConfig | undefined {
  const root = readObject(p, "", raw, PLATFORM_FIELDS);
  if (!root) {
    if (raw === undefined) p.add("", "must be a JSON object");
    return undefined;
  }
  const project = readString(p, "project", root.project, { pattern: /^[a-z][a-z0-9-]{1,11}$/, patternMessage: "must be 2 to 12 lowercase letters, digits or hyphens, starting with a letter" }) ?? "replica";
  // A region the user wrote but that cannot be read is undefined, not the default: checks that depend on
  // it are skipped, so a typo gives one problem at its own path instead of several about a region never written.
  const primaryRegion = root.primaryRegion === undefined ? "us-east-1" : readRegion(p, "primaryRegion", root.primaryRegion);
  const drRegion = root.drRegion === undefined ? "eu-west-1" : readRegion(p, "drRegion", root.drRegion);
  if (primaryRegion !== undefined && primaryRegion === drRegion) p.add("drRegion", `must differ from primaryRegion (both are ${drRegion}); a DR copy in the same region protects against nothing`);
  const regions = primaryRegion !== undefined && drRegion !== undefined ? [primaryRegion, drRegion] : undefined;

  const promotionOrder = readPromotionOrder(p, root.promotionOrder);
  const productionName = promotionOrder?.[promotionOrder.length - 1];
  const deploymentRoleName = readString(p, "deploymentRoleName", root.deploymentRoleName, IAM_NAME) ?? "PlatformDeployment";

  const entries: EnvironmentEntry[] = [];
  if (required(p, "environments", root.environments)) {
    const list = readArray(p, "environments", root.environments) ?? [];
    if (Array.isArray(root.environments) && list.length === 0) p.add("environments", "must name at least one environment");
    list.forEach((value, i) => {
      const path = indexPath("environments", i);
      const environment = readEnvironment(p, path, value, { regions, deploymentRoleName, productionName });
      if (environment) entries.push({ path, environment });
    });
  }
  // Names of every environment that was declared, even one with other problems, so that a bad
  // account ID is not also reported as an unknown environment in promotionOrder.
  const names = (Array.isArray(root.environments) ? root.environments : [])
    .map((e: unknown) => (e as { name?: unknown } | null)?.name)
    .filter((name): name is string => typeof name === "string");
  checkEnvironmentSet(p, entries, names, promotionOrder);
  const environments = entries.map((entry) => entry.environment);

  const operationsEnvironment = readString(p, "operationsEnvironment", root.operationsEnvironment) ?? productionName ?? names[0];
  if (operationsEnvironment !== undefined && root.operationsEnvironment !== undefined && !names.includes(operationsEnvironment)) {
    p.add("operationsEnvironment", `names an unknown environment "${operationsEnvironment}" (known: ${names.join(", ")})`);
  }
  const operationsAccount = environments.find((e) => e.name === operationsEnvironment)?.accountId ?? "000000000000";

  const deployers = readDeployers(p, root.deployers);
  const tags = readTags(p, root.tags);
  const stateBackend = readStateBackend(p, root.stateBackend, { project, primaryRegion: primaryRegion ?? "us-east-1", operationsAccount });
  const terraformCloud = readTerraformCloud(p, root.terraformCloud, project);
  const alarms = readAlarms(p, root.alarms);
  const snapshots = readSnapshots(p, root.snapshots, { primaryRegion, drRegion });
  checkSnapshotAccountCopies(p, entries, snapshots, drRegion);
  const lambda = readLambda(p, root.lambda);
  const alarmEmails = (readArray(p, "alarmEmails", root.alarmEmails) ?? [])
    .map((value, i) => readString(p, indexPath("alarmEmails", i), value, { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, patternMessage: "must be an e-mail address" }))
    .filter((value): value is string => value !== undefined);

  const statusEndpoint = readStatusEndpoint(p, root.statusEndpoint);
  const ledgerGlobalTable = readLedgerGlobalTable(p, root.ledgerGlobalTable, project, environments, names.length);
  const appConfig = readAppConfig(p, root.appConfig, { environments, declaredNames: names, promotionOrder: promotionOrder ?? [], primaryRegion });
  const disasterRecovery = readDisasterRecovery(p, root.disasterRecovery, environments, names, productionName);

  if (!promotionOrder || operationsEnvironment === undefined || primaryRegion === undefined || drRegion === undefined) return undefined;
  return {
    project, primaryRegion, drRegion, environments, promotionOrder, operationsEnvironment, deploymentRoleName,
    deployers, tags, stateBackend, terraformCloud, alarms, snapshots, lambda, alarmEmails, statusEndpoint, ledgerGlobalTable, appConfig,
    disasterRecovery,
  };
}

function readDisasterRecovery(p: Problems, value: unknown, environments: readonly EnvironmentConfig[], declaredNames: readonly string[], productionName: string | undefined): DisasterRecoveryConfig {
  const raw = readObject(p, "disasterRecovery", value, ["maxSwitchoverLagSeconds", "restoreDrill"]) ?? {};
  return {
    maxSwitchoverLagSeconds: readNumber(p, "disasterRecovery.maxSwitchoverLagSeconds", raw.maxSwitchoverLagSeconds, { min: 0, max: 3600 }) ?? 10,
    restoreDrill: readRestoreDrill(p, raw.restoreDrill, environments, declaredNames, productionName),
  };
}

function readRestoreDrill(p: Problems, value: unknown, environments: readonly EnvironmentConfig[], declaredNames: readonly string[], productionName: string | undefined): RestoreDrillConfig {
  const path = "disasterRecovery.restoreDrill";
  const raw = readObject(p, path, value, ["environments", "schedule", "rtoMinutes", "maxMinutes"]) ?? {};
  const withDr = (name: string) => environments.find((e) => e.name === name)?.disasterRecovery === true;
  let names: string[];
  if (raw.environments === undefined) {
    names = productionName !== undefined && withDr(productionName) ? [productionName] : [];
  } else {
    names = [];
    (readArray(p, `${path}.environments`, raw.environments) ?? []).forEach((entry, i) => {
      const at = indexPath(`${path}.environments`, i);
      const name = readString(p, at, entry);
      if (name === undefined) return;
      if (!declaredNames.includes(name)) p.add(at, `names an unknown environment "${name}" (known: ${declaredNames.join(", ")})`);
      else if (environments.some((e) => e.name === name) && !withDr(name)) p.add(at, `${name} has no disasterRecovery, so no DR-region subnet group for a drill cluster; turn it on or remove ${name}`);
      else if (!names.includes(name)) names.push(name);
    });
  }
  const schedule = readString(p, `${path}.schedule`, raw.schedule, SCHEDULE) ?? "cron(0 6 2 * ? *)";
  const rtoMinutes = readNumber(p, `${path}.rtoMinutes`, raw.rtoMinutes, { integer: true, min: 1, max: 1440 }) ?? 60;
  const maxMinutes = readNumber(p, `${path}.maxMinutes`, raw.maxMinutes, { integer: true, min: 30, max: 1440 }) ?? 180;
  if (maxMinutes < rtoMinutes) p.add(`${path}.maxMinutes`, `must be at least rtoMinutes (${maxMinutes} < ${rtoMinutes}): a drill is abandoned before it could miss the objective`);
  return { environments: names, schedule, rtoMinutes, maxMinutes };
}

function readPromotionOrder(p: Problems, value: unknown): string[] | undefined {
  if (!required(p, "promotionOrder", value)) return undefined;
  const list = readArray(p, "promotionOrder", value);
  if (!list) return undefined;
  if (list.length === 0) p.add("promotionOrder", "must name at least one environment");
  const order: string[] = [];
  list.forEach((entry, i) => {
    const name = readString(p, indexPath("promotionOrder", i), entry);
    if (name === undefined) return;
    if (order.includes(name)) p.add(indexPath("promotionOrder", i), `repeats "${name}"; each environment appears once`);
    order.push(name);
  });
  return order;
}

interface EnvironmentContext {
  /** Primary and DR region; undefined when either was written but cannot be read (its checks are skipped). */
  readonly regions: readonly string[] | undefined;
  readonly deploymentRoleName: string;
  readonly productionName: string | undefined;
}

const ENVIRONMENT_FIELDS = ["name", "accountId", "deploymentRoleName", "network", "databases", "deletionProtection", "disasterRecovery", "artifacts", "configMirror", "snapshotInstances", "snapshotAccountCopy", "edgeTier"];

function readEnvironment(p: Problems, path: string, value: unknown, context: EnvironmentContext): EnvironmentConfig | undefined {
  if (!required(p, path, value)) return undefined;
  const raw = readObject(p, path, value, ENVIRONMENT_FIELDS);
  if (!raw) return undefined;
  const name = required(p, childPath(path, "name"), raw.name) ? readString(p, childPath(path, "name"), raw.name, ENVIRONMENT_NAME) : undefined;
  const accountId = required(p, childPath(path, "accountId"), raw.accountId) ? readString(p, childPath(path, "accountId"), raw.accountId, ACCOUNT_ID) : undefined;
  const deploymentRoleName = readString(p, childPath(path, "deploymentRoleName"), raw.deploymentRoleName, IAM_NAME) ?? context.deploymentRoleName;
  const network = readNetwork(p, childPath(path, "network"), raw.network, context.regions);
  const isProduction = name !== undefined && name === context.productionName;
  const deletionProtection = readBoolean(p, childPath(path, "deletionProtection"), raw.deletionProtection) ?? isProduction;
  const disasterRecovery = readBoolean(p, childPath(path, "disasterRecovery"), raw.disasterRecovery) ?? isProduction;
  checkDisasterRecoveryNetwork(p, path, raw.network, disasterRecovery, context.regions?.[1]);
  const artifacts = readArtifacts(p, childPath(path, "artifacts"), raw.artifacts);
  const configMirror = readConfigMirror(p, childPath(path, "configMirror"), raw.configMirror);

  const databases: DatabaseConfig[] = [];
  (readArray(p, childPath(path, "databases"), raw.databases) ?? []).forEach((entry, i) => {
    const databasePath = indexPath(childPath(path, "databases"), i);
    const database = readDatabase(p, databasePath, entry, isProduction, disasterRecovery);
    if (!database) return;
    if (databases.some((d) => d.name === database.name)) p.add(childPath(databasePath, "name"), `repeats "${database.name}"; database names are unique within an environment`);
    databases.push(database);
  });
  const snapshotInstances = readSnapshotInstances(p, childPath(path, "snapshotInstances"), raw.snapshotInstances, { databaseNames: databases.map((d) => d.name), primaryRegion: context.regions?.[0] });
  const snapshotAccountCopy = readSnapshotAccountCopy(p, childPath(path, "snapshotAccountCopy"), raw.snapshotAccountCopy);
  const edgeTier = readEdgeTier(p, childPath(path, "edgeTier"), raw.edgeTier, { regions: context.regions, network, logRetentionDays: LOG_RETENTION_DAYS });

  if (name === undefined || accountId === undefined || network === undefined) return undefined;
  return { name, accountId, deploymentRoleName, network, databases, deletionProtection, disasterRecovery, artifacts, configMirror, snapshotInstances, ...(snapshotAccountCopy ? { snapshotAccountCopy } : {}), ...(edgeTier ? { edgeTier } : {}) };
}

const SCHEDULE = { pattern: /^(rate|cron)\(.+\)$/, patternMessage: "must be an EventBridge schedule expression, rate(...) or cron(...)" };

function readArtifacts(p: Problems, path: string, value: unknown): ArtifactsConfig {
  const raw = readObject(p, path, value, ["encryption", "promotionPrefix"]) ?? {};
  const encryption = (readString(p, childPath(path, "encryption"), raw.encryption, { oneOf: ["aws:kms", "AES256"] }) as ArtifactEncryption | undefined) ?? "aws:kms";
  const promotionPrefix =
    readString(p, childPath(path, "promotionPrefix"), raw.promotionPrefix, {
      pattern: /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/,
      patternMessage: 'must be an S3 key prefix ending in "/" and not starting with "/", such as "promote/"',
    }) ?? "promote/";
  return { encryption, promotionPrefix };
}

function readConfigMirror(p: Problems, path: string, value: unknown): ConfigMirrorConfig {
  const raw = readObject(p, path, value, ["allowPatterns", "denyPatterns", "reconcileSchedule", "deletePolicy"]) ?? {};
  const patterns = (field: string) =>
    (readArray(p, childPath(path, field), raw[field]) ?? [])
      .map((entry, i) =>
        readString(p, indexPath(childPath(path, field), i), entry, {
          pattern: /^[A-Za-z0-9_.*?-][A-Za-z0-9_.*?\/-]*$/,
          patternMessage: 'must be a key pattern relative to /app/<env>/config/ (no leading "/"), such as "db/*" or "endpoints/"',
        }),
      )
      .filter((entry): entry is string => entry !== undefined);
  return {
    allowPatterns: patterns("allowPatterns"),
    denyPatterns: patterns("denyPatterns"),
    reconcileSchedule: readString(p, childPath(path, "reconcileSchedule"), raw.reconcileSchedule, SCHEDULE) ?? "rate(15 minutes)",
    deletePolicy: (readString(p, childPath(path, "deletePolicy"), raw.deletePolicy, { oneOf: ["record", "delete"] }) as ConfigMirrorDeletePolicy | undefined) ?? "record",
  };
}

function readNetwork(p: Problems, path: string, value: unknown, regions: readonly string[] | undefined): NetworkConfig | undefined {
  if (!required(p, path, value)) return undefined;
  const raw = readObject(p, path, value, ["cidrs", "availabilityZoneCount", "peerDatabaseAccess"]);
  if (!raw) return undefined;
  const availabilityZoneCount = readNumber(p, childPath(path, "availabilityZoneCount"), raw.availabilityZoneCount, { integer: true, min: 2, max: 3 }) ?? 2;
  const peerDatabaseAccess = readPeerDatabaseAccess(p, childPath(path, "peerDatabaseAccess"), raw.peerDatabaseAccess);
  const cidrsPath = childPath(path, "cidrs");
  if (!required(p, cidrsPath, raw.cidrs)) return undefined;
  const cidrs = readStringMap(p, cidrsPath, raw.cidrs);
  if (!cidrs) return undefined;
  let valid = true;
  for (const [region, cidr] of Object.entries(cidrs)) {
    if (regions && !regions.includes(region)) {
      const near = closest(region, regions);
      p.add(childPath(cidrsPath, region), `is not one of the platform's regions (${regions.join(", ")})${near ? ` (did you mean "${near}"?)` : ""}`);
      valid = false;
    }
    const parsed = parseCidr(cidr);
    if (typeof parsed === "string") {
      p.add(childPath(cidrsPath, region), `${parsed}, not "${cidr}"`);
      valid = false;
    } else if (parsed.prefixLength > SMALLEST_VPC_PREFIX) {
      // The data tier cuts a VPC into at least 4 equal subnets, and AWS subnets are /28 at the smallest.
      p.add(childPath(cidrsPath, region), `${cidr} is too small for a private subnet per availability zone; use a block of /${SMALLEST_VPC_PREFIX} or larger (for example /16)`);
      valid = false;
    }
  }
  for (const region of regions ?? []) {
    if (cidrs[region] === undefined) {
      p.add(childPath(cidrsPath, region), "is required: every environment has a VPC in the primary and the DR region");
      valid = false;
    }
  }
  return valid ? { cidrs, availabilityZoneCount, peerDatabaseAccess } : undefined;
}

/** Off unless set: a lower environment must never reach production's databases by default. */
function readPeerDatabaseAccess(p: Problems, path: string, value: unknown): boolean {
  return readBoolean(p, path, value) ?? false;
}

/** The smallest VPC block (largest prefix length) the data tier can divide into subnets. */
const SMALLEST_VPC_PREFIX = 26;

/**
 * Disaster recovery places secondary clusters in the DR region's VPC, so it needs that VPC's block.
 * (The network reader also requires it for every environment; this names the consequence for DR.)
 */
function checkDisasterRecoveryNetwork(p: Problems, path: string, network: unknown, disasterRecovery: boolean, drRegion: string | undefined): void {
  if (!disasterRecovery || drRegion === undefined) return;
  const cidrs = (network as { cidrs?: unknown } | undefined)?.cidrs;
  const hasDrBlock = typeof cidrs === "object" && cidrs !== null && typeof (cidrs as Record<string, unknown>)[drRegion] === "string";
  if (!hasDrBlock) {
    p.add(childPath(path, "disasterRecovery"), `is on, but network.cidrs has no block for the DR region ${drRegion}, where the secondary database clusters would run; add network.cidrs.${drRegion} or set disasterRecovery to false`);
  }
}

const DATABASE_FIELDS = [
  "name", "engine", "engineVersion", "databaseName", "minCapacity", "maxCapacity", "secondsUntilAutoPause", "secondaryMinCapacity", "readerScaling", "instanceCount",
  "backupRetentionDays", "performanceInsights", "enhancedMonitoringInterval", "masterPasswordVersion",
  "allowOutOfOrderMigrations", "credentialRotationDays", "users", "managedRpoSeconds",
];

function readDatabase(p: Problems, path: string, value: unknown, isProduction: boolean, disasterRecovery: boolean): DatabaseConfig | undefined {
  const raw = readObject(p, path, value, DATABASE_FIELDS);
  if (!raw) {
    if (value === undefined) p.add(path, "is required");
    return undefined;
  }
  const at = (field: string) => childPath(path, field);
  const name = required(p, at("name"), raw.name)
    ? readString(p, at("name"), raw.name, { pattern: /^[a-z][a-z0-9]{0,15}$/, patternMessage: "must be 1 to 16 lowercase letters or digits, starting with a letter" })
    : undefined;
  const engine = required(p, at("engine"), raw.engine)
    ? (readString(p, at("engine"), raw.engine, { oneOf: Object.keys(DEFAULT_ENGINE_VERSIONS) }) as DatabaseEngine | undefined)
    : undefined;
  const engineVersion = readEngineVersion(p, at("engineVersion"), raw.engineVersion, engine);
  const databaseName = readString(p, at("databaseName"), raw.databaseName, { pattern: /^[A-Za-z][A-Za-z0-9_]{0,62}$/, patternMessage: "must be a letter followed by up to 62 letters, digits or underscores" }) ?? name;
  const capacity = readCapacity(p, path, raw, { engine, engineVersion, disasterRecovery });
  const instanceCount = readNumber(p, at("instanceCount"), raw.instanceCount, { integer: true, min: 1, max: 15 }) ?? 2;
  const backupRetentionDays = readNumber(p, at("backupRetentionDays"), raw.backupRetentionDays, { integer: true, min: 1, max: 35 }) ?? 7;
  const monitoring = readMonitoringDefaults(p, path, raw, isProduction);
  const masterPasswordVersion = readNumber(p, at("masterPasswordVersion"), raw.masterPasswordVersion, { integer: true, min: 1 }) ?? 1;
  const allowOutOfOrderMigrations = readBoolean(p, at("allowOutOfOrderMigrations"), raw.allowOutOfOrderMigrations) ?? false;
  const credentialRotationDays = readNumber(p, at("credentialRotationDays"), raw.credentialRotationDays, { integer: true, min: 1, max: 365 }) ?? 30;
  const users = readDatabaseUsers(p, at("users"), raw.users);
  const managedRpoSeconds = readManagedRpo(p, at("managedRpoSeconds"), raw.managedRpoSeconds, engine, disasterRecovery);
  if (name === undefined || engine === undefined || engineVersion === undefined || databaseName === undefined) return undefined;
  return {
    name, engine, engineVersion, databaseName, ...capacity, instanceCount, backupRetentionDays,
    ...monitoring, masterPasswordVersion, allowOutOfOrderMigrations, credentialRotationDays, users,
    ...(managedRpoSeconds !== undefined ? { managedRpoSeconds } : {}),
  };
}

/** `rds.global_db_rpo`: Aurora PostgreSQL global databases only, at least 20 seconds (the parameter's lower bound). */
function readManagedRpo(p: Problems, path: string, value: unknown, engine: DatabaseEngine | undefined, disasterRecovery: boolean): number | undefined {
  const seconds = readNumber(p, path, value, { integer: true, min: 20, max: 2147483647 });
  if (seconds === undefined) return undefined;
  if (engine === "aurora-mysql") p.add(path, "is an Aurora PostgreSQL setting (rds.global_db_rpo); Aurora MySQL has no managed RPO, remove it");
  else if (!disasterRecovery) p.add(path, "needs a global database: turn disasterRecovery on for this environment, or remove it");
  return seconds;
}

/**
 * Performance Insights and enhanced monitoring: on by default in production (the last environment of
 * the promotion order), where an incident needs them, off elsewhere to save their cost.
 */
function readMonitoringDefaults(p: Problems, path: string, raw: Record<string, unknown>, isProduction: boolean): Pick<DatabaseConfig, "performanceInsights" | "enhancedMonitoringInterval"> {
  return {
    performanceInsights: readBoolean(p, childPath(path, "performanceInsights"), raw.performanceInsights) ?? isProduction,
    enhancedMonitoringInterval: readNumber(p, childPath(path, "enhancedMonitoringInterval"), raw.enhancedMonitoringInterval, { oneOf: [0, 1, 5, 10, 15, 30, 60] }) ?? (isProduction ? 60 : 0),
  };
}

export const GRANT_LEVELS: readonly DatabaseGrantLevel[] = ["read-only", "read-write", "owner"];

/** Names the platform itself uses in every cluster, which an application user must not take. */
const RESERVED_USER_NAMES = ["dbadmin", "postgres", "root", "rdsadmin", "mysql", "public"];

/** Application users of one database: unique names that leave room for `_clone`, and a grant level. */
function readDatabaseUsers(p: Problems, path: string, value: unknown): DatabaseUserConfig[] {
  const users: DatabaseUserConfig[] = [];
  (readArray(p, path, value) ?? []).forEach((entry, i) => {
    const userPath = indexPath(path, i);
    const raw = readObject(p, userPath, entry, ["name", "grant"]);
    if (!raw) {
      if (entry === undefined) p.add(userPath, "is required");
      return;
    }
    const namePath = childPath(userPath, "name");
    const grantPath = childPath(userPath, "grant");
    // MySQL user names are at most 32 characters; 24 leaves room for the alternate's "_clone".
    const name = required(p, namePath, raw.name)
      ? readString(p, namePath, raw.name, { pattern: /^[a-z][a-z0-9_]{0,23}$/, patternMessage: "must be 1 to 24 lowercase letters, digits or underscores, starting with a letter" })
      : undefined;
    const grant = required(p, grantPath, raw.grant) ? (readString(p, grantPath, raw.grant, { oneOf: GRANT_LEVELS }) as DatabaseGrantLevel | undefined) : undefined;
    if (name !== undefined && RESERVED_USER_NAMES.includes(name)) p.add(namePath, `"${name}" is reserved (the master user or a built-in role); choose another name`);
    else if (name !== undefined && name.endsWith("_clone")) p.add(namePath, `must not end with "_clone": that suffix names the alternate user the rotation creates`);
    else if (name !== undefined && users.some((u) => u.name === name)) p.add(namePath, `repeats "${name}"; user names are unique within a database`);
    else if (name !== undefined && grant !== undefined) users.push({ name, grant });
  });
  return users;
}

function readEngineVersion(p: Problems, path: string, value: unknown, engine: DatabaseEngine | undefined): string | undefined {
  if (engine === undefined) return undefined;
  if (value === undefined) return DEFAULT_ENGINE_VERSIONS[engine];
  return engine === "aurora-mysql"
    ? readString(p, path, value, { pattern: /^8\.0\.mysql_aurora\.3\.\d{2}\.\d+$/, patternMessage: "must be an Aurora MySQL 3 (8.0-compatible) version such as 8.0.mysql_aurora.3.08.2; Aurora MySQL 2 (5.7) is past end of standard support" })
    : readString(p, path, value, { pattern: /^1[3-9](\.\d+)?$/, patternMessage: "must be an Aurora PostgreSQL version from 13 on that supports Serverless v2, such as 16.6" });
}

/** An environment that read cleanly, with the path it was read from (for later messages). */
interface EnvironmentEntry {
  readonly path: string;
  readonly environment: EnvironmentConfig;
}

/** Checks that need the whole environment list: unique names, CIDR overlaps, promotion order. */
function checkEnvironmentSet(p: Problems, entries: readonly EnvironmentEntry[], names: readonly string[], promotionOrder: readonly string[] | undefined): void {
  const seen = new Set<string>();
  for (const { path, environment } of entries) {
    if (seen.has(environment.name)) p.add(childPath(path, "name"), `repeats "${environment.name}"; environment names are unique`);
    seen.add(environment.name);
  }

  // Every VPC is peered with its neighbours or routed through them, so no two blocks anywhere may overlap.
  const blocks: { label: string; path: string; block: Ipv4Block }[] = [];
  for (const { path: environmentPath, environment } of entries) {
    for (const [region, cidr] of Object.entries(environment.network.cidrs)) {
      const block = parseCidr(cidr) as Ipv4Block;
      const path = `${environmentPath}.network.cidrs.${region}`;
      const clash = blocks.find((other) => overlaps(other.block, block));
      if (clash) p.add(path, `${cidr} overlaps ${clash.label} (${clash.path}); peered VPCs need distinct address space`);
      blocks.push({ label: `${environment.name} ${region}`, path, block });
    }
  }

  if (!promotionOrder) return;
  const known = [...new Set(names)];
  promotionOrder.forEach((name, i) => {
    if (!known.includes(name)) p.add(indexPath("promotionOrder", i), `names an unknown environment "${name}" (known: ${known.join(", ")})`);
  });
  for (const { path, environment } of entries) {
    if (!promotionOrder.includes(environment.name)) p.add(childPath(path, "name"), `"${environment.name}" is missing from promotionOrder`);
  }
}

function readTags(p: Problems, value: unknown): Record<string, string> {
  const tags = readStringMap(p, "tags", value) ?? {};
  for (const [key, tagValue] of Object.entries(tags)) {
    if ((PLATFORM_TAG_KEYS as readonly string[]).includes(key)) p.add(childPath("tags", key), "is set by the platform on every resource; choose another key");
    else if (key.length > 128 || tagValue.length > 256 || key.startsWith("aws:")) p.add(childPath("tags", key), "must be a key of at most 128 characters, not starting with aws:, and a value of at most 256");
  }
  return tags;
}

function readStateBackend(p: Problems, value: unknown, defaults: { project: string; primaryRegion: string; operationsAccount: string }): S3StateConfig {
  const raw = readObject(p, "stateBackend", value, ["accountId", "region", "bucket", "lockTable", "roleName", "keyPrefix", "bootstrapped"]) ?? {};
  const accountId = readString(p, "stateBackend.accountId", raw.accountId, ACCOUNT_ID) ?? defaults.operationsAccount;
  checkRemovedLockTable(p, raw.lockTable);
  return {
    accountId,
    region: readRegion(p, "stateBackend.region", raw.region) ?? defaults.primaryRegion,
    bucket: readString(p, "stateBackend.bucket", raw.bucket, { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, patternMessage: "must be a valid S3 bucket name" }) ?? `${defaults.project}-tfstate-${accountId}`,
    roleName: readString(p, "stateBackend.roleName", raw.roleName, IAM_NAME) ?? `${defaults.project}-terraform-state`,
    keyPrefix: readString(p, "stateBackend.keyPrefix", raw.keyPrefix, { pattern: /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, patternMessage: "must be a path of letters, digits, '_', '.', '-' separated by '/'" }) ?? defaults.project,
    bootstrapped: readBoolean(p, "stateBackend.bootstrapped", raw.bootstrapped) ?? false,
  };
}

/**
 * The DynamoDB lock table is gone: Terraform >= 1.11 locks with a `.tflock` object next to the state
 * (`use_lockfile`). A configuration that still names one is told so instead of having it ignored.
 */
function checkRemovedLockTable(p: Problems, value: unknown): void {
  if (value === undefined) return;
  p.add("stateBackend.lockTable", "is no longer used: state is locked with S3 lock files (use_lockfile), not a DynamoDB table; remove the field (docs/deployment.md says how to retire an existing table)");
}

/** An IAM role ARN or ARN pattern in one named account (the account becomes the trust policy's principal). */
const DEPLOYER_ARN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@\/*?-]+$/;

function readDeployers(p: Problems, value: unknown): string[] {
  if (!required(p, "deployers", value)) return [];
  const list = readArray(p, "deployers", value) ?? [];
  if (Array.isArray(value) && list.length === 0) p.add("deployers", "must name at least one principal allowed to deploy (CI's role, operators' roles or SSO permission sets)");
  const deployers: string[] = [];
  list.forEach((entry, i) => {
    const arn = readString(p, indexPath("deployers", i), entry, {
      pattern: DEPLOYER_ARN,
      patternMessage: "must be an IAM role ARN or pattern in a named 12-digit account, such as arn:aws:iam::111111111111:role/ci-deploy or arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_PlatformAdmin_*",
    });
    if (arn === undefined) return;
    if (deployers.includes(arn)) p.add(indexPath("deployers", i), `repeats "${arn}"`);
    else deployers.push(arn);
  });
  return deployers;
}

function readTerraformCloud(p: Problems, value: unknown, project: string): TerraformCloudConfig | undefined {
  const raw = readObject(p, "terraformCloud", value, ["organization", "hostname", "workspacePrefix"]);
  if (!raw) return undefined;
  const organization = required(p, "terraformCloud.organization", raw.organization) ? readString(p, "terraformCloud.organization", raw.organization, { pattern: /^[A-Za-z0-9_-]+$/, patternMessage: "must be a Terraform Cloud organization name" }) : undefined;
  const hostname = readString(p, "terraformCloud.hostname", raw.hostname, { pattern: /^[a-z0-9.-]+$/, patternMessage: "must be a host name" }) ?? "app.terraform.io";
  const workspacePrefix = readString(p, "terraformCloud.workspacePrefix", raw.workspacePrefix, { pattern: /^[A-Za-z0-9_-]*$/, patternMessage: "must be letters, digits, '_' or '-'" }) ?? `${project}-`;
  return organization === undefined ? undefined : { organization, hostname, workspacePrefix };
}

function readAlarms(p: Problems, value: unknown): AlarmConfig {
  const raw = readObject(p, "alarms", value, ["cpuUtilizationPercent", "replicaLagMs", "globalReplicationLagMs", "globalRpoLagMs", "freeableMemoryMiB", "maxConnections", "dynamoReplicationLatencyMs", "s3ReplicationLatencySeconds", "canaryLagSeconds"]) ?? {};
  const positive = { min: 1 };
  return {
    cpuUtilizationPercent: readNumber(p, "alarms.cpuUtilizationPercent", raw.cpuUtilizationPercent, { min: 1, max: 100 }) ?? 80,
    replicaLagMs: readNumber(p, "alarms.replicaLagMs", raw.replicaLagMs, positive) ?? 1000,
    globalReplicationLagMs: readNumber(p, "alarms.globalReplicationLagMs", raw.globalReplicationLagMs, positive) ?? 5000,
    globalRpoLagMs: readNumber(p, "alarms.globalRpoLagMs", raw.globalRpoLagMs, positive) ?? 30000,
    freeableMemoryMiB: readNumber(p, "alarms.freeableMemoryMiB", raw.freeableMemoryMiB, positive) ?? 256,
    maxConnections: readNumber(p, "alarms.maxConnections", raw.maxConnections, { integer: true, min: 1 }) ?? 500,
    dynamoReplicationLatencyMs: readNumber(p, "alarms.dynamoReplicationLatencyMs", raw.dynamoReplicationLatencyMs, positive) ?? 1000,
    s3ReplicationLatencySeconds: readNumber(p, "alarms.s3ReplicationLatencySeconds", raw.s3ReplicationLatencySeconds, positive) ?? 900,
    canaryLagSeconds: readNumber(p, "alarms.canaryLagSeconds", raw.canaryLagSeconds, positive) ?? 60,
  };
}

function readLambda(p: Problems, value: unknown): LambdaConfig {
  const raw = readObject(p, "lambda", value, ["memoryMb", "logRetentionDays", "reservedConcurrency"]) ?? {};
  return {
    memoryMb: readNumber(p, "lambda.memoryMb", raw.memoryMb, { integer: true, min: 128, max: 10240 }) ?? 256,
    logRetentionDays: readNumber(p, "lambda.logRetentionDays", raw.logRetentionDays, { oneOf: LOG_RETENTION_DAYS }) ?? 30,
    // No default: a reservation fails the first apply in a new account (see LambdaConfig).
    reservedConcurrency: readNumber(p, "lambda.reservedConcurrency", raw.reservedConcurrency, { integer: true, min: 1, max: 1000 }),
  };
}

function readStatusEndpoint(p: Problems, value: unknown): StatusEndpointConfig {
  const raw = readObject(p, "statusEndpoint", value, ["callerRoleNames"]) ?? {};
  const names: string[] = [];
  (readArray(p, "statusEndpoint.callerRoleNames", raw.callerRoleNames) ?? []).forEach((entry, i) => {
    const path = indexPath("statusEndpoint.callerRoleNames", i);
    const name = readString(p, path, entry, IAM_NAME);
    if (name === undefined) return;
    if (names.includes(name)) p.add(path, `repeats "${name}"; name each role once`);
    names.push(name);
  });
  return { callerRoleNames: names };
}

/**
 * The multi-account ledger. DynamoDB keeps one replica per account, so every environment needs an
 * account of its own, and a global table needs at least two replicas.
 */
function readLedgerGlobalTable(p: Problems, value: unknown, project: string, environments: readonly EnvironmentConfig[], declaredCount: number): LedgerGlobalTableConfig {
  const raw = readObject(p, "ledgerGlobalTable", value, ["enabled", "tableName"]) ?? {};
  const enabled = readBoolean(p, "ledgerGlobalTable.enabled", raw.enabled) ?? false;
  const tableName =
    readString(p, "ledgerGlobalTable.tableName", raw.tableName, { pattern: /^[A-Za-z0-9_.-]{3,255}$/, patternMessage: "must be a DynamoDB table name (3 to 255 letters, digits, '_', '.' or '-')" }) ??
    `${project}-replication-ledger`;
  if (enabled) {
    // Declared environments (even ones with other problems), so a bad account is not also reported here.
    if (declaredCount < 2) p.add("ledgerGlobalTable.enabled", "needs at least two environments: a global table replicates from the first environment into the others");
    const owners = new Map<string, string>();
    for (const environment of environments) {
      const other = owners.get(environment.accountId);
      if (other !== undefined) {
        p.add("ledgerGlobalTable.enabled", `environments ${other} and ${environment.name} share account ${environment.accountId}; a multi-account global table holds one replica per account, so give each environment its own account or set enabled to false`);
      }
      owners.set(environment.accountId, environment.name);
    }
  }
  return { enabled, tableName };
}
