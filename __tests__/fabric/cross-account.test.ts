import { SynthStack, exampleWith, stackOf, synthPlatform } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

const statement = SynthStack.statement;
const dev = () => stackOf("dev-us-east-1");
const staging = () => stackOf("staging-us-east-1");
const prod = () => stackOf("prod-us-east-1");
const env = (stack: SynthStack, fn: string) => stack.resource("aws_lambda_function", `${fn}/function/function`).environment.variables;
/** The ARN of a role created in `stack` (its account from the stack's provider). */
const roleArnIn = (stack: SynthStack, account: string, path: string) => `arn:aws:iam::${account}:role/${stack.resource("aws_iam_role", path).name}`;

describe("config-writer role (target side of config mirroring)", () => {
  const trust = () => SynthStack.statements(staging().resource("aws_iam_role", "config-writer/role").assume_role_policy);

  test("only the previous environment's mirror function role, presenting the external ID, may assume it", () => {
    expect(trust()).toEqual([
      {
        Sid: "PreviousEnvironmentConfigMirror",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
        Action: ["sts:AssumeRole"],
        Condition: { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/replica-dev-config-mirror"] }, StringEquals: { "sts:ExternalId": ["replica-dev-to-staging"] } },
      },
    ]);
  });

  test("both sides agree: the trusted role is the mirror's role in dev, and the mirror presents the same ID for this role", () => {
    const mirror = env(dev(), "config-mirror");
    expect(trust()[0].Condition.ArnEquals["aws:PrincipalArn"]).toEqual([roleArnIn(dev(), "111111111111", "config-mirror/function/role")]);
    expect(mirror.TARGET_ROLE_ARN).toBe(roleArnIn(staging(), "222222222222", "config-writer/role"));
    expect(mirror.TARGET_EXTERNAL_ID).toBe(trust()[0].Condition.StringEquals["sts:ExternalId"][0]);
  });

  test("may write only the environment's config hierarchy and use its key only through SSM", () => {
    const policy = staging().resource("aws_iam_role_policy", "config-writer/policy").policy;
    expect(statement(policy, "WriteMirroredConfiguration")).toMatchObject({
      Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:PutParameter", "ssm:AddTagsToResource", "ssm:ListTagsForResource"],
      Resource: ["arn:aws:ssm:us-east-1:222222222222:parameter/app/staging/config", "arn:aws:ssm:us-east-1:222222222222:parameter/app/staging/config/*"],
    });
    expect(statement(policy, "EncryptSecureStrings")).toMatchObject({
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
      Condition: { StringEquals: { "kms:ViaService": ["ssm.us-east-1.amazonaws.com"] } },
    });
    expect(SynthStack.statements(policy).map((s) => s.Sid)).not.toContain("DeleteMirroredConfiguration");
  });

  test("may delete only when the upstream mirror's delete policy is delete", () => {
    const stacks = synthPlatform(exampleWith({ environment: "dev", set: { configMirror: { deletePolicy: "delete" } } }));
    const policy = stacks.get("staging-us-east-1")!.resource("aws_iam_role_policy", "config-writer/policy").policy;
    expect(statement(policy, "DeleteMirroredConfiguration").Action).toEqual(["ssm:DeleteParameter"]);
    expect(stacks.get("dev-us-east-1")!.resource("aws_lambda_function", "config-mirror/function/function").environment.variables.DELETE_POLICY).toBe("delete");
  });

  test("the first environment has no config-writer role", () => {
    expect(() => dev().resource("aws_iam_role", "config-writer/role")).toThrow(/found 0/);
  });
});

describe("config mirror function", () => {
  test("gets exactly the variables the handler reads", () => {
    expect(env(dev(), "config-mirror")).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      ENVIRONMENT: "dev",
      SOURCE_ENVIRONMENT: "dev",
      TARGET_ENVIRONMENT: "staging",
      TARGET_ROLE_ARN: "arn:aws:iam::222222222222:role/replica-staging-config-writer",
      TARGET_EXTERNAL_ID: "replica-dev-to-staging",
      TARGET_KMS_KEY_ID: "arn:aws:kms:us-east-1:222222222222:alias/replica-staging",
      TARGET_REGION: "us-east-1",
      ALLOW_PATTERNS: "[]",
      DENY_PATTERNS: "[]",
      DELETE_POLICY: "record",
      LEDGER_TABLE_NAME: "replica-replication-ledger",
      METRICS_NAMESPACE: "replica/Replication",
    });
  });

  test("passes the configured allow and deny lists", () => {
    const stacks = synthPlatform(exampleWith({ environment: "dev", set: { configMirror: { allowPatterns: ["db/*", "canary/"], denyPatterns: ["db/host"] } } }));
    const vars = stacks.get("dev-us-east-1")!.resource("aws_lambda_function", "config-mirror/function/function").environment.variables;
    expect(parseJsonAttribute(vars.ALLOW_PATTERNS)).toEqual(["db/*", "canary/"]);
    expect(parseJsonAttribute(vars.DENY_PATTERNS)).toEqual(["db/host"]);
  });

  test("may read only its own config hierarchy and assume only the target writer role", () => {
    const policy = dev().resource("aws_iam_role_policy", "config-mirror/function/policy").policy;
    expect(statement(policy, "ReadSourceConfiguration").Resource).toEqual(["arn:aws:ssm:us-east-1:111111111111:parameter/app/dev/config", "arn:aws:ssm:us-east-1:111111111111:parameter/app/dev/config/*"]);
    expect(statement(policy, "AssumeTargetConfigWriter").Resource).toEqual(["arn:aws:iam::222222222222:role/replica-staging-config-writer"]);
    expect(statement(policy, "RecordInLedger").Action).toEqual(["dynamodb:PutItem"]);
  });

  test("runs on Parameter Store Change events for its hierarchy and on the reconcile schedule", () => {
    const change = dev().resource("aws_cloudwatch_event_rule", "rule-parameter-change/rule");
    expect(parseJsonAttribute(change.event_pattern)).toEqual({ source: ["aws.ssm"], "detail-type": ["Parameter Store Change"], detail: { name: [{ prefix: "/app/dev/config/" }] } });
    expect(dev().resource("aws_cloudwatch_event_target", "rule-parameter-change/config-mirror").arn).toBe(`\${${dev().address("aws_lambda_function", "config-mirror/function/function")}.arn}`);
    expect(dev().resource("aws_cloudwatch_event_rule", "rule-config-reconcile/rule").schedule_expression).toBe("rate(15 minutes)");
  });

  test("the last environment has no mirror", () => {
    expect(() => prod().resource("aws_lambda_function", "config-mirror/function/function")).toThrow(/found 0/);
  });
});

