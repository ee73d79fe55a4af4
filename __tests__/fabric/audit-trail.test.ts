import { SynthStack, stackOf } from "./helpers";

const PRIMARY = [
  ["dev-us-east-1", "dev", "111111111111"],
  ["staging-us-east-1", "staging", "222222222222"],
  ["prod-us-east-1", "prod", "333333333333"],
] as const;

describe("audit trail (CloudTrail, one per account)", () => {
  test.each(PRIMARY)("%s: a multi-region, KMS-encrypted trail with log file validation, next to the rule that needs it", (name, env, account) => {
    // GIVEN the primary-region stack WHEN synthesized THEN it holds the account's only trail
    const stack = stackOf(name);
    const trails = Object.values(stack.resources("aws_cloudtrail"));
    expect(trails).toHaveLength(1);
    expect(trails[0]).toMatchObject({
      name: `replica-${env}-audit`,
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      kms_key_id: `\${${stack.address("aws_kms_key", "key/key")}.arn}`,
      s3_bucket_name: `\${${stack.address("aws_s3_bucket", "audit-trail/bucket/bucket")}.bucket}`,
      event_selector: [{ read_write_type: "WriteOnly", include_management_events: true }],
    });
    expect(trails[0].depends_on).toContain(stack.address("aws_s3_bucket_policy", "audit-trail/bucket/policy"));
    expect(stack.resource("aws_s3_bucket", "audit-trail/bucket/bucket").bucket).toBe(`replica-${env}-trail-${account}-us-east-1`);
    // The rule on configuration API calls lives in the same account.
    expect(Object.values(stack.resources("aws_cloudwatch_event_rule")).map((r: any) => r.name)).toContain(`replica-${env}-config-api-calls`);
  });

  test.each(["dev-eu-west-1", "staging-eu-west-1", "prod-eu-west-1"])("%s: no second trail in the DR region (the trail is multi-region)", (name) => {
    expect(Object.keys(stackOf(name).resources("aws_cloudtrail"))).toEqual([]);
  });

  test("its bucket is a secure bucket: SSE-KMS with the environment key, versioned, private, TLS only, access-logged", () => {
    const stack = stackOf("staging-us-east-1");
    const key = `\${${stack.address("aws_kms_key", "key/key")}.arn}`;
    expect(stack.resource("aws_s3_bucket_server_side_encryption_configuration", "audit-trail/bucket/encryption").rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: key });
    expect(stack.resource("aws_s3_bucket_versioning", "audit-trail/bucket/versioning").versioning_configuration.status).toBe("Enabled");
    expect(stack.resource("aws_s3_bucket_public_access_block", "audit-trail/bucket/public-access-block")).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const policy = stack.resource("aws_s3_bucket_policy", "audit-trail/bucket/policy").policy;
    expect(SynthStack.statement(policy, "DenyInsecureTransport").Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
    const logging = stack.resource("aws_s3_bucket_logging", "audit-trail/bucket/logging");
    expect(logging.target_bucket).toBe(`\${${stack.address("aws_s3_bucket", "artifact-access-logs/bucket/bucket")}.bucket}`);
    // The access-log bucket admits log delivery for the trail bucket.
    const logsPolicy = JSON.stringify(stack.resource("aws_s3_bucket_policy", "artifact-access-logs/bucket/policy").policy);
    expect(logsPolicy).toContain("arn:aws:s3:::replica-staging-trail-222222222222-us-east-1");
  });

  test("the bucket policy admits CloudTrail exactly as it requires, for this trail only", () => {
    const stack = stackOf("staging-us-east-1");
    const trailArn = `arn:aws:cloudtrail:us-east-1:222222222222:trail/${stack.resource("aws_cloudtrail", "audit-trail/trail").name}`;
    const bucket = `\${${stack.address("aws_s3_bucket", "audit-trail/bucket/bucket")}.arn}`;
    const policy = stack.resource("aws_s3_bucket_policy", "audit-trail/bucket/policy").policy;
    expect(SynthStack.statement(policy, "CloudTrailChecksBucketAcl")).toEqual({
      Sid: "CloudTrailChecksBucketAcl",
      Effect: "Allow",
      Principal: { Service: ["cloudtrail.amazonaws.com"] },
      Action: ["s3:GetBucketAcl"],
      Resource: [bucket],
      Condition: { StringEquals: { "aws:SourceArn": [trailArn] } },
    });
    expect(SynthStack.statement(policy, "CloudTrailWritesLogFiles")).toMatchObject({
      Action: ["s3:PutObject"],
      Resource: [`${bucket}/AWSLogs/222222222222/*`],
      Condition: { StringEquals: { "s3:x-amz-acl": ["bucket-owner-full-control"], "aws:SourceArn": [trailArn] } },
    });
  });

  test("the environment key lets CloudTrail encrypt log files for this trail only", () => {
    const stack = stackOf("staging-us-east-1");
    const trailArn = `arn:aws:cloudtrail:us-east-1:222222222222:trail/${stack.resource("aws_cloudtrail", "audit-trail/trail").name}`;
    const keyPolicy = stack.resource("aws_kms_key", "key/key").policy;
    expect(SynthStack.statement(keyPolicy, "CloudTrailEncryptsLogs")).toMatchObject({
      Principal: { Service: ["cloudtrail.amazonaws.com"] },
      Action: ["kms:GenerateDataKey"],
      Condition: { StringEquals: { "aws:SourceArn": [trailArn] }, StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": ["arn:aws:cloudtrail:*:222222222222:trail/*"] } },
    });
    expect(SynthStack.statement(keyPolicy, "CloudTrailChecksKey")).toMatchObject({ Action: ["kms:DescribeKey"], Condition: { StringEquals: { "aws:SourceArn": [trailArn] } } });
  });
});
