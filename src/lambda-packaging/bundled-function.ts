import { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import type { TerraformProvider } from "cdktf";
import type { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";
import type { AwsService, VpcEndpointRequests } from "../network/endpoints";
import { denyInsecureTransport, policyDocument, serviceTrustPolicy, type PolicyStatement } from "../iam/policy";
import { bundledHandler, LAMBDA_RUNTIME } from "./bundle";
import { BundleAsset } from "./bundle-asset";

/** Where a function runs inside a VPC. */
export interface FunctionVpcPlacement {
  readonly subnetIds: readonly string[];
  /** Groups already admitted to the VPC's interface endpoints (`VpcEndpoints.admit`), such as the data tier's `lambda` group. */
  readonly securityGroupIds: readonly string[];
  /** The VPC's endpoints: the function requires one for each of its `awsServices`. */
  readonly endpoints: VpcEndpointRequests;
}

export interface BundledFunctionProps {
  /** The handler folder: `lambdas/<handler>/index.ts`, exporting `handler`. */
  readonly handler: string;
  /** The function name, also the name of its role, log group and dead-letter queue. */
  readonly functionName: string;
  readonly description: string;
  readonly accountId: string;
  readonly region: string;
  /** The environment key: encrypts the log group, the environment variables and the dead-letter queue. */
  readonly kmsKeyArn: string;
  /** The only permissions the function gets, besides writing its own logs, traces and dead letters. */
  readonly statements: readonly PolicyStatement[];
  /** @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memoryMb?: number;
  /** Seconds. @default 60 */
  readonly timeoutSeconds?: number;
  /**
   * Reserved concurrency. Off unless asked for: a new account's concurrency quota leaves no room for
   * reservations (AWS keeps 100 unreserved), so any reservation fails its first apply.
   * @default not reserved (the account's unreserved pool)
   */
  readonly reservedConcurrency?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default not in a VPC */
  readonly vpc?: FunctionVpcPlacement;
  /**
   * The AWS services the handler's code calls (its SDK clients), by endpoint service name. In a VPC,
   * each becomes an endpoint of that VPC (created on first request), and the function is created after
   * them. Lambda itself ships logs, traces and the decryption of variables, so those need none; a
   * service called on the function's behalf (KMS by Secrets Manager or S3) needs none either.
   * __tests__/lambda-packaging/vpc-endpoints.test.ts checks the list against the handler's imports.
   * @default none
   */
  readonly awsServices?: readonly AwsService[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A Lambda function built from `lambdas/<handler>/index.ts`: bundled by esbuild at synth time into one
 * minified CommonJS file with a source map, zipped by the archive provider inside the stack folder, and
 * deployed for arm64 with `source_code_hash`, so changed code deploys and unchanged code does not.
 *
 * Every function also gets: its own log group (KMS, retention, JSON logs), an execution role made only
 * from the statements passed in, X-Ray tracing, environment variables encrypted
 * with the environment key (reserved concurrency only when asked for), and an encrypted dead-letter queue that receives failed asynchronous
 * invocations (and can serve as the on-failure destination of event source mappings).
 *
 * @example
 * new BundledFunction(this, "monitor", {
 *   handler: "replication-monitor", functionName: "app-dev-replication-monitor", description: "...",
 *   accountId, region, kmsKeyArn: key.arn, statements: [{ actions: ["cloudwatch:PutMetricData"], resources: ["*"] }],
 * });
 */
export class BundledFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly deadLetterQueue: SqsQueue;
  /** The handler folder under `lambdas/`. */
  readonly handler: string;
  /** The services the handler calls (`awsServices`). */
  readonly awsServices: readonly AwsService[];
  /** The VPC endpoints serving `awsServices`, when the function runs in a VPC. */
  readonly vpcEndpoints: readonly VpcEndpoint[];

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const provider = props.provider;
    this.handler = props.handler;
    this.awsServices = props.awsServices ?? [];
    this.vpcEndpoints = props.vpc ? props.vpc.endpoints.require(...this.awsServices) : [];
    const bundle = bundledHandler(props.handler);
    const asset = new BundleAsset(this, "bundle", { sourceDir: bundle.dir, hash: bundle.hash });
    // `path.module` keeps the archive's paths relative to the stack folder, which can then be moved,
    // handed to Terraform Cloud or run in CI without the project checkout.
    const archive = new DataArchiveFile(this, "archive", {
      type: "zip",
      sourceDir: `\${path.module}/${asset.path}`,
      outputPath: `\${path.module}/assets/${props.functionName}.zip`,
    });

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      provider,
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? 30,
      kmsKeyId: props.kmsKeyArn,
    });

    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      provider,
      name: `${props.functionName}-dlq`,
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    new SqsQueuePolicy(this, "dlq-policy", {
      provider,
      queueUrl: this.deadLetterQueue.url,
      policy: policyDocument([denyInsecureTransport(["sqs:SendMessage", "sqs:ReceiveMessage"], [this.deadLetterQueue.arn])]),
    });

    this.role = new IamRole(this, "role", {
      provider,
      name: props.functionName,
      description: `Execution role of ${props.functionName}`,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com", props.accountId),
    });
    const logStreams = `arn:aws:logs:${props.region}:${props.accountId}:log-group:/aws/lambda/${props.functionName}:*`;
    const statements: PolicyStatement[] = [
      { sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logStreams] },
      // X-Ray has no resource-level permissions: its actions only accept "*".
      { sid: "WriteTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] },
      { sid: "SendDeadLetters", actions: ["sqs:SendMessage"], resources: [this.deadLetterQueue.arn] },
      { sid: "UseEnvironmentKey", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [props.kmsKeyArn] },
      ...(props.vpc
        ? [
            {
              sid: "ManageVpcNetworkInterfaces",
              // ENI actions cannot be scoped to resources that do not exist yet.
              actions: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
              resources: ["*"],
            },
          ]
        : []),
      ...props.statements,
    ];
    new IamRolePolicy(this, "policy", { provider, name: "least-privilege", role: this.role.name, policy: policyDocument(statements) });

    this.function = new LambdaFunction(this, "function", {
      provider,
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      filename: archive.outputPath,
      sourceCodeHash: archive.outputBase64Sha256,
      memorySize: props.memoryMb ?? 256,
      timeout: props.timeoutSeconds ?? 60,
      // Omitted (not -1 or 0) when not reserved: 0 would stop the function from running at all.
      reservedConcurrentExecutions: props.reservedConcurrency,
      kmsKeyArn: props.kmsKeyArn,
      environment: { variables: { NODE_OPTIONS: "--enable-source-maps", ...(props.environment ?? {}) } },
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      vpcConfig: props.vpc ? { subnetIds: [...props.vpc.subnetIds], securityGroupIds: [...props.vpc.securityGroupIds] } : undefined,
      // In a VPC the SDK's default endpoints resolve only once the interface endpoints exist.
      dependsOn: [this.logGroup, ...this.vpcEndpoints],
    });

    new LambdaFunctionEventInvokeConfig(this, "async", {
      provider,
      functionName: this.function.functionName,
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 6 * 3600,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    });
  }

  get arn(): string {
    return this.function.arn;
  }

  get name(): string {
    return this.function.functionName;
  }
}