describe("agent role", () => {
  const trust = () => SynthStack.statements(staging().resource("aws_iam_role", "agent-role/role").assume_role_policy);

  test("is assumable only by the other environments' validator and monitor roles, each with its own external ID", () => {
    expect(trust().map((s) => s.Sid)).toEqual(["FromDev", "FromProd"]);
    const fromDev = trust()[0];
    expect(fromDev.Principal).toEqual({ AWS: ["arn:aws:iam::111111111111:root"] });
    expect(fromDev.Condition).toEqual({
      ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/replica-dev-config-validator", "arn:aws:iam::111111111111:role/replica-dev-replication-monitor"] },
      StringEquals: { "sts:ExternalId": ["replica-dev-reads-staging"] },
    });
  });

  test("both sides agree: the trusted roles are created by the callers' stacks", () => {
    const roles = trust()[0].Condition.ArnEquals["aws:PrincipalArn"];
    expect(roles).toEqual([roleArnIn(dev(), "111111111111", "config-validator/function/role"), roleArnIn(dev(), "111111111111", "replication-monitor/function/role")]);
  });

  test("the callers present this role and its external ID", () => {
    const agentArn = roleArnIn(staging(), "222222222222", "agent-role/role");
    const monitor = env(dev(), "replication-monitor");
    expect(monitor.TARGET_ROLE_ARN).toBe(agentArn);
    expect(monitor.TARGET_EXTERNAL_ID).toBe(trust()[0].Condition.StringEquals["sts:ExternalId"][0]);
    const validation = parseJsonAttribute(env(prod(), "config-validator").VALIDATION_ENVIRONMENTS);
    const entry = validation.find((e: any) => e.name === "staging");
    expect(entry.roleArn).toBe(agentArn);
    expect(entry.externalId).toBe(trust()[1].Condition.StringEquals["sts:ExternalId"][0]);
    expect(SynthStack.statement(prod().resource("aws_iam_role_policy", "config-validator/function/policy").policy, "AssumeOtherEnvironmentAgents").Resource).toContain(agentArn);
  });

  test("reads the config hierarchy, the ledger and the validator's reports, and nothing else", () => {
    const statements = SynthStack.statements(staging().resource("aws_iam_role_policy", "agent-role/policy").policy);
    const actions = statements.flatMap((s) => s.Action).sort();
    expect(actions).toEqual(
      ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:GetItem", "s3:GetObject", "kms:Decrypt", "kms:Decrypt"].sort(),
    );
    expect(statements.find((s) => s.Sid === "ReadConfiguration").Resource).toEqual(["arn:aws:ssm:us-east-1:222222222222:parameter/app/staging/config", "arn:aws:ssm:us-east-1:222222222222:parameter/app/staging/config/*"]);
  });

  test("decrypts the ledger (the validator's ledger queries) with the environment key, only through DynamoDB in the table's region", () => {
    const decrypt = SynthStack.statement(staging().resource("aws_iam_role_policy", "agent-role/policy").policy, "DecryptLedgerThroughDynamoDB");
    expect(decrypt).toMatchObject({
      Action: ["kms:Decrypt"],
      Resource: [`\${${staging().address("aws_kms_key", "key/key")}.arn}`],
      Condition: { StringEquals: { "kms:ViaService": ["dynamodb.us-east-1.amazonaws.com"] } },
    });
    // The ledger replica it reads is encrypted with that key (named by its alias in the replica's template).
    expect(staging().resource("aws_kms_alias", "key/alias")).toMatchObject({ name: "alias/replica-staging", target_key_id: `\${${staging().address("aws_kms_key", "key/key")}.key_id}` });
    const template = parseJsonAttribute(dev().resource("aws_cloudformation_stack", "ledger-replica-staging/stack").template_body);
    expect(template.Resources.LedgerReplica.Properties.Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: "arn:aws:kms:us-east-1:222222222222:alias/replica-staging" });
  });

  test("of the artifacts, reads only its own environment's validation reports, decrypted through S3", () => {
    const policy = staging().resource("aws_iam_role_policy", "agent-role/policy").policy;
    expect(SynthStack.statement(policy, "ReadValidationReports").Resource).toEqual(["arn:aws:s3:::replica-staging-artifacts-222222222222-us-east-1/reports/config-validation/*"]);
    expect(SynthStack.statement(policy, "DecryptValidationReportsThroughS3")).toMatchObject({
      Resource: [`\${${staging().address("aws_kms_key", "key/key")}.arn}`],
      Condition: { StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com"] } },
    });
    const s3Resources = SynthStack.statements(policy).filter((s) => s.Action.some((a: string) => a.startsWith("s3:"))).flatMap((s) => s.Resource);
    expect(s3Resources.every((r: string) => r.startsWith("arn:aws:s3:::replica-staging-artifacts-222222222222-us-east-1/"))).toBe(true);
  });
});

