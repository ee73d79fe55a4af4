import { CloudformationStack } from "@cdktf/provider-aws/lib/cloudformation-stack";
import { DynamodbResourcePolicy } from "@cdktf/provider-aws/lib/dynamodb-resource-policy";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { ConfigError, validateConfig } from "../../src/config/validate";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { exampleWith, stackOf, SynthStack } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

// GIVEN the built-in example: ledgerGlobalTable on, promotion order dev → staging → prod.
const dev = () => stackOf("dev-us-east-1");
const text = (stack: SynthStack) => JSON.stringify(stack.json);
const members = {
  "aws:SourceAccount": ["111111111111", "222222222222", "333333333333"],
  "aws:SourceArn": [
    "arn:aws:dynamodb:us-east-1:111111111111:table/replica-replication-ledger",
    "arn:aws:dynamodb:us-east-1:222222222222:table/replica-replication-ledger",
    "arn:aws:dynamodb:us-east-1:333333333333:table/replica-replication-ledger",
  ],
};
const template = (env: string) => parseJsonAttribute(dev().resource("aws_cloudformation_stack", `ledger-replica-${env}/stack`).template_body);

describe("multi-account ledger: the source table (first environment)", () => {
  test("is a one-Region table (no same-account replica) with the shared name, streams and the environment key", () => {
    expect(text(dev())).toHaveResourceWithProperties(DynamodbTable, {
      name: "replica-replication-ledger",
      hash_key: "pk",
      range_key: "sk",
      stream_enabled: true,
      stream_view_type: "NEW_AND_OLD_IMAGES",
      server_side_encryption: { enabled: true, kms_key_arn: `\${${dev().address("aws_kms_key", "key/key")}.arn}` },
    });
    expect(dev().resource("aws_dynamodb_table", "ledger/table").replica).toBeUndefined();
  });

  test("has the resource policy DynamoDB replication needs, scoped with aws:SourceAccount and aws:SourceArn to the members", () => {
    expect(text(dev())).toHaveResourceWithProperties(DynamodbResourcePolicy, { resource_arn: `\${${dev().address("aws_dynamodb_table", "ledger/table")}.arn}` });
    const policy = dev().resource("aws_dynamodb_resource_policy", "ledger-policy/policy").policy;
    expect(SynthStack.statement(policy, "ReplicationBetweenMembers")).toEqual({
      Sid: "ReplicationBetweenMembers",
      Effect: "Allow",
      Principal: { Service: ["replication.dynamodb.amazonaws.com"] },
      Action: ["dynamodb:ReadDataForReplication", "dynamodb:WriteDataForReplication", "dynamodb:ReplicateSettings"],
      Resource: ["arn:aws:dynamodb:us-east-1:111111111111:table/replica-replication-ledger"],
      Condition: { StringEquals: members },
    });
  });

  test("lets only the replica accounts join", () => {
    const join = SynthStack.statement(dev().resource("aws_dynamodb_resource_policy", "ledger-policy/policy").policy, "ReplicaAccountsJoin");
    expect(join.Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"] });
    expect(join.Action).toEqual(["dynamodb:AssociateTableReplica"]);
  });

  test("exists only in the first environment: the replica environments create no ledger table", () => {
    for (const name of ["staging-us-east-1", "prod-us-east-1"]) expect(stackOf(name).resources("aws_dynamodb_table")).toEqual({});
  });
});

describe("multi-account ledger: the replicas (every other environment)", () => {
  test.each([
    ["staging", "222222222222"],
    ["prod", "333333333333"],
  ])("%s: a CloudFormation global table created from the source's ARN, in its own account", (env, account) => {
    expect(text(dev())).toHaveResourceWithProperties(CloudformationStack, { name: `replica-${env}-ledger-replica`, provider: `aws.ledger_${env}`, on_failure: "DELETE" });
    const provider = dev().json.provider.aws.find((p: any) => p.alias === `ledger_${env}`);
    expect(provider).toMatchObject({ allowed_account_ids: [account], region: "us-east-1", assume_role: [{ role_arn: `arn:aws:iam::${account}:role/PlatformDeployment` }] });
    const replica = template(env).Resources.LedgerReplica;
    expect(replica.Type).toBe("AWS::DynamoDB::GlobalTable");
    expect(replica.Properties).toMatchObject({
      TableName: "replica-replication-ledger",
      GlobalTableSourceArn: `\${${dev().address("aws_dynamodb_table", "ledger/table")}.arn}`,
      StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
      SSESpecification: { SSEEnabled: true, SSEType: "KMS" },
    });
  });

  test.each([
    ["staging", "222222222222"],
    ["prod", "333333333333"],
  ])("%s: encrypted with its own environment key, PITR, and a resource policy of its own for the members", (env, account) => {
    const [spec] = template(env).Resources.LedgerReplica.Properties.Replicas;
    expect(spec).toMatchObject({
      Region: "us-east-1",
      GlobalTableSettingsReplicationMode: "ENABLED",
      SSESpecification: { KMSMasterKeyId: `arn:aws:kms:us-east-1:${account}:alias/replica-${env}` },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const [statement] = spec.ResourcePolicy.PolicyDocument.Statement;
    expect(statement).toMatchObject({ Resource: [`arn:aws:dynamodb:us-east-1:${account}:table/replica-replication-ledger`], Condition: { StringEquals: members } });
    // Only the source lets accounts join.
    expect(spec.ResourcePolicy.PolicyDocument.Statement.map((s: any) => s.Sid)).toEqual(["ReplicationBetweenMembers"]);
  });

  test("production's replica keeps deletion protection and is retained by CloudFormation and Terraform", () => {
    const replica = template("prod").Resources.LedgerReplica;
    expect(replica).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    expect(replica.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
    expect(dev().resource("aws_cloudformation_stack", "ledger-replica-prod/stack").lifecycle).toEqual({ prevent_destroy: true });
    expect(template("staging").Resources.LedgerReplica.DeletionPolicy).toBe("Delete");
  });

  test("each replica joins after the source's resource policy exists", () => {
    expect(dev().resource("aws_cloudformation_stack", "ledger-replica-staging/stack").depends_on).toEqual([dev().address("aws_dynamodb_resource_policy", "ledger-policy/policy")]);
  });
});

describe("multi-account ledger: stream processors", () => {
  test.each(["staging", "prod"])("%s's processor reads its replica's stream, only its own environment's items", (env) => {
    const account = env === "staging" ? "222222222222" : "333333333333";
    expect(text(dev())).toHaveResourceWithProperties(LambdaEventSourceMapping, {
      provider: `aws.ledger_${env}`,
      function_name: `arn:aws:lambda:us-east-1:${account}:function:replica-${env}-stream-processor`,
      event_source_arn: `\${${dev().address("aws_cloudformation_stack", `ledger-replica-${env}/stack`)}.outputs["StreamArn"]}`,
      filter_criteria: {
        filter: [{ pattern: JSON.stringify({ dynamodb: { NewImage: { environment: { S: [env] } } } }) }, { pattern: JSON.stringify({ dynamodb: { OldImage: { environment: { S: [env] } } } }) }],
      },
      destination_config: { on_failure: { destination_arn: `arn:aws:sqs:us-east-1:${account}:replica-${env}-stream-processor-dlq` } },
    });
    // Its own stack maps nothing (the replica does not exist when that stack deploys) but keeps the function.
    expect(stackOf(`${env}-us-east-1`).resources("aws_lambda_event_source_mapping")).toEqual({});
    expect(stackOf(`${env}-us-east-1`).resource("aws_lambda_function", "stream-processor/function/function").function_name).toBe(`replica-${env}-stream-processor`);
  });

  test("dev's processor reads the source stream, only dev's items (the source streams every member's writes)", () => {
    const mapping = dev().resource("aws_lambda_event_source_mapping", "stream-processor/mapping");
    expect(mapping.event_source_arn).toBe(`\${${dev().address("aws_dynamodb_table", "ledger/table")}.stream_arn}`);
    expect(mapping.filter_criteria.filter.map((f: any) => parseJsonAttribute(f.pattern))).toEqual([
      { dynamodb: { NewImage: { environment: { S: ["dev"] } } } },
      { dynamodb: { OldImage: { environment: { S: ["dev"] } } } },
    ]);
  });

  test.each(["dev", "staging", "prod"])("%s: every function that writes the ledger names the global table and may write only its own account's member", (env) => {
    const stack = stackOf(`${env}-us-east-1`);
    const account = { dev: "111111111111", staging: "222222222222", prod: "333333333333" }[env]!;
    const writers = Object.values(stack.resources("aws_lambda_function")).filter((f: any) => f.environment?.variables?.LEDGER_TABLE_NAME !== undefined);
    // schema sync, data sync, config mirror (not prod), replication monitor, snapshot copy
    expect(writers.length).toBeGreaterThanOrEqual(env === "prod" ? 4 : 5);
    for (const fn of writers as any[]) expect(fn.environment.variables.LEDGER_TABLE_NAME).toBe("replica-replication-ledger");
    const ledgerResources = Object.values(stack.resources("aws_iam_role_policy"))
      .flatMap((p: any) => SynthStack.statements(p.policy))
      .filter((st: any) => st.Action.includes("dynamodb:PutItem"))
      .flatMap((st: any) => st.Resource);
    expect(ledgerResources.length).toBeGreaterThan(0);
    for (const arn of ledgerResources) expect(arn).toMatch(new RegExp(`^(arn:aws:dynamodb:us-east-1:${account}:table/replica-replication-ledger|\\$\\{aws_dynamodb_table\\.ledger_table_[0-9A-F]+\\.arn\\})$`));
  });

  test("every replica environment's ledger readers name the replica in their own account", () => {
    const policy = stackOf("prod-us-east-1").resource("aws_iam_role_policy", "agent-role/policy").policy;
    expect(SynthStack.statement(policy, "ReadLedger").Resource).toEqual(["arn:aws:dynamodb:us-east-1:333333333333:table/replica-replication-ledger"]);
    expect(stackOf("prod-us-east-1").output("ledger_table_arn").value).toBe("arn:aws:dynamodb:us-east-1:333333333333:table/replica-replication-ledger");
  });
});

describe("ledgerGlobalTable configuration", () => {
  test("is off by default: each environment keeps its own table with a DR replica", () => {
    const raw = JSON.parse(JSON.stringify(EXAMPLE_CONFIG));
    delete raw.ledgerGlobalTable;
    expect(validateConfig(raw).ledgerGlobalTable).toEqual({ enabled: false, tableName: "replica-replication-ledger" });
  });

  test("refuses environments that share an account, naming the path", () => {
    const raw = exampleWith({ environment: "staging", set: { accountId: "111111111111" } });
    expect(() => validateConfig(raw)).toThrow(ConfigError);
    expect(() => validateConfig(raw)).toThrow(/ledgerGlobalTable\.enabled: environments dev and staging share account 111111111111/);
  });

  test("refuses a bad table name and a non-boolean switch", () => {
    const raw = exampleWith({ root: { ledgerGlobalTable: { enabled: "yes", tableName: "a b" } } });
    expect(() => validateConfig(raw)).toThrow(/ledgerGlobalTable\.enabled: must be true or false[\s\S]*ledgerGlobalTable\.tableName: must be a DynamoDB table name/);
  });
});

describe("ledgerGlobalTable with one environment", () => {
  test("is refused: a global table needs a second account to replicate into", () => {
    const raw = exampleWith({ root: { promotionOrder: ["dev"], operationsEnvironment: "dev", stateBackend: { accountId: "111111111111", region: "us-east-1" } } });
    raw.environments = raw.environments.filter((e: any) => e.name === "dev");
    expect(() => validateConfig(raw)).toThrow(/ledgerGlobalTable\.enabled: needs at least two environments/);
  });
});
