import { Construct } from "constructs";
import type { LambdaConfig } from "../config/types";
import type { DatabaseEndpoint } from "../stacks/data-tier";
import { EventRule } from "../events/event-rule";
import type { EventsDeadLetterQueue } from "../events/dead-letter-queue";
import type { PolicyStatement } from "../iam/policy";
import { BundledFunction, type FunctionVpcPlacement } from "../lambda-packaging/bundled-function";
import { KIND_FOLDERS, type SyncKind } from "./layout";
import { jsonAttribute } from "../json-attribute";

/** Runtime settings shared by both functions, exported for the docs and tests. */
export const DATABASE_SYNC_FUNCTION = {
  /** Migrations can be slow. */
  timeoutSeconds: 300,
  /**
   * One run at a time once the account reserves concurrency (`lambda.reservedConcurrency`): the engine's
   * lock serializes runs anyway, this avoids lock waits. Without it nothing is reserved, because a new
   * account's quota leaves no room for reservations and the first apply would fail.
   */
  reservedConcurrencyWhenReserving: 1,
  /** Node.js 20+ Lambda runtimes ship the Amazon RDS CAs here but load them only when told to. */
  caBundle: "/var/runtime/ca-cert.pem",
} as const;

const HANDLERS: Readonly<Record<SyncKind, { handler: string; prefixVariable: string; description: string }>> = {
  schema: { handler: "schema-sync", prefixVariable: "MIGRATIONS_PREFIX", description: "Applies schema migrations from the artifacts bucket to the Aurora clusters and promotes clean ones" },
  data: { handler: "data-sync", prefixVariable: "DATA_PREFIX", description: "Syncs reference data from the artifacts bucket into the Aurora clusters and promotes clean files" },
};

export interface DatabaseSyncFunctionProps {
  readonly kind: SyncKind;
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  /** The environment key (logs, variables, dead letters, and the artifacts bucket's SSE-KMS). */
  readonly kmsKeyArn: string;
  readonly defaults: LambdaConfig;
  readonly vpc: FunctionVpcPlacement;
  readonly artifactsBucketName: string;
  /** Folder the function listens on and reads (`<db>/<file>` below it); from `layout.ts`. */
  readonly readPrefix: string;
  /** Folder clean files are copied into for the next environment; from `layout.ts`. @default no promotion (the last environment) */
  readonly promotionPrefix?: string;
  readonly databases: readonly DatabaseEndpoint[];
  /** Names of the databases whose late (out-of-order) migrations schema sync applies instead of refusing. @default none */
  readonly allowOutOfOrderMigrations?: readonly string[];
  readonly ledgerTableName: string;
  readonly ledgerTableArn: string;
  readonly metricsNamespace: string;
  /** Rule name for the Object Created rule. */
  readonly ruleName: string;
  readonly deadLetterQueue: EventsDeadLetterQueue;
}

/**
 * One database-sync function (`lambdas/schema-sync` or `lambdas/data-sync`) in the VPC, with a
 * least-privilege role and the default-bus rule that invokes it for `aws.s3` Object Created events
 * of its read folder in the artifacts bucket (retries, then the dead-letter queue).
 *
 * @example
 * new DatabaseSyncFunction(this, "schema-sync", { kind: "schema", readPrefix: "migrations/", promotionPrefix: "promote/staging/migrations/", ... });
 */
