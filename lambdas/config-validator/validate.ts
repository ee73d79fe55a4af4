/** Runs a validation across environments, publishes drift metrics and stores the JSON report. */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { errorFields, type Logger } from "../shared/log";
import type { Metrics } from "../shared/metrics";
import { keyFilter } from "../shared/patterns";
import { collectSchemas, collectSsm, collectTables, type EnvironmentClients } from "./collect";
import { DRIFT_CATEGORIES, compareSchemas, compareSsm, compareTables, type DriftCategory, type Finding } from "./compare";
import type { ValidationEnvironment, ValidatorConfig } from "./config";

export interface ValidationReport {
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly environments: readonly string[];
  readonly pairs: ReadonlyArray<readonly [string, string]>;
  /** Findings per category, zero included. */
  readonly summary: Readonly<Record<DriftCategory, number>>;
  readonly findings: readonly Finding[];
  /** Environments or categories that could not be read (e.g. a role that cannot be assumed). */
  readonly errors: ReadonlyArray<{ readonly environment: string; readonly category: DriftCategory; readonly message: string }>;
}

export interface ValidateDeps {
  readonly config: ValidatorConfig;
  readonly clientsFor: (env: ValidationEnvironment) => EnvironmentClients;
  readonly s3: S3Client;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
}

/** Key of the report that the function URL serves. */
export function latestReportKey(config: ValidatorConfig): string {
  return `${config.reportPrefix}config-validation/latest.json`;
}

export async function validate(deps: ValidateDeps): Promise<ValidationReport> {
  const { config, log } = deps;
  const include = keyFilter([], config.ignorePatterns);
  const errors: Array<{ environment: string; category: DriftCategory; message: string }> = [];

  const collected = await Promise.all(
    config.environments.map(async (env) => {
      const clients = deps.clientsFor(env);
      const attempt = async <T>(category: DriftCategory, read: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await read();
        } catch (err) {
          const { errorMessage } = errorFields(err);
          log.error("could not read environment", { environment: env.name, category, errorMessage });
          errors.push({ environment: env.name, category, message: errorMessage });
          return undefined;
        }
      };
      return {
        name: env.name,
        ssm: await attempt("ssm", () => collectSsm(env, clients)),
        schema: await attempt("schema", () => collectSchemas(env, clients)),
        dynamodb: await attempt("dynamodb", () => collectTables(env, clients)),
      };
    }),
  );

  const findings: Finding[] = [];
  const pairs: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < collected.length; i += 1) {
    const l = collected[i];
    const r = collected[i + 1];
    pairs.push([l.name, r.name]);
    if (l.ssm !== undefined && r.ssm !== undefined) findings.push(...compareSsm(l.name, r.name, l.ssm, r.ssm, include));
    if (l.schema !== undefined && r.schema !== undefined) findings.push(...compareSchemas(l.name, r.name, l.schema, r.schema));
    if (l.dynamodb !== undefined && r.dynamodb !== undefined) findings.push(...compareTables(l.name, r.name, l.dynamodb, r.dynamodb));
  }

  const summary = Object.fromEntries(DRIFT_CATEGORIES.map((c) => [c, findings.filter((f) => f.category === c).length])) as Record<DriftCategory, number>;
  for (const category of DRIFT_CATEGORIES) {
    deps.metrics.put("DriftCount", summary[category], "Count", { Category: category });
  }
  deps.metrics.put("ValidationErrors", errors.length, "Count");

  const generatedAt = deps.now().toISOString();
  const report: ValidationReport = { generatedAt, generatedBy: config.environment, environments: config.environments.map((e) => e.name), pairs, summary, findings, errors };
  const body = JSON.stringify(report, null, 2);
  const stamp = generatedAt.replace(/[:.]/g, "-");
  for (const key of [`${config.reportPrefix}config-validation/${stamp}.json`, latestReportKey(config)]) {
    await deps.s3.send(new PutObjectCommand({ Bucket: config.artifactsBucket, Key: key, Body: body, ContentType: "application/json" }));
  }
  log.info("validation finished", { summary, errors: errors.length });
  return report;
}
