import { Construct } from "constructs";
import type { ConfigMirrorConfig, LambdaConfig } from "../config/types";
import { BundledFunction } from "../lambda-packaging/bundled-function";
import { configParameterArns } from "./parameters";
import { jsonAttribute } from "../json-attribute";

export interface ConfigMirrorProps {
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly kmsKeyArn: string;
  readonly settings: ConfigMirrorConfig;
  readonly target: {
    readonly environment: string;
    readonly roleArn: string;
    readonly externalId: string;
    /** The target environment's key, by alias ARN (SSM resolves it in the target account). */
    readonly kmsKeyId: string;
  };
  readonly ledgerTableName: string;
  readonly ledgerTableArn: string;
  readonly metricsNamespace: string;
  readonly defaults: LambdaConfig;
}

/**
 * The config mirror (`lambdas/config-mirror`): copies `/app/<env>/config/**` into the next
 * environment through the target's config-writer role. Its rules (change events and the reconcile
 * schedule) are composed by the stack.
 */
export class ConfigMirror extends Construct {
  readonly function: BundledFunction;

  constructor(scope: Construct, id: string, props: ConfigMirrorProps) {
    super(scope, id);
    this.function = new BundledFunction(this, "function", {
      handler: "config-mirror",
      functionName: props.functionName,
      description: `Mirrors /app/${props.environment}/config/ into ${props.target.environment}`,
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      reservedConcurrency: props.defaults.reservedConcurrency,
      // The reconcile walks whole hierarchies with adaptive retries.
      timeoutSeconds: 300,
      environment: {
        ENVIRONMENT: props.environment,
        SOURCE_ENVIRONMENT: props.environment,
        TARGET_ENVIRONMENT: props.target.environment,
        TARGET_ROLE_ARN: props.target.roleArn,
        TARGET_EXTERNAL_ID: props.target.externalId,
        TARGET_KMS_KEY_ID: props.target.kmsKeyId,
        TARGET_REGION: props.region,
        ALLOW_PATTERNS: jsonAttribute(props.settings.allowPatterns),
        DENY_PATTERNS: jsonAttribute(props.settings.denyPatterns),
        DELETE_POLICY: props.settings.deletePolicy,
        LEDGER_TABLE_NAME: props.ledgerTableName,
        METRICS_NAMESPACE: props.metricsNamespace,
      },
      statements: [
        { sid: "ReadSourceConfiguration", actions: ["ssm:GetParameter", "ssm:GetParametersByPath"], resources: configParameterArns(props.region, props.accountId, props.environment) },
        { sid: "AssumeTargetConfigWriter", actions: ["sts:AssumeRole"], resources: [props.target.roleArn] },
        { sid: "RecordInLedger", actions: ["dynamodb:PutItem"], resources: [props.ledgerTableArn] },
      ],
    });
  }
}
