import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import { jsonAttribute } from "../json-attribute";

/** Stream-mapping settings, exported for the docs and tests. */
export const STREAM_MAPPING = {
  batchSize: 10,
  maximumBatchingWindowInSeconds: 1,
  maximumRetryAttempts: 5,
  maximumRecordAgeInSeconds: 6 * 3600,
} as const;

export interface LedgerStreamMappingProps {
  readonly functionArn: string;
  readonly streamArn: string;
  /** The function's dead-letter queue: where records go that fail every retry. */
  readonly deadLetterQueueArn: string;
  /**
   * Only records of this environment's items reach the function. A multi-account global table
   * streams every member's writes into every replica; each environment announces its own.
   * @default every record
   */
  readonly environment?: string;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Lambda filter patterns that pass a record when its new image (insert, modify) or its old image
 * (remove) belongs to `environment`; every ledger item carries an `environment` attribute.
 */
export function environmentRecordFilters(environment: string): { pattern: string }[] {
  return ["NewImage", "OldImage"].map((image) => ({ pattern: jsonAttribute({ dynamodb: { [image]: { environment: { S: [environment] } } } }) }));
}

/**
 * The stream processor's event source mapping on a ledger stream: partial batch responses (the
 * function reports the first record it could not complete), bisection on function errors (a crash
 * or timeout, where no report is possible, still isolates the poison record), bounded retries and
 * record age, and the function's dead-letter queue as the on-failure destination, so one bad record
 * never stalls the shard.
 */
export function ledgerStreamMapping(scope: Construct, id: string, props: LedgerStreamMappingProps): LambdaEventSourceMapping {
  return new LambdaEventSourceMapping(scope, id, {
    provider: props.provider,
    functionName: props.functionArn,
    eventSourceArn: props.streamArn,
    startingPosition: "TRIM_HORIZON",
    functionResponseTypes: ["ReportBatchItemFailures"],
    bisectBatchOnFunctionError: true,
    parallelizationFactor: 1,
    ...STREAM_MAPPING,
    filterCriteria: props.environment === undefined ? undefined : { filter: environmentRecordFilters(props.environment) },
    destinationConfig: { onFailure: { destinationArn: props.deadLetterQueueArn } },
    dependsOn: props.dependsOn,
  });
}
