import { SynthStack, exampleWith, stackOf, synthPlatform } from "./helpers";

const statement = SynthStack.statement;
const dev = () => stackOf("dev-us-east-1");
const staging = () => stackOf("staging-us-east-1");
const stagingDr = () => stackOf("staging-eu-west-1");
const prod = () => stackOf("prod-us-east-1");

const ARTIFACTS = "replica-staging-artifacts-222222222222-us-east-1";
const DR_ARTIFACTS = "replica-staging-artifacts-222222222222-eu-west-1";

describe("artifacts bucket", () => {
  test("is versioned, encrypted with the environment key, private, owner-enforced and TLS-only", () => {
    // GIVEN the example platform WHEN it is synthesized
    const stack = staging();
    // THEN the primary-region artifacts bucket has every safeguard
    expect(stack.resource("aws_s3_bucket", "artifacts/bucket/bucket").bucket).toBe(ARTIFACTS);
    expect(stack.resource("aws_s3_bucket_versioning", "artifacts/bucket/versioning").versioning_configuration.status).toBe("Enabled");
    const sse = stack.resource("aws_s3_bucket_server_side_encryption_configuration", "artifacts/bucket/encryption").rule[0];
    expect(sse.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: `\${${stack.address("aws_kms_key", "key/key")}.arn}` });
    expect(stack.resource("aws_s3_bucket_public_access_block", "artifacts/bucket/public-access-block")).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(stack.resource("aws_s3_bucket_ownership_controls", "artifacts/bucket/ownership").rule.object_ownership).toBe("BucketOwnerEnforced");
    const policy = stack.resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy;
    expect(statement(policy, "DenyInsecureTransport").Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });

  test("expires noncurrent versions and aborts incomplete uploads", () => {
    const rules = staging().resource("aws_s3_bucket_lifecycle_configuration", "artifacts/bucket/lifecycle").rule;
    expect(rules.map((r: any) => r.id)).toEqual(["expire-noncurrent-versions", "abort-incomplete-uploads", "expire-canary", "expire-reports"]);
  });

  test("expires canary markers after a day and validation reports after 90 days, in the bucket and its DR copy", () => {
    for (const stack of [staging(), stagingDr()]) {
      const rules = stack.resource("aws_s3_bucket_lifecycle_configuration", "artifacts/bucket/lifecycle").rule;
      expect(rules.filter((r: any) => r.id.startsWith("expire-c") || r.id === "expire-reports")).toEqual([
        expect.objectContaining({ filter: [{ prefix: "canary/" }], expiration: [{ days: 1 }] }),
        expect.objectContaining({ filter: [{ prefix: "reports/" }], expiration: [{ days: 90 }] }),
      ]);
    }
  });

  test("logs server access to the region's access-log bucket under its own prefix", () => {
    const logging = staging().resource("aws_s3_bucket_logging", "artifacts/bucket/logging");
    expect(logging.target_bucket).toMatch(/^\$\{aws_s3_bucket\.artifact-access-logs_bucket_[A-Z0-9]+\.bucket\}$/);
    expect(logging.target_prefix).toBe(`s3/${ARTIFACTS}/`);
  });

  test("denies uploads that name another encryption algorithm or another KMS key", () => {
    const policy = staging().resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy;
    expect(statement(policy, "DenyOtherEncryptionAlgorithms")).toMatchObject({
      Effect: "Deny",
      Action: ["s3:PutObject"],
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": ["aws:kms"] } },
    });
    expect(statement(policy, "DenyOtherKmsKeys").Condition.StringNotEqualsIfExists["s3:x-amz-server-side-encryption-aws-kms-key-id"]).toEqual([`\${${staging().address("aws_kms_key", "key/key")}.arn}`]);
  });

  test("denies object writes by any other account", () => {
    const policy = staging().resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy;
    const deny = statement(policy, "DenyObjectWritesFromOtherAccounts");
    expect(deny.Effect).toBe("Deny");
    expect(deny.Action).toEqual(expect.arrayContaining(["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]));
    expect(deny.Condition).toEqual({ StringNotEquals: { "aws:PrincipalAccount": ["222222222222"] } });
  });
});

describe("DR bucket", () => {
  test("belongs to the DR-region stack, with the same safeguards and the DR region's key", () => {
    const stack = stagingDr();
    expect(stack.resource("aws_s3_bucket", "artifacts/bucket/bucket").bucket).toBe(DR_ARTIFACTS);
    const sse = stack.resource("aws_s3_bucket_server_side_encryption_configuration", "artifacts/bucket/encryption").rule[0];
    expect(sse.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(stack.resource("aws_s3_bucket_versioning", "artifacts/bucket/versioning").versioning_configuration.status).toBe("Enabled");
    expect(stack.resources("aws_s3_bucket_replication_configuration")).toEqual({});
  });

  test("is readable by no other account", () => {
    const policy = stagingDr().resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy;
    expect(SynthStack.statements(policy).filter((s) => s.Effect === "Allow")).toEqual([]);
  });
});

describe("access-log buckets", () => {
  test.each(["staging-us-east-1", "staging-eu-west-1"])("%s has an SSE-S3 log bucket that only S3 log delivery for the artifacts (and, in the primary region, audit trail) bucket writes to", (name) => {
    const stack = stackOf(name);
    const region = name.replace("staging-", "");
    const sse = stack.resource("aws_s3_bucket_server_side_encryption_configuration", "artifact-access-logs/bucket/encryption").rule[0];
    expect(sse.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
    const delivery = statement(stack.resource("aws_s3_bucket_policy", "artifact-access-logs/bucket/policy").policy, "S3ServerAccessLogDelivery");
    expect(delivery.Principal).toEqual({ Service: ["logging.s3.amazonaws.com"] });
    expect(delivery.Action).toEqual(["s3:PutObject"]);
    expect(delivery.Condition).toEqual({
      ArnLike: {
        "aws:SourceArn": [`arn:aws:s3:::replica-staging-artifacts-222222222222-${region}`, ...(region === "us-east-1" ? ["arn:aws:s3:::replica-staging-trail-222222222222-us-east-1"] : [])],
      },
      StringEquals: { "aws:SourceAccount": ["222222222222"] },
    });
  });
});

describe("replication rules", () => {
  const rules = (stack: SynthStack) => stack.resource("aws_s3_bucket_replication_configuration", "artifact-replication/configuration").rule as any[];

  test("every object replicates to the environment's own DR bucket, re-encrypted with the DR key", () => {
    const rule = rules(staging()).find((r) => r.id === "dr-copy");
    expect(rule.filter).toEqual({ prefix: "" });
    expect(rule.destination.bucket).toBe(`arn:aws:s3:::${DR_ARTIFACTS}`);
    expect(rule.destination.encryption_configuration.replica_kms_key_id).toBe("${data.aws_kms_alias.dr-key.target_key_arn}");
    expect(rule.source_selection_criteria).toEqual({ sse_kms_encrypted_objects: { status: "Enabled" } });
    expect(staging().data("aws_kms_alias")["dr-key"]).toMatchObject({ name: "alias/replica-staging", provider: "aws.other_region" });
  });

  test("the DR rule replicates delete markers, so the DR copy mirrors the source", () => {
    expect(rules(staging()).find((r) => r.id === "dr-copy").delete_marker_replication).toEqual({ status: "Enabled" });
  });

  test("the promotion prefix replicates to the next environment's bucket, owned by its account and re-encrypted with its key", () => {
    const rule = rules(staging()).find((r) => r.id === "promote-to-prod");
    expect(rule.filter).toEqual({ prefix: "promote/" });
    expect(rule.destination).toMatchObject({
      bucket: "arn:aws:s3:::replica-prod-artifacts-333333333333-us-east-1",
      account: "333333333333",
      access_control_translation: { owner: "Destination" },
      encryption_configuration: { replica_kms_key_id: "${data.aws_kms_alias.next-environment-key.target_key_arn}" },
    });
    expect(staging().data("aws_kms_alias")["next-environment-key"]).toMatchObject({ name: "alias/replica-prod", provider: "aws.next" });
  });

  test("the promotion rule does not replicate delete markers", () => {
    expect(rules(staging()).find((r) => r.id === "promote-to-prod").delete_marker_replication).toEqual({ status: "Disabled" });
  });

  test.each(["dr-copy", "promote-to-prod"])("rule %s has Replication Time Control (15 minutes) and replication metrics", (id) => {
    const rule = rules(staging()).find((r) => r.id === id);
    expect(rule.destination.replication_time).toEqual({ status: "Enabled", time: { minutes: 15 } });
    expect(rule.destination.metrics).toEqual({ status: "Enabled", event_threshold: { minutes: 15 } });
  });

  test("rules have distinct priorities and wait for source versioning", () => {
    const config = staging().resource("aws_s3_bucket_replication_configuration", "artifact-replication/configuration");
    expect(config.rule.map((r: any) => r.priority)).toEqual([0, 1]);
    expect(config.depends_on).toEqual([staging().address("aws_s3_bucket_versioning", "artifacts/bucket/versioning")]);
  });

  test("the last environment of the promotion order replicates only to its DR bucket", () => {
    expect(rules(prod()).map((r) => r.id)).toEqual(["dr-copy"]);
    expect(prod().data("aws_kms_alias")["next-environment-key"]).toBeUndefined();
  });
});

describe("replication role", () => {
  const role = () => staging().resource("aws_iam_role", "artifact-replication/role");
  const policy = () => staging().resource("aws_iam_role_policy", "artifact-replication/policy").policy;

  test("only S3, for this account, may assume it", () => {
    expect(role().name).toBe("replica-staging-s3-replication");
    const trust = SynthStack.statements(role().assume_role_policy);
    expect(trust).toEqual([{ Effect: "Allow", Principal: { Service: ["s3.amazonaws.com"] }, Action: ["sts:AssumeRole"], Condition: { StringEquals: { "aws:SourceAccount": ["222222222222"] } } }]);
  });

  test("may write replicas only to the DR bucket and the next environment's promotion prefix", () => {
    expect(statement(policy(), "ReplicateToDrBucket").Resource).toEqual([`arn:aws:s3:::${DR_ARTIFACTS}/*`]);
    const promote = statement(policy(), "ReplicatePromotionsToNextEnvironment");
    expect(promote.Action).toEqual(["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"]);
    expect(promote.Resource).toEqual(["arn:aws:s3:::replica-prod-artifacts-333333333333-us-east-1/promote/*"]);
  });

  test("uses each key only through S3 in the key's region", () => {
    expect(statement(policy(), "DecryptSourceObjects")).toMatchObject({ Action: ["kms:Decrypt"], Condition: { StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com"] } } });
    expect(statement(policy(), "EncryptDrReplicas")).toMatchObject({ Resource: ["${data.aws_kms_alias.dr-key.target_key_arn}"], Condition: { StringEquals: { "kms:ViaService": ["s3.eu-west-1.amazonaws.com"] } } });
    expect(statement(policy(), "EncryptPromotedReplicas").Resource).toEqual(["${data.aws_kms_alias.next-environment-key.target_key_arn}"]);
  });

  test("has no wildcard actions", () => {
    for (const s of SynthStack.statements(policy())) for (const action of s.Action) expect(action).not.toContain("*");
  });
});

describe("both sides of the promotion trust agree", () => {
  test("the next environment's bucket policy names the role the previous environment's stack creates", () => {
    // GIVEN dev creates its replication role WHEN staging's bucket policy trusts a role THEN it is that role
    const devRole = dev().resource("aws_iam_role", "artifact-replication/role").name;
    const accept = statement(staging().resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy, "PreviousEnvironmentReplicatesPromotions");
    expect(accept.Principal.AWS).toEqual(["arn:aws:iam::111111111111:root"]);
    expect(accept.Condition.ArnEquals["aws:PrincipalArn"]).toEqual([`arn:aws:iam::111111111111:role/${devRole}`]);
    expect(accept.Action).toEqual(["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"]);
  });

  test("the destination grant covers exactly the prefix the source rule replicates", () => {
    const devRule = (dev().resource("aws_s3_bucket_replication_configuration", "artifact-replication/configuration").rule as any[]).find((r) => r.id === "promote-to-staging");
    const accept = statement(staging().resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy, "PreviousEnvironmentReplicatesPromotions");
    expect(accept.Resource).toEqual([`\${${staging().address("aws_s3_bucket", "artifacts/bucket/bucket")}.arn}/${devRule.filter.prefix}*`]);
    expect(devRule.destination.bucket).toBe(`arn:aws:s3:::${ARTIFACTS}`);
  });

  test("the destination lets the role check and set versioning", () => {
    const versioning = statement(staging().resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy, "PreviousEnvironmentChecksVersioning");
    expect(versioning.Action).toEqual(["s3:GetBucketVersioning", "s3:PutBucketVersioning"]);
    expect(versioning.Condition.ArnEquals["aws:PrincipalArn"]).toEqual(["arn:aws:iam::111111111111:role/replica-dev-s3-replication"]);
  });

  test("the destination key lets the previous environment's replication role encrypt replicas", () => {
    const grant = statement(staging().resource("aws_kms_key", "key/key").policy, "PreviousEnvironmentReplicationEncrypts");
    expect(grant.Principal.AWS).toEqual(["arn:aws:iam::111111111111:root"]);
    expect(grant.Action).toEqual(["kms:Encrypt", "kms:GenerateDataKey"]);
    expect(grant.Condition.ArnEquals["aws:PrincipalArn"]).toEqual(["arn:aws:iam::111111111111:role/replica-dev-s3-replication"]);
  });

  test("the first environment accepts promotions from nobody", () => {
    const policy = dev().resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy;
    expect(SynthStack.statements(policy).map((s) => s.Sid)).not.toContain("PreviousEnvironmentReplicatesPromotions");
  });
});

describe("SSE-S3 artifacts (artifacts.encryption = AES256)", () => {
  const stacks = synthPlatform(exampleWith({ environment: "staging", set: { artifacts: { encryption: "AES256", promotionPrefix: "release/" } } }));
  const stack = stacks.get("staging-us-east-1")!;

  test("the bucket uses S3-managed keys and the policy requires AES256 when the header is sent", () => {
    const sse = stack.resource("aws_s3_bucket_server_side_encryption_configuration", "artifacts/bucket/encryption").rule[0];
    expect(sse.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
    const policy = stack.resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy;
    expect(statement(policy, "DenyOtherEncryptionAlgorithms").Condition.StringNotEqualsIfExists["s3:x-amz-server-side-encryption"]).toEqual(["AES256"]);
    expect(SynthStack.statements(policy).map((s) => s.Sid)).not.toContain("DenyOtherKmsKeys");
  });

  test("rules neither select KMS objects nor re-encrypt, and the role gets no KMS access", () => {
    for (const rule of stack.resource("aws_s3_bucket_replication_configuration", "artifact-replication/configuration").rule) {
      expect(rule.source_selection_criteria).toBeUndefined();
      expect(rule.destination.encryption_configuration).toBeUndefined();
    }
    const actions = SynthStack.statements(stack.resource("aws_iam_role_policy", "artifact-replication/policy").policy).flatMap((s) => s.Action);
    expect(actions.filter((a: string) => a.startsWith("kms:"))).toEqual([]);
  });

  test("the configured promotion prefix is replicated and accepted downstream", () => {
    const rule = (stack.resource("aws_s3_bucket_replication_configuration", "artifact-replication/configuration").rule as any[]).find((r) => r.id === "promote-to-prod");
    expect(rule.filter).toEqual({ prefix: "release/" });
    const accept = statement(stacks.get("prod-us-east-1")!.resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy, "PreviousEnvironmentReplicatesPromotions");
    expect(accept.Resource[0]).toMatch(/\/release\/\*$/);
    expect(SynthStack.statements(stacks.get("prod-us-east-1")!.resource("aws_kms_key", "key/key").policy).map((s) => s.Sid)).not.toContain("PreviousEnvironmentReplicationEncrypts");
  });
});

describe("artifact outputs", () => {
  test("the primary stack outputs the bucket name and replication role ARN, the DR stack the DR bucket name", () => {
    expect(staging().output("artifacts_bucket_name")).toMatchObject({ description: expect.any(String), value: expect.stringContaining("aws_s3_bucket.artifacts_bucket") });
    expect(staging().output("replication_role_arn").value).toMatch(/aws_iam_role\.artifact-replication_role/);
    expect(stagingDr().output("dr_bucket_name").description).toMatch(/DR copy/);
  });
});

describe("promotion's existence check (HeadObject before CopyObject)", () => {
  test("the artifacts bucket lets the promoting sync functions list it without a prefix condition, so a missing copy answers 404", () => {
    // GIVEN dev, which promotes into staging WHEN its bucket policy is read THEN both sync roles may list unconditioned
    const stack = stackOf("dev-us-east-1");
    const list = statement(stack.resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy, "PromotingFunctionsCheckCopies");
    expect(list).toEqual({
      Sid: "PromotingFunctionsCheckCopies",
      Effect: "Allow",
      Principal: { AWS: [`\${${stack.address("aws_iam_role", "schema-sync/function/role")}.arn}`, `\${${stack.address("aws_iam_role", "data-sync/function/role")}.arn}`] },
      Action: ["s3:ListBucket"],
      Resource: [`\${${stack.address("aws_s3_bucket", "artifacts/bucket/bucket")}.arn}`],
    });
  });

  test("the last environment promotes nothing and grants no such listing", () => {
    const policy = stackOf("prod-us-east-1").resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy;
    expect(SynthStack.statements(policy).map((s) => s.Sid)).not.toContain("PromotingFunctionsCheckCopies");
  });
});
