import { perAccountLedgerStackOf as stackOf, SynthStack } from "./helpers";

// Per-account ledgers (`ledgerGlobalTable` off); the multi-account global table: ledger-global.test.ts.
const staging = () => stackOf("staging-us-east-1");
const table = (name = "staging-us-east-1") => stackOf(name).resource("aws_dynamodb_table", "ledger/table");

describe("ledger table", () => {
  test("has string keys pk/sk and the TTL attribute the handlers write (expiresAt)", () => {
    // GIVEN the example platform WHEN synthesized THEN the key schema matches lambdas/shared/ledger.ts
    expect(table()).toMatchObject({
      name: "replica-staging-replication-ledger",
      hash_key: "pk",
      range_key: "sk",
      attribute: [
        { name: "pk", type: "S" },
        { name: "sk", type: "S" },
      ],
      ttl: { attribute_name: "expiresAt", enabled: true },
    });
  });

  test("is on-demand, streams new and old images, and has point-in-time recovery", () => {
    expect(table()).toMatchObject({ billing_mode: "PAY_PER_REQUEST", stream_enabled: true, stream_view_type: "NEW_AND_OLD_IMAGES", point_in_time_recovery: { enabled: true } });
  });

  test("is encrypted with the environment's customer-managed key", () => {
    expect(table().server_side_encryption).toEqual({ enabled: true, kms_key_arn: `\${${staging().address("aws_kms_key", "key/key")}.arn}` });
  });

  test("is a global table with a DR-region replica encrypted with the DR key, PITR and tags", () => {
    expect(table().replica).toEqual([
      { region_name: "eu-west-1", kms_key_arn: "${data.aws_kms_alias.dr-key.target_key_arn}", point_in_time_recovery: true, propagate_tags: true, deletion_protection_enabled: false },
    ]);
    expect(staging().data("aws_kms_alias")["dr-key"].provider).toBe("aws.other_region");
  });

  test("has deletion protection in production only", () => {
    expect(table("prod-us-east-1").deletion_protection_enabled).toBe(true);
    expect(table("prod-us-east-1").lifecycle).toEqual({ prevent_destroy: true });
    expect(table("prod-us-east-1").replica[0].deletion_protection_enabled).toBe(true);
    expect(table("dev-us-east-1").deletion_protection_enabled).toBe(false);
  });

  test("lives only in the primary-region stack (the replica is managed from there)", () => {
    expect(stackOf("staging-eu-west-1").resources("aws_dynamodb_table")).toEqual({});
  });
});

describe("stream processor", () => {
  const mapping = () => staging().resource("aws_lambda_event_source_mapping", "stream-processor/mapping");

  test("consumes the ledger stream from the start with partial batch responses", () => {
    expect(mapping()).toMatchObject({
      event_source_arn: `\${${staging().address("aws_dynamodb_table", "ledger/table")}.stream_arn}`,
      starting_position: "TRIM_HORIZON",
      function_response_types: ["ReportBatchItemFailures"],
    });
  });

  test("bisects failing batches with bounded retries and record age", () => {
    expect(mapping()).toMatchObject({ bisect_batch_on_function_error: true, maximum_retry_attempts: 5, maximum_record_age_in_seconds: 21600, parallelization_factor: 1 });
  });

  test("sends exhausted records to the function's dead-letter queue", () => {
    expect(mapping().destination_config.on_failure.destination_arn).toBe(`\${${staging().address("aws_sqs_queue", "stream-processor/function/dlq")}.arn}`);
    expect(mapping().depends_on).toEqual([staging().address("aws_iam_role_policy", "stream-processor/function/policy")]);
  });

  test("gets exactly the variables the handler reads", () => {
    expect(staging().resource("aws_lambda_function", "stream-processor/function/function").environment.variables).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      ENVIRONMENT: "staging",
      EVENT_BUS_NAME: "arn:aws:events:us-east-1:333333333333:event-bus/replica-central",
      METRICS_NAMESPACE: "replica/Replication",
    });
  });

  test("may read only the ledger's streams and put events only on the central bus", () => {
    const policy = staging().resource("aws_iam_role_policy", "stream-processor/function/policy").policy;
    expect(SynthStack.statement(policy, "ReadLedgerStream")).toMatchObject({
      Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
      Resource: [`\${${staging().address("aws_dynamodb_table", "ledger/table")}.arn}/stream/*`],
    });
    expect(SynthStack.statement(policy, "AnnounceOnCentralBus").Resource).toEqual(["arn:aws:events:us-east-1:333333333333:event-bus/replica-central"]);
    expect(SynthStack.statement(policy, "SendDeadLetters").Action).toEqual(["sqs:SendMessage"]);
  });
});

describe("ledger outputs", () => {
  test("the table ARN is an output", () => {
    expect(staging().output("ledger_table_arn")).toEqual({ value: `\${${staging().address("aws_dynamodb_table", "ledger/table")}.arn}`, description: expect.stringContaining("ledger") });
  });
});
