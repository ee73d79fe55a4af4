import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { DatabaseEngine, DatabaseGrantLevel, LambdaConfig } from "../config/types";
import { DATABASE_SYNC_FUNCTION } from "../database-sync/database-sync-function";
import type { PolicyStatement } from "../iam/policy";
import { BundledFunction, type FunctionVpcPlacement } from "../lambda-packaging/bundled-function";
import { jsonAttribute } from "../json-attribute";

/** Runtime settings of the rotation function, exported for the docs and tests. */
export const SECRET_ROTATION_FUNCTION = {
  /** Four steps, each a few logins and statements; a cold start in a VPC takes seconds. */
  timeoutSeconds: 120,
} as const;

/** Lambda's limit on the total size of a function's environment variables. */
const LAMBDA_VARIABLES_LIMIT = 4096;
/** Room left for the other variables (NODE_OPTIONS, NODE_EXTRA_CA_CERTS) and their names. */
const OTHER_VARIABLES_ALLOWANCE = 256;
/** Length assumed for a value known only at apply time (an endpoint or a secret ARN is well below). */
const UNRESOLVED_VALUE_LENGTH = 128;

/** A cluster whose users the function rotates. */
export interface RotationDatabaseTarget {
  /** The database's short name (`ledger`). */
  readonly name: string;
  readonly engine: DatabaseEngine;
  readonly writerEndpoint: string;
  readonly port: number;
  readonly databaseName: string;
  /** The master user's secret: the alternating-users strategy creates and sets users with it. */
  readonly masterSecretArn: string;
}

/** One secret the function rotates. */
export interface RotatedSecret {
  /** The secret's name, known at synth time (the function looks secrets up by name). */
  readonly name: string;
  readonly arn: string;
  /** The `name` of its database. */
  readonly database: string;
  /** `single-user` for a master user (it sets its own password); `alternating-users` for an application user. */
  readonly strategy: "single-user" | "alternating-users";
  readonly user: string;
  /** The application user's level (alternating users only). */
  readonly grant?: DatabaseGrantLevel;
  readonly rotationDays: number;
  /** What must exist before the first rotation runs (the cluster's instances, the secret's first version). */
  readonly after: readonly ITerraformDependable[];
}

export interface SecretRotationFunctionProps {
  readonly functionName: string;
  readonly accountId: string;
  readonly region: string;
  /** The environment key: encrypts the secrets, and the function's logs, variables and dead letters. */
  readonly kmsKeyArn: string;
  readonly defaults: LambdaConfig;
  /** The private subnets and the `lambda` security group (egress to the databases and the VPC endpoints only). */
  readonly vpc: FunctionVpcPlacement;
  readonly databases: readonly RotationDatabaseTarget[];
  readonly secrets: readonly RotatedSecret[];
  /** Resources the first rotation needs besides the function and the secret's own `after`. @default none */
  readonly after?: readonly ITerraformDependable[];
}

/**
 * The environment's Secrets Manager rotation function (`lambdas/secret-rotation`) in the private
 * subnets, reaching Secrets Manager through the VPC's interface endpoint and the databases over
 * verified TLS, and for each secret the permission for Secrets Manager to invoke it (for that secret
 * and account only) and the rotation schedule. The role may touch exactly the rotated secrets (and
 * read the master secrets it creates users with), and use the environment key only through Secrets
 * Manager. Passwords are generated in the function, so it needs no `GetRandomPassword` on `*`.
 *
 * @example
 * new SecretRotationFunction(this, "secret-rotation", { functionName: "replica-prod-secret-rotation", databases, secrets, vpc, ... });
 */
export class SecretRotationFunction extends Construct {
  readonly function: BundledFunction;
  readonly rotations: readonly SecretsmanagerSecretRotation[];

