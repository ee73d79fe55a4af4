/**
 * The function URL (AuthType AWS_IAM, payload format 2.0): GET returns the latest report,
 * anything else 405. IAM auth happens before the function runs, so no auth logic here.
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from "@aws-sdk/client-s3";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";

export function isFunctionUrlRequest(event: unknown): event is LambdaFunctionURLEvent {
  const http = (event as { requestContext?: { http?: { method?: unknown } } })?.requestContext?.http;
  return typeof http?.method === "string";
}

export async function serveReport(event: LambdaFunctionURLEvent, s3: S3Client, bucket: string, key: string): Promise<LambdaFunctionURLResult> {
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== "GET") {
    return json(405, { message: `Method ${method} not allowed; use GET.` }, { Allow: "GET" });
  }
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = (await object.Body?.transformToString("utf-8")) ?? "";
    return { statusCode: 200, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" }, body };
  } catch (err) {
    if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey") {
      return json(404, { message: "No validation report yet; the scheduled run writes the first one." });
    }
    throw err;
  }
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): LambdaFunctionURLResult {
  return { statusCode, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}
