/** Routes the validator's triggers: a function URL request, or a scheduled validation. */
import type { LambdaFunctionURLResult } from "aws-lambda";
import { isFunctionUrlRequest, serveReport } from "./http";
import { latestReportKey, validate, type ValidateDeps, type ValidationReport } from "./validate";

export async function handleValidatorEvent(event: unknown, deps: ValidateDeps): Promise<LambdaFunctionURLResult | ValidationReport> {
  if (isFunctionUrlRequest(event)) {
    return serveReport(event, deps.s3, deps.config.artifactsBucket, latestReportKey(deps.config));
  }
  const envelope = (event ?? {}) as { "detail-type"?: string; action?: string };
  if (envelope["detail-type"] === "Scheduled Event" || envelope.action === "validate") {
    return validate(deps);
  }
  throw new Error(`Unsupported event for config-validator (detail-type "${String(envelope["detail-type"])}"); expected a function URL request, "Scheduled Event" or {"action":"validate"}.`);
}
