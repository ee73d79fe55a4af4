import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { Construct } from "constructs";
import { BundledFunction } from "../lambda-packaging/bundled-function";
import type { LambdaConfig } from "../config/types";
import { ledgerStreamMapping } from "./stream-mapping";

export { STREAM_MAPPING } from "./stream-mapping";

export interface StreamProcessorProps {
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly kmsKeyArn: string;
  /** The ledger table (or replica) whose items the function may record failures about. */
  readonly ledgerTableArn: string;
  /**
   * The stream the function consumes. Absent when the stream is created by another stack (a
   * multi-account replica, created by the source environment's stack, which maps it there).
   * @default no event source mapping here
   */
  readonly stream?: {
    readonly arn: string;
    /** Pass only this environment's items (a multi-account global table streams every member's). @default every record */
    readonly environment?: string;
  };
  /** Where ledger changes are announced: the central bus ARN. */
  readonly eventBusArn: string;
  readonly metricsNamespace: string;
  readonly defaults: LambdaConfig;
}

/**
 * The stream processor (`lambdas/stream-processor`) and, where the stream is known here, its event
 * source mapping on the ledger stream (`ledgerStreamMapping`).
 */
export class StreamProcessor extends Construct {
  readonly function: BundledFunction;
  readonly mapping?: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, props: StreamProcessorProps) {
    super(scope, id);
    const streams = `${props.ledgerTableArn}/stream/*`;
    this.function = new BundledFunction(this, "function", {
      handler: "stream-processor",
      functionName: props.functionName,
      description: "Announces replication-ledger changes on the central event bus",
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      reservedConcurrency: props.defaults.reservedConcurrency,
      environment: { ENVIRONMENT: props.environment, EVENT_BUS_NAME: props.eventBusArn, METRICS_NAMESPACE: props.metricsNamespace },
      statements: [
        { sid: "ReadLedgerStream", actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"], resources: [streams] },
        { sid: "AnnounceOnCentralBus", actions: ["events:PutEvents"], resources: [props.eventBusArn] },
      ],
    });
    if (props.stream) {
      this.mapping = ledgerStreamMapping(this, "mapping", {
        functionArn: this.function.function.arn,
        streamArn: props.stream.arn,
        deadLetterQueueArn: this.function.deadLetterQueue.arn,
        environment: props.stream.environment,
        // Lambda checks the role's stream permissions when the mapping is created.
        dependsOn: [this.function.node.findChild("policy") as IamRolePolicy],
      });
    }
  }
}