  constructor(scope: Construct, id: string, props: SecretRotationFunctionProps) {
    super(scope, id);
    if (props.secrets.length === 0) throw new Error(`${props.functionName}: a rotation function needs at least one secret to rotate`);
    const targets = rotationTargets(props);
    const size = estimatedSize(targets);
    if (size > LAMBDA_VARIABLES_LIMIT - OTHER_VARIABLES_ALLOWANCE) {
      throw new Error(
        `${props.functionName}: the ${props.secrets.length} secrets to rotate need about ${size} characters of ROTATION_TARGETS, more than Lambda's ${LAMBDA_VARIABLES_LIMIT}-byte limit on variables allows; declare fewer application users in this environment`,
      );
    }
    this.function = new BundledFunction(this, "function", {
      handler: "secret-rotation",
      functionName: props.functionName,
      description: "Rotates the database secrets of the environment (global databases' master users, application users)",
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      timeoutSeconds: SECRET_ROTATION_FUNCTION.timeoutSeconds,
      vpc: props.vpc,
      // The function is created after the VPC's Secrets Manager endpoint, and each rotation after the function.
      awsServices: ["secretsmanager"],
      environment: {
        ROTATION_TARGETS: jsonAttribute(targets),
        // Node.js Lambda runtimes ship the Amazon RDS CAs but load them only when told to.
        NODE_EXTRA_CA_CERTS: DATABASE_SYNC_FUNCTION.caBundle,
      },
      statements: statements(props),
    });
    const after = props.after ?? [];
    this.rotations = props.secrets.map((secret) => {
      const permission = new LambdaPermission(this, `invoke-${secret.name}`, {
        statementId: `SecretsManager-${secret.name}`.slice(0, 100),
        action: "lambda:InvokeFunction",
        functionName: this.function.name,
        principal: "secretsmanager.amazonaws.com",
        sourceArn: secret.arn,
        sourceAccount: props.accountId,
      });
      return new SecretsmanagerSecretRotation(this, `rotation-${secret.name}`, {
        secretId: secret.arn,
        rotationLambdaArn: this.function.arn,
        rotationRules: { automaticallyAfterDays: secret.rotationDays },
        // The first rotation runs at once: it creates application users, and replaces the password
        // Terraform generated with one Terraform never saw.
        rotateImmediately: true,
        dependsOn: [permission, ...secret.after, ...after],
      });
    });
  }
}

/** ROTATION_TARGETS (lambdas/secret-rotation/config.ts): the databases by name, the secrets by name. */
function rotationTargets(props: SecretRotationFunctionProps) {
  const used = new Set(props.secrets.map((s) => s.database));
  return {
    databases: Object.fromEntries(
      props.databases
        .filter((d) => used.has(d.name))
        .map((d) => [d.name, { engine: d.engine === "aurora-postgresql" ? "postgres" : "mysql", host: d.writerEndpoint, port: d.port, database: d.databaseName, masterSecretArn: d.masterSecretArn }]),
    ),
    secrets: Object.fromEntries(
      props.secrets.map((s) => [s.name, { strategy: s.strategy, database: s.database, user: s.user, ...(s.strategy === "alternating-users" ? { grant: s.grant } : {}) }]),
    ),
  };
}

/** The variable's length once Terraform has filled in the endpoints and ARNs, at most. */
function estimatedSize(targets: unknown): number {
  return JSON.stringify(targets, (_key, value) => (typeof value === "string" && Token.isUnresolved(value) ? "x".repeat(UNRESOLVED_VALUE_LENGTH) : value)).length;
}

function statements(props: SecretRotationFunctionProps): PolicyStatement[] {
  const rotated = props.secrets.map((s) => s.arn);
  const alternatingDatabases = new Set(props.secrets.filter((s) => s.strategy === "alternating-users").map((s) => s.database));
  const masters = [...new Set(props.databases.filter((d) => alternatingDatabases.has(d.name)).map((d) => d.masterSecretArn))];
  return [
    {
      sid: "RotateOwnSecrets",
      actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
      resources: rotated,
    },
    ...(masters.length > 0 ? [{ sid: "ReadMasterSecrets", actions: ["secretsmanager:GetSecretValue"], resources: masters }] : []),
    {
      sid: "UseKeyThroughSecretsManager",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [props.kmsKeyArn],
      conditions: { StringEquals: { "kms:ViaService": [`secretsmanager.${props.region}.amazonaws.com`] } },
    },
  ];
}
