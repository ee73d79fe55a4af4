/** Configuration of the config mirror, read from environment variables once per cold start. */
import { parseEnumEnv, parseStringListEnv, readEnv, type Env } from "../shared/env";

export const DELETE_POLICIES = ["record", "delete"] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

export interface MirrorConfig {
  /** The environment running this function (ledger partition and metric dimension). */
  readonly environment: string;
  /** Parameters are read from `/app/<sourceEnvironment>/config/`. */
  readonly sourceEnvironment: string;
  /** ... and written to `/app/<targetEnvironment>/config/` in the target account. */
  readonly targetEnvironment: string;
  readonly targetRoleArn: string;
  readonly targetExternalId: string;
  /** KMS key (id, ARN or alias) in the target account used to encrypt SecureStrings. */
  readonly targetKmsKeyId: string;
  /** @default the function's own region */
  readonly targetRegion: string;
  /** Keys (relative to the config root) to mirror. @default [] (everything) */
  readonly allowPatterns: readonly string[];
  /** Keys never mirrored, overwritten or deleted: environment-specific settings. @default [] */
  readonly denyPatterns: readonly string[];
  /** What a source deletion does in the target. @default "record" (keep the target, write a ledger item) */
  readonly deletePolicy: DeletePolicy;
  readonly ledgerTableName: string;
  readonly metricsNamespace: string;
  readonly region: string;
}

export function readMirrorConfig(env: Env = process.env): MirrorConfig {
  const e = readEnv(
    ["ENVIRONMENT", "SOURCE_ENVIRONMENT", "TARGET_ENVIRONMENT", "TARGET_ROLE_ARN", "TARGET_EXTERNAL_ID", "TARGET_KMS_KEY_ID", "LEDGER_TABLE_NAME", "METRICS_NAMESPACE", "AWS_REGION"],
    ["TARGET_REGION", "ALLOW_PATTERNS", "DENY_PATTERNS", "DELETE_POLICY"],
    env,
  );
  if (e.SOURCE_ENVIRONMENT === e.TARGET_ENVIRONMENT) {
    throw new Error(`SOURCE_ENVIRONMENT and TARGET_ENVIRONMENT are both "${e.SOURCE_ENVIRONMENT}"; the mirror only copies into the next environment.`);
  }
  return {
    environment: e.ENVIRONMENT,
    sourceEnvironment: e.SOURCE_ENVIRONMENT,
    targetEnvironment: e.TARGET_ENVIRONMENT,
    targetRoleArn: e.TARGET_ROLE_ARN,
    targetExternalId: e.TARGET_EXTERNAL_ID,
    targetKmsKeyId: e.TARGET_KMS_KEY_ID,
    targetRegion: e.TARGET_REGION ?? e.AWS_REGION,
    allowPatterns: parseStringListEnv("ALLOW_PATTERNS", e.ALLOW_PATTERNS),
    denyPatterns: parseStringListEnv("DENY_PATTERNS", e.DENY_PATTERNS),
    deletePolicy: parseEnumEnv("DELETE_POLICY", e.DELETE_POLICY, DELETE_POLICIES, "record"),
    ledgerTableName: e.LEDGER_TABLE_NAME,
    metricsNamespace: e.METRICS_NAMESPACE,
    region: e.AWS_REGION,
  };
}
