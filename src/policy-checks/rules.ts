import { parseJsonAttribute } from "../json-attribute";
import type { ResourceView } from "./resource-view";

/** A broken rule, reported against the resource that breaks it. */
export interface Violation {
  readonly resource: ResourceView;
  readonly rule: string;
  readonly message: string;
}

export interface RuleContext {
  readonly resources: readonly ResourceView[];
  readonly requiredTags: readonly string[];
}

export type Rule = (context: RuleContext) => Violation[];

const ofType = (resources: readonly ResourceView[], type: string) => resources.filter((r) => r.type === type);

/** Does `value` (a resolved argument) point at `target`, by reference or by literal name? */
function refersTo(value: unknown, target: ResourceView, literalKey: string): boolean {
  if (typeof value !== "string") return false;
  return value.includes(`\${${target.address}.`) || value === target.config[literalKey];
}

/** Companion resources of a bucket (versioning, encryption, ...) that name it in their `bucket`. */
function companions(context: RuleContext, bucket: ResourceView, type: string): ResourceView[] {
  return ofType(context.resources, type).filter((r) => refersTo(r.config.bucket, bucket, "bucket"));
}

function bucketRule(rule: string, message: string, satisfied: (context: RuleContext, bucket: ResourceView) => boolean): Rule {
  return (context) =>
    ofType(context.resources, "aws_s3_bucket")
      .filter((bucket) => !satisfied(context, bucket))
      .map((resource) => ({ resource, rule, message }));
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** A policy argument read back: its statements, or why it cannot be read. */
function readPolicy(policy: unknown): { readonly statements: Statement[]; readonly unreadable?: string } {
  if (policy === undefined || policy === null) return { statements: [] };
  if (typeof policy !== "string") return { statements: [], unreadable: `it is a ${typeof policy}, not a JSON document` };
  try {
    const parsed = parseJsonAttribute(policy) as { Statement?: Statement | Statement[] } | null;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { statements: [], unreadable: "it is not a JSON object" };
    return { statements: ([] as Statement[]).concat(parsed.Statement ?? []) };
  } catch (error) {
    return { statements: [], unreadable: (error as Error).message };
  }
}

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action ?? []);

/** A KMS key policy's grant of `kms:*` to the account root is what lets IAM manage the key. */
function isKeyRootStatement(resource: ResourceView, s: Statement): boolean {
  if (resource.type !== "aws_kms_key") return false;
  const principals = ([] as string[]).concat((s.Principal as { AWS?: string | string[] } | undefined)?.AWS ?? []);
  return principals.length > 0 && principals.every((p) => /^arn:aws:iam::\d{12}:root$/.test(p));
}

/** Every argument of a resource that holds an IAM policy document. */
function policiesOf(resource: ResourceView): unknown[] {
  const inline = (resource.config.inline_policy as { policy?: unknown }[] | undefined) ?? [];
  return [resource.config.policy, resource.config.assume_role_policy, ...inline.map((p) => p.policy)];
}

/** Each view's policies, read once however many rules read them (views live as long as one check). */
const readPolicies = new WeakMap<ResourceView, ReturnType<typeof readPolicy>[]>();

/** The policy documents a resource holds, read back. */
function policiesRead(resource: ResourceView): ReturnType<typeof readPolicy>[] {
  let read = readPolicies.get(resource);
  if (read === undefined) readPolicies.set(resource, (read = policiesOf(resource).map(readPolicy)));
  return read;
}

/**
 * The statements of a resource's policies. An unreadable policy yields none here, so every rule that
 * reads statements would pass it: the `policy-readable` rule reports it instead.
 */
const statementsOf = (resource: ResourceView): Statement[] => policiesRead(resource).flatMap((p) => p.statements);

