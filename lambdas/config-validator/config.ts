/** Configuration of the config validator, read from environment variables once per cold start. */
import { InvalidEnvironmentError, parseJsonEnv, parseStringListEnv, readEnv, type Env } from "../shared/env";

/** One environment to compare, as listed in VALIDATION_ENVIRONMENTS. */
export interface ValidationEnvironment {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** Role to assume to read this environment; omit for the function's own environment. */
  readonly roleArn?: string;
  readonly externalId?: string;
  /** The environment's replication ledger table. */
  readonly ledgerTableName: string;
  /** Further tables to compare, by logical name → physical name. The ledger is always compared as "ledger". */
  readonly tables?: Readonly<Record<string, string>>;
}

export interface ValidatorConfig {
  readonly environment: string;
  readonly region: string;
  readonly metricsNamespace: string;
  readonly artifactsBucket: string;
  /** @default "reports/" */
  readonly reportPrefix: string;
  /** In promotion order (dev, staging, prod); each consecutive pair is compared. */
  readonly environments: readonly ValidationEnvironment[];
  /** SSM keys (relative to the config root) that are expected to differ between environments. @default [] */
  readonly ignorePatterns: readonly string[];
}

export function readValidatorConfig(env: Env = process.env): ValidatorConfig {
  const e = readEnv(["ENVIRONMENT", "METRICS_NAMESPACE", "ARTIFACTS_BUCKET", "VALIDATION_ENVIRONMENTS", "AWS_REGION"], ["REPORT_PREFIX", "IGNORE_PATTERNS"], env);
  const environments = parseJsonEnv<ValidationEnvironment[]>("VALIDATION_ENVIRONMENTS", e.VALIDATION_ENVIRONMENTS, []);
  validateEnvironments(environments);
  const prefix = e.REPORT_PREFIX ?? "reports/";
  return {
    environment: e.ENVIRONMENT,
    region: e.AWS_REGION,
    metricsNamespace: e.METRICS_NAMESPACE,
    artifactsBucket: e.ARTIFACTS_BUCKET,
    reportPrefix: prefix.endsWith("/") ? prefix : `${prefix}/`,
    environments,
    ignorePatterns: parseStringListEnv("IGNORE_PATTERNS", e.IGNORE_PATTERNS),
  };
}

function validateEnvironments(value: unknown): asserts value is ValidationEnvironment[] {
  const fail = (reason: string): never => {
    throw new InvalidEnvironmentError("VALIDATION_ENVIRONMENTS", reason);
  };
  if (!Array.isArray(value) || value.length < 2) {
    fail('expected a JSON array of at least two environments, e.g. [{"name":"dev","accountId":"111111111111","region":"us-east-1","ledgerTableName":"ledger-dev"}, ...]');
  }
  const names = new Set<string>();
  (value as unknown[]).forEach((item, i) => {
    const entry = item as Partial<ValidationEnvironment>;
    for (const field of ["name", "accountId", "region", "ledgerTableName"] as const) {
      if (typeof entry?.[field] !== "string" || entry[field] === "") {
        fail(`entry ${i} lacks "${field}"`);
      }
    }
    if ((entry.roleArn === undefined) !== (entry.externalId === undefined)) {
      fail(`entry ${i} (${String(entry.name)}) must set roleArn and externalId together`);
    }
    if (names.has(entry.name as string)) {
      fail(`environment "${String(entry.name)}" is listed twice`);
    }
    names.add(entry.name as string);
  });
}
