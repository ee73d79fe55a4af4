import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { Construct } from "constructs";
import { BundledFunction } from "../lambda-packaging/bundled-function";
import type { LambdaConfig } from "../config/types";
import type { LedgerTable } from "./ledger-table";

export interface StreamProcessorProps {
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly kmsKeyArn: string;
  readonly ledger: LedgerTable;
  /** Where ledger changes are announced: the central bus ARN. */
  readonly eventBusArn: string;
  readonly metricsNamespace: string;
  readonly defaults: LambdaConfig;
}

/** Stream-mapping settings, exported for the docs and tests. */
export const STREAM_MAPPING = {
  batchSize: 10,
  maximumBatchingWindowInSeconds: 1,
  maximumRetryAttempts: 5,
  maximumRecordAgeInSeconds: 6 * 3600,
} as const;

/**
 * The stream processor (`lambdas/stream-processor`) and its event source mapping on the ledger
 * stream: partial batch responses (the function reports the first record it could not complete),
 * bisection on function errors (a crash or timeout, where no report is possible, still isolates the
 * poison record), bounded retries and record age, and the function's dead-letter queue as the
 * on-failure destination, so one bad record never stalls the shard.
 */
export class StreamProcessor extends Construct {
  readonly function: BundledFunction;
  readonly mapping: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, props: StreamProcessorProps) {
    super(scope, id);
    const streams = `${props.ledger.arn}/stream/*`;
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
    this.mapping = new LambdaEventSourceMapping(this, "mapping", {
      functionName: this.function.function.arn,
      eventSourceArn: props.ledger.streamArn,
      startingPosition: "TRIM_HORIZON",
      functionResponseTypes: ["ReportBatchItemFailures"],
      bisectBatchOnFunctionError: true,
      parallelizationFactor: 1,
      ...STREAM_MAPPING,
      destinationConfig: { onFailure: { destinationArn: this.function.deadLetterQueue.arn } },
      // Lambda checks the role's stream permissions when the mapping is created.
      dependsOn: [this.function.node.findChild("policy") as IamRolePolicy],
    });
  }
}