describe("no environment reads another environment's artifacts", () => {
  const others = (policy: string, account: string) =>
    SynthStack.statements(policy).filter((s) => (s.Effect ?? "Allow") === "Allow" && JSON.stringify(s.Principal ?? {}).match(/arn:aws:iam::\d{12}:root/) && !JSON.stringify(s.Principal).includes(`::${account}:root`));

  test.each([
    ["dev-us-east-1", "111111111111"],
    ["staging-us-east-1", "222222222222"],
    ["prod-us-east-1", "333333333333"],
  ])("%s: the artifacts bucket lets other accounts only replicate promotions in, never read", (name, account) => {
    const stack = stackOf(name);
    const allowed = others(stack.resource("aws_s3_bucket_policy", "artifacts/bucket/policy").policy, account).flatMap((s) => s.Action);
    expect(allowed.filter((a: string) => /^s3:(Get|List)/.test(a) && a !== "s3:GetBucketVersioning")).toEqual([]);
  });

  test.each([
    ["dev-us-east-1", "111111111111"],
    ["staging-us-east-1", "222222222222"],
    ["prod-us-east-1", "333333333333"],
  ])("%s: the environment key lets other accounts only encrypt promoted replicas, never decrypt", (name, account) => {
    const stack = stackOf(name);
    const allowed = others(stack.resource("aws_kms_key", "key/key").policy, account).flatMap((s) => s.Action);
    expect(allowed).not.toContain("kms:Decrypt");
  });
});

describe("cross-account outputs", () => {
  test("agent and config-writer role ARNs are outputs", () => {
    expect(staging().output("agent_role_arn").value).toBe(`\${${staging().address("aws_iam_role", "agent-role/role")}.arn}`);
    expect(staging().output("config_writer_role_arn").value).toBe(`\${${staging().address("aws_iam_role", "config-writer/role")}.arn}`);
    expect(dev().output("config_writer_role_arn")).toBeUndefined();
  });
});
