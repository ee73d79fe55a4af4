import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Construct } from "constructs";
import type { LambdaConfig } from "../config/types";
import { configParameterArns } from "../config-mirror/parameters";
import { BundledFunction } from "../lambda-packaging/bundled-function";
import { jsonAttribute } from "../json-attribute";

/** Where the validator keeps its reports in the artifacts bucket (handler default `reports/`). */
export const REPORT_PREFIX = "reports/";
/** The validator's own reports (`<REPORT_PREFIX>config-validation/<stamp>.json` and `latest.json`). */
export const VALIDATION_REPORT_PREFIX = `${REPORT_PREFIX}config-validation/`;

/** One environment of VALIDATION_ENVIRONMENTS, as the handler reads it. */
export interface ValidationEnvironment {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly ledgerTableName: string;
  /** Omitted for the validator's own environment. */
  readonly roleArn?: string;
  readonly externalId?: string;
}

export interface StatusEndpointProps {
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly kmsKeyArn: string;
  readonly metricsNamespace: string;
  readonly artifactsBucketName: string;
  readonly ledgerTableArn: string;
  /** Every environment in promotion order, the own one without a role. */
  readonly environments: readonly ValidationEnvironment[];
  /** SSM keys expected to differ between environments (the environment's mirror deny list). */
  readonly ignorePatterns: readonly string[];
  /**
   * Roles of other accounts (the operations account's `statusEndpoint.callerRoleNames`) that may call
   * the URL; the resource policy names each role, never a whole account. Each must exist before this
   * stack applies (Lambda rejects a principal it cannot resolve). @default none
   */
  readonly callerRoleArns?: readonly string[];
  readonly defaults: LambdaConfig;
}

/**
 * The config validator (`lambdas/config-validator`) and its function URL, the platform's
 * "replication status endpoint": IAM-authenticated (SigV4), serving the latest drift report. Within
 * the account, callers need `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` in their own
 * policies; each role in `callerRoleArns` (another account) is admitted by the function's resource
 * policy, and needs the same two actions in its own policy.
 */
export class StatusEndpoint extends Construct {
  readonly function: BundledFunction;
  readonly url: LambdaFunctionUrl;

  constructor(scope: Construct, id: string, props: StatusEndpointProps) {
    super(scope, id);
    const reports = `arn:aws:s3:::${props.artifactsBucketName}/${VALIDATION_REPORT_PREFIX}`;
    const roles = props.environments.flatMap((e) => (e.roleArn ? [e.roleArn] : []));
    this.function = new BundledFunction(this, "function", {
      handler: "config-validator",
      functionName: props.functionName,
      description: "Compares configuration, schemas and tables across environments; serves the drift report",
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      reservedConcurrency: props.defaults.reservedConcurrency,
      timeoutSeconds: 120,
      environment: {
        ENVIRONMENT: props.environment,
        METRICS_NAMESPACE: props.metricsNamespace,
        ARTIFACTS_BUCKET: props.artifactsBucketName,
        REPORT_PREFIX,
        VALIDATION_ENVIRONMENTS: jsonAttribute(props.environments),
        IGNORE_PATTERNS: jsonAttribute(props.ignorePatterns),
      },
      statements: [
        ...(roles.length > 0 ? [{ sid: "AssumeOtherEnvironmentAgents", actions: ["sts:AssumeRole"], resources: roles }] : []),
        { sid: "WriteReports", actions: ["s3:PutObject"], resources: [`${reports}*`] },
        { sid: "ReadLatestReport", actions: ["s3:GetObject"], resources: [`${reports}latest.json`] },
        // Unconditioned: S3 checks ListBucket (without a prefix) to answer NoSuchKey instead of
        // AccessDenied, which the handler turns into "no report yet" (404) before the first run.
        { sid: "ListReports", actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::${props.artifactsBucketName}`] },
        { sid: "ReadOwnConfiguration", actions: ["ssm:GetParametersByPath"], resources: configParameterArns(props.region, props.accountId, props.environment) },
        { sid: "ReadOwnLedger", actions: ["dynamodb:Query", "dynamodb:DescribeTable"], resources: [props.ledgerTableArn] },
      ],
    });
    this.url = new LambdaFunctionUrl(this, "url", { functionName: this.function.name, authorizationType: "AWS_IAM" });
    (props.callerRoleArns ?? []).forEach((roleArn) => {
      const [account, name] = [roleArn.split(":")[4], roleArn.split("/").pop()!];
      const id = `${account}-${name}`;
      const statement = `${account}${name.replace(/[^A-Za-z0-9_-]/g, "")}`.slice(0, 90);
      new LambdaPermission(this, `url-${id}`, {
        statementId: `StatusEndpointUrl${statement}`,
        action: "lambda:InvokeFunctionUrl",
        functionName: this.function.name,
        principal: roleArn,
        functionUrlAuthType: "AWS_IAM",
      });
      // Since October 2025 a function URL call also needs lambda:InvokeFunction.
      new LambdaPermission(this, `invoke-${id}`, {
        statementId: `StatusEndpointInvoke${statement}`,
        action: "lambda:InvokeFunction",
        functionName: this.function.name,
        principal: roleArn,
      });
    });
  }
}