export const RULES: Readonly<Record<string, Rule>> = {
  "bucket-encryption": bucketRule("bucket-encryption", "S3 bucket has no default encryption (aws_s3_bucket_server_side_encryption_configuration)", (context, bucket) =>
    companions(context, bucket, "aws_s3_bucket_server_side_encryption_configuration").length > 0,
  ),
  "bucket-versioning": bucketRule("bucket-versioning", "S3 bucket versioning is not enabled", (context, bucket) =>
    companions(context, bucket, "aws_s3_bucket_versioning").some((v) => (v.config.versioning_configuration as { status?: string } | undefined)?.status === "Enabled"),
  ),
  "bucket-public-access-block": bucketRule("bucket-public-access-block", "S3 bucket does not block all public access", (context, bucket) =>
    companions(context, bucket, "aws_s3_bucket_public_access_block").some(
      (b) => b.config.block_public_acls === true && b.config.block_public_policy === true && b.config.ignore_public_acls === true && b.config.restrict_public_buckets === true,
    ),
  ),
  "bucket-tls-only": bucketRule("bucket-tls-only", "S3 bucket policy does not deny requests without TLS (aws:SecureTransport = false)", (context, bucket) =>
    companions(context, bucket, "aws_s3_bucket_policy").some((p) =>
      statementsOf(p).some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false"),
    ),
  ),
  "kms-rotation": (context) =>
    ofType(context.resources, "aws_kms_key")
      .filter((key) => key.config.enable_key_rotation !== true)
      .map((resource) => ({ resource, rule: "kms-rotation", message: "KMS key does not rotate (enable_key_rotation)" })),
  "iam-wildcard-action": (context) =>
    context.resources.flatMap((resource) =>
      statementsOf(resource)
        .filter((s) => (s.Effect ?? "Allow") === "Allow" && !isKeyRootStatement(resource, s))
        .flatMap(actionsOf)
        .filter((action) => action.includes("*"))
        .map((action) => ({ resource, rule: "iam-wildcard-action", message: `policy allows the wildcard action "${action}"; list the actions it needs` })),
    ),
  "policy-readable": (context) =>
    context.resources.flatMap((resource) =>
      policiesRead(resource).flatMap((p) => (p.unreadable === undefined ? [] : [{ resource, rule: "policy-readable", message: `policy document cannot be read, so no rule can check it (${p.unreadable})` }])),
    ),
  "database-encryption": (context) =>
    context.resources
      .filter((r) => (r.type === "aws_rds_cluster" || r.type === "aws_db_instance" || r.type === "aws_rds_global_cluster") && r.config.storage_encrypted !== true)
      .map((resource) => ({ resource, rule: "database-encryption", message: "database storage is not encrypted (storage_encrypted)" })),
  "table-encryption": (context) =>
    ofType(context.resources, "aws_dynamodb_table")
      .filter((t) => (t.config.server_side_encryption as { enabled?: boolean; kms_key_arn?: string } | undefined)?.kms_key_arn === undefined)
      .map((resource) => ({ resource, rule: "table-encryption", message: "DynamoDB table is not encrypted with a customer-managed key (server_side_encryption.kms_key_arn)" })),
  "log-group-encryption": (context) =>
    ofType(context.resources, "aws_cloudwatch_log_group")
      .filter((g) => !g.config.kms_key_id)
      .map((resource) => ({ resource, rule: "log-group-encryption", message: "log group is not encrypted with a KMS key (kms_key_id)" })),
  "log-group-retention": (context) =>
    ofType(context.resources, "aws_cloudwatch_log_group")
      .filter((g) => typeof g.config.retention_in_days !== "number" || (g.config.retention_in_days as number) <= 0)
      .map((resource) => ({ resource, rule: "log-group-retention", message: "log group keeps logs forever; set retention_in_days" })),
  "topic-encryption": (context) =>
    context.resources
      .filter((r) => (r.type === "aws_sns_topic" || r.type === "aws_sqs_queue") && !r.config.kms_master_key_id)
      .map((resource) => ({ resource, rule: "topic-encryption", message: "topic or queue is not encrypted with a KMS key (kms_master_key_id)" })),
  "instance-metadata-v2": (context) =>
    ofType(context.resources, "aws_launch_template")
      .filter((t) => {
        const metadata = (t.config.metadata_options as { http_tokens?: string; http_put_response_hop_limit?: number } | undefined) ?? {};
        return metadata.http_tokens !== "required" || metadata.http_put_response_hop_limit !== 1;
      })
      .map((resource) => ({ resource, rule: "instance-metadata-v2", message: "launch template does not require IMDSv2 with a hop limit of 1 (metadata_options.http_tokens, http_put_response_hop_limit)" })),
  "volume-encryption": (context) =>
    ofType(context.resources, "aws_launch_template")
      .filter((t) => {
        const devices = (t.config.block_device_mappings as { ebs?: { encrypted?: string; kms_key_id?: string } }[] | undefined) ?? [];
        return devices.length === 0 || devices.some((d) => String(d.ebs?.encrypted) !== "true" || !d.ebs?.kms_key_id);
      })
      .map((resource) => ({ resource, rule: "volume-encryption", message: "launch template volumes are not all encrypted with a customer-managed key (block_device_mappings.ebs.encrypted, kms_key_id)" })),
  "viewer-tls": (context) =>
    ofType(context.resources, "aws_cloudfront_distribution").flatMap((resource) => {
      const behaviors = [resource.config.default_cache_behavior, ...((resource.config.ordered_cache_behavior as unknown[] | undefined) ?? [])] as { viewer_protocol_policy?: string }[];
      const certificate = (resource.config.viewer_certificate as { acm_certificate_arn?: string; minimum_protocol_version?: string } | undefined) ?? {};
      const problems: string[] = [];
      if (behaviors.some((b) => b?.viewer_protocol_policy !== "https-only" && b?.viewer_protocol_policy !== "redirect-to-https")) problems.push("a cache behavior lets viewers use plain HTTP (viewer_protocol_policy)");
      if (certificate.acm_certificate_arn && !/^TLSv1\.2_20(19|21)$|^TLSv1\.3/.test(certificate.minimum_protocol_version ?? "")) problems.push("the custom certificate allows TLS below 1.2 (viewer_certificate.minimum_protocol_version)");
      return problems.map((message) => ({ resource, rule: "viewer-tls", message }));
    }),
  "listener-tls-policy": (context) =>
    ofType(context.resources, "aws_lb_listener")
      .filter((l) => l.config.protocol === "HTTPS" && !/^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/.test(String(l.config.ssl_policy ?? "")))
      .map((resource) => ({ resource, rule: "listener-tls-policy", message: "HTTPS listener allows TLS below 1.2 (ssl_policy)" })),
  "edge-logging": (context) => [
    ...ofType(context.resources, "aws_lb")
      .filter((lb) => (lb.config.access_logs as { enabled?: boolean; bucket?: string } | undefined)?.enabled !== true)
      .map((resource) => ({ resource, rule: "edge-logging", message: "load balancer has no access logs (access_logs.enabled)" })),
    ...ofType(context.resources, "aws_cloudfront_distribution")
      .filter((d) => !d.config.logging_config && !ofType(context.resources, "aws_cloudwatch_log_delivery_source").some((source) => refersTo(source.config.resource_arn, d, "arn")))
      .map((resource) => ({ resource, rule: "edge-logging", message: "distribution has no standard logs (a log delivery source for it, or logging_config)" })),
  ],
  "required-tags": (context) =>
    context.resources
      .filter((r) => r.taggable)
      .flatMap((resource) => {
        const missing = context.requiredTags.filter((key) => !resource.effectiveTags[key]);
        return missing.length ? [{ resource, rule: "required-tags", message: `resource lacks the required tags ${missing.join(", ")}` }] : [];
      }),
};