export class DatabaseSyncFunction extends Construct {
  readonly function: BundledFunction;
  readonly rule: EventRule;
  /** The handler folder (`schema-sync` or `data-sync`), also its metrics' `Handler` dimension. */
  readonly handler: string;
  /** The function's name, known at synth time (alarm names and dimensions need it as plain text). */
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: DatabaseSyncFunctionProps) {
    super(scope, id);
    for (const [name, prefix] of [["readPrefix", props.readPrefix], ["promotionPrefix", props.promotionPrefix]] as const) {
      if (prefix !== undefined && !prefix.endsWith(KIND_FOLDERS[props.kind])) {
        throw new Error(`${name} "${prefix}" of ${props.functionName} must end with "${KIND_FOLDERS[props.kind]}"; compute it with layout.ts.`);
      }
    }
    const spec = HANDLERS[props.kind];
    this.handler = spec.handler;
    this.functionName = props.functionName;
    this.function = new BundledFunction(this, "function", {
      handler: spec.handler,
      functionName: props.functionName,
      description: spec.description,
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      timeoutSeconds: DATABASE_SYNC_FUNCTION.timeoutSeconds,
      reservedConcurrency: props.defaults.reservedConcurrency === undefined ? undefined : DATABASE_SYNC_FUNCTION.reservedConcurrencyWhenReserving,
      vpc: props.vpc,
      // Artifacts (S3), database secrets (Secrets Manager), the ledger (DynamoDB); metrics go out as log lines.
      awsServices: ["s3", "secretsmanager", "dynamodb"],
      environment: {
        ENVIRONMENT: props.environment,
        ARTIFACTS_BUCKET: props.artifactsBucketName,
        LEDGER_TABLE_NAME: props.ledgerTableName,
        METRICS_NAMESPACE: props.metricsNamespace,
        DATABASES: jsonAttribute(props.databases.map((d) => databaseTarget(d, props.kind === "schema" && (props.allowOutOfOrderMigrations ?? []).includes(d.name)))),
        [spec.prefixVariable]: props.readPrefix,
        ...(props.promotionPrefix !== undefined ? { PROMOTION_BUCKET: props.artifactsBucketName, PROMOTION_PREFIX: props.promotionPrefix } : {}),
        NODE_EXTRA_CA_CERTS: DATABASE_SYNC_FUNCTION.caBundle,
      },
      statements: statements(props),
    });
    this.rule = new EventRule(this, "object-created", {
      ruleName: props.ruleName,
      description: `New files under ${props.readPrefix} of the artifacts bucket, to ${spec.handler}`,
      eventPattern: {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [props.artifactsBucketName] }, object: { key: [{ prefix: props.readPrefix }] } },
      },
      deadLetterQueue: props.deadLetterQueue,
    });
    this.rule.addFunction(spec.handler, this.function);
  }
}

/** The handler's DATABASES entry of one cluster (lambdas/shared/database-sync-config.ts). */
function databaseTarget(d: DatabaseEndpoint, allowOutOfOrder: boolean) {
  return {
    name: d.name,
    engine: d.engine === "aurora-postgresql" ? "postgres" : "mysql",
    host: d.writerEndpoint,
    port: d.port,
    database: d.databaseName,
    secretArn: d.masterSecretArn,
    // Only written when on, so the variable of a default configuration stays as it was.
    ...(allowOutOfOrder ? { allowOutOfOrder: true } : {}),
  };
}

function statements(props: DatabaseSyncFunctionProps): PolicyStatement[] {
  const bucketArn = `arn:aws:s3:::${props.artifactsBucketName}`;
  const folders = [props.readPrefix, ...(props.promotionPrefix !== undefined ? [props.promotionPrefix] : [])];
  const result: PolicyStatement[] = [
    // ListBucket also turns HeadObject on a missing copy into 404 instead of 403.
    { sid: "ListArtifactFolders", actions: ["s3:ListBucket"], resources: [bucketArn], conditions: { StringLike: { "s3:prefix": folders.map((f) => `${f}*`) } } },
    // GetObject on the promotion folder lets the function compare an existing copy (HeadObject).
    { sid: "ReadArtifacts", actions: ["s3:GetObject"], resources: folders.map((f) => `${bucketArn}/${f}*`) },
  ];
  if (props.promotionPrefix !== undefined) {
    result.push({ sid: "PromoteCleanFiles", actions: ["s3:PutObject"], resources: [`${bucketArn}/${props.promotionPrefix}*`] });
  }
  if (props.databases.length > 0) {
    result.push({ sid: "ReadDatabaseSecrets", actions: ["secretsmanager:GetSecretValue"], resources: props.databases.map((d) => d.masterSecretArn) });
    const keys = [...new Set(props.databases.map((d) => d.secretKmsKeyArn))];
    result.push({
      sid: "DecryptDatabaseSecrets",
      actions: ["kms:Decrypt"],
      resources: keys,
      conditions: { StringEquals: { "kms:ViaService": [`secretsmanager.${props.region}.amazonaws.com`] } },
    });
  }
  result.push({ sid: "WriteLedger", actions: ["dynamodb:PutItem"], resources: [props.ledgerTableArn] });
  return result;
}
