import { SynthStack, exampleWith, perAccountLedgerStackOf, stackOf, synthPlatform } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

const dev = () => stackOf("dev-us-east-1");
/** dev with its own ledger table and DR replica (`ledgerGlobalTable` off). */
const devOwnLedger = () => perAccountLedgerStackOf("dev-us-east-1");
const prod = () => stackOf("prod-us-east-1");
const alarm = (stack: SynthStack, name: string) => stack.resource("aws_cloudwatch_metric_alarm", `fabric-monitoring/alarms/${name}`);
const vars = (stack: SynthStack, fn: string) => stack.resource("aws_lambda_function", `${fn}/function/function`).environment.variables;

describe("replication monitor", () => {
  test("gets exactly the variables the handler reads", () => {
    const dev = devOwnLedger;
    expect(vars(dev(), "replication-monitor")).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      ENVIRONMENT: "dev",
      LEDGER_TABLE_NAME: `\${${dev().address("aws_dynamodb_table", "ledger/table")}.name}`,
      METRICS_NAMESPACE: "replica/Replication",
      ARTIFACTS_BUCKET: "replica-dev-artifacts-111111111111-us-east-1",
      CANARY_S3_REPLICA_BUCKET: "replica-dev-artifacts-111111111111-eu-west-1",
      CANARY_S3_REPLICA_REGION: "eu-west-1",
      LEDGER_REPLICA_REGION: "eu-west-1",
      LEDGER_REPLICA_TABLE_NAME: `\${${dev().address("aws_dynamodb_table", "ledger/table")}.name}`,
      CANARY_PARAMETER_KEY: "canary/heartbeat",
      CANARY_TIMEOUT_SECONDS: "120",
      TARGET_ENVIRONMENT: "staging",
      TARGET_REGION: "us-east-1",
      TARGET_ROLE_ARN: "arn:aws:iam::222222222222:role/replica-staging-replication-agent",
      TARGET_EXTERNAL_ID: "replica-dev-reads-staging",
    });
  });

  test("outlives its canary timeout", () => {
    expect(dev().resource("aws_lambda_function", "replication-monitor/function/function").timeout).toBeGreaterThanOrEqual(130);
  });

  test("may write canaries only under its prefix and read the replicas", () => {
    const dev = devOwnLedger;
    const policy = dev().resource("aws_iam_role_policy", "replication-monitor/function/policy").policy;
    expect(SynthStack.statement(policy, "WriteS3Canary").Resource).toEqual(["arn:aws:s3:::replica-dev-artifacts-111111111111-us-east-1/canary/dev/*"]);
    expect(SynthStack.statement(policy, "ReadLedgerReplica").Resource).toEqual([`arn:aws:dynamodb:eu-west-1:111111111111:table/\${${dev().address("aws_dynamodb_table", "ledger/table")}.name}`]);
    expect(SynthStack.statement(policy, "WriteSsmCanary").Resource).toEqual(["arn:aws:ssm:us-east-1:111111111111:parameter/app/dev/config/canary/heartbeat"]);
  });

  test("may list the DR bucket without a prefix condition, so HeadObject of a canary not replicated yet answers 404, not 403", () => {
    const list = SynthStack.statement(dev().resource("aws_iam_role_policy", "replication-monitor/function/policy").policy, "ListS3CanaryReplica");
    expect(list).toEqual({ Sid: "ListS3CanaryReplica", Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::replica-dev-artifacts-111111111111-eu-west-1"] });
  });

  test("decrypts the ledger replica with the DR-region key, only through DynamoDB in the DR region", () => {
    const dev = devOwnLedger;
    const decrypt = SynthStack.statement(dev().resource("aws_iam_role_policy", "replication-monitor/function/policy").policy, "DecryptLedgerReplicaThroughDynamoDB");
    expect(decrypt).toMatchObject({ Action: ["kms:Decrypt"], Condition: { StringEquals: { "kms:ViaService": ["dynamodb.eu-west-1.amazonaws.com"] } } });
    // The key is the one the replica is encrypted with.
    const replica = dev().resource("aws_dynamodb_table", "ledger/table").replica.find((r: any) => r.region_name === "eu-west-1");
    expect(decrypt.Resource).toEqual([replica.kms_key_arn]);
  });

  test("with the multi-account ledger, has no ledger canary (no replica in its own account) and no access to one", () => {
    // GIVEN the example (ledgerGlobalTable on) THEN the handler's ledger channel is off
    const v = vars(stackOf("staging-us-east-1"), "replication-monitor");
    expect(v.LEDGER_TABLE_NAME).toBe("replica-replication-ledger");
    expect(v.LEDGER_REPLICA_REGION).toBeUndefined();
    const sids = SynthStack.statements(stackOf("staging-us-east-1").resource("aws_iam_role_policy", "replication-monitor/function/policy").policy).map((st) => st.Sid);
    expect(sids).not.toContain("ReadLedgerReplica");
    expect(sids).not.toContain("DecryptLedgerReplicaThroughDynamoDB");
    // …and no alarm that could only ever stay quiet.
    const names = Object.values(stackOf("staging-us-east-1").resources("aws_cloudwatch_metric_alarm")).map((a: any) => a.alarm_name);
    expect(names).toEqual(expect.arrayContaining(["replica-staging-canary-timeout-s3", "replica-staging-canary-timeout-ssm"]));
    expect(names.filter((n: string) => n.includes("canary") && n.endsWith("-dynamodb"))).toEqual([]);
    expect(Object.values(devOwnLedger().resources("aws_cloudwatch_metric_alarm")).map((a: any) => a.alarm_name)).toContain("replica-dev-canary-timeout-dynamodb");
  });

  test("the last environment has no SSM canary target", () => {
    expect(vars(prod(), "replication-monitor").TARGET_ROLE_ARN).toBeUndefined();
  });

  test("runs on the canary schedule", () => {
    expect(dev().resource("aws_cloudwatch_event_target", "rule-replication-canary/replication-monitor").arn).toBe(`\${${dev().address("aws_lambda_function", "replication-monitor/function/function")}.arn}`);
  });
});

describe("config validator and status endpoint", () => {
  test("gets the variables the handler reads, every environment in promotion order, its own without a role", () => {
    const v = vars(prod(), "config-validator");
    expect(Object.keys(v).sort()).toEqual(["ARTIFACTS_BUCKET", "ENVIRONMENT", "IGNORE_PATTERNS", "METRICS_NAMESPACE", "NODE_OPTIONS", "REPORT_PREFIX", "VALIDATION_ENVIRONMENTS"]);
    expect(parseJsonAttribute(v.VALIDATION_ENVIRONMENTS)).toEqual([
      { name: "dev", accountId: "111111111111", region: "us-east-1", ledgerTableName: "replica-replication-ledger", roleArn: "arn:aws:iam::111111111111:role/replica-dev-replication-agent", externalId: "replica-prod-reads-dev" },
      { name: "staging", accountId: "222222222222", region: "us-east-1", ledgerTableName: "replica-replication-ledger", roleArn: "arn:aws:iam::222222222222:role/replica-staging-replication-agent", externalId: "replica-prod-reads-staging" },
      { name: "prod", accountId: "333333333333", region: "us-east-1", ledgerTableName: "replica-replication-ledger" },
    ]);
  });

  test("the ledger names it compares are the tables the other stacks create", () => {
    const entries = parseJsonAttribute(vars(prod(), "config-validator").VALIDATION_ENVIRONMENTS);
    expect(entries[0].ledgerTableName).toBe(dev().resource("aws_dynamodb_table", "ledger/table").name);
  });

  test("the status endpoint is a function URL with IAM authentication", () => {
    expect(dev().resource("aws_lambda_function_url", "config-validator/url")).toMatchObject({
      authorization_type: "AWS_IAM",
      function_name: `\${${dev().address("aws_lambda_function", "config-validator/function/function")}.function_name}`,
    });
  });

  test("by default no other account may call the status endpoint", () => {
    for (const stack of [dev(), prod()]) expect(Object.keys(stack.resourcesUnder("aws_lambda_permission", "config-validator/"))).toEqual([]);
  });

  test("only the configured roles of the operations account may call another environment's status endpoint (URL and invoke), never the whole account", () => {
    const stacks = synthPlatform(exampleWith({ root: { statusEndpoint: { callerRoleNames: ["OpsStatusReader"] } } }));
    const devStack = stacks.get("dev-us-east-1")!;
    const permissions = Object.values(devStack.resourcesUnder("aws_lambda_permission", "config-validator/"));
    expect(permissions.map((p: any) => [p.action, p.principal]).sort()).toEqual([
      ["lambda:InvokeFunction", "arn:aws:iam::333333333333:role/OpsStatusReader"],
      ["lambda:InvokeFunctionUrl", "arn:aws:iam::333333333333:role/OpsStatusReader"],
    ]);
    expect(permissions.find((p: any) => p.action === "lambda:InvokeFunctionUrl")).toMatchObject({ function_url_auth_type: "AWS_IAM" });
    // The operations environment's own endpoint needs no resource policy: IAM in its account decides.
    expect(Object.keys(stacks.get("prod-us-east-1")!.resourcesUnder("aws_lambda_permission", "config-validator/"))).toEqual([]);
  });

  test("writes reports only under its prefix", () => {
    const policy = dev().resource("aws_iam_role_policy", "config-validator/function/policy").policy;
    expect(SynthStack.statement(policy, "WriteReports").Resource).toEqual(["arn:aws:s3:::replica-dev-artifacts-111111111111-us-east-1/reports/config-validation/*"]);
  });

  test("may list its bucket without a prefix condition, so a missing latest report is NoSuchKey (404 'no report yet'), not AccessDenied", () => {
    const list = SynthStack.statement(dev().resource("aws_iam_role_policy", "config-validator/function/policy").policy, "ListReports");
    expect(list).toEqual({ Sid: "ListReports", Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::replica-dev-artifacts-111111111111-us-east-1"] });
  });

  test("the URL is the status endpoint output", () => {
    expect(dev().output("status_endpoint_url").value).toBe(`\${${dev().address("aws_lambda_function_url", "config-validator/url")}.function_url}`);
  });
});

describe("alarms", () => {
  test("S3 failed replication, per rule, with the replication metrics' dimensions", () => {
    expect(alarm(dev(), "s3-replication-failed-promote-to-staging")).toMatchObject({
      namespace: "AWS/S3",
      metric_name: "OperationsFailedReplication",
      dimensions: { SourceBucket: "replica-dev-artifacts-111111111111-us-east-1", DestinationBucket: "replica-staging-artifacts-222222222222-us-east-1", RuleId: "promote-to-staging" },
      statistic: "Sum",
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
    });
    expect(alarm(dev(), "s3-replication-failed-dr-copy").dimensions.DestinationBucket).toBe("replica-dev-artifacts-111111111111-eu-west-1");
  });

  test("the alarm dimensions name the rules the replication configuration has", () => {
    const ids = dev().resource("aws_s3_bucket_replication_configuration", "artifact-replication/configuration").rule.map((r: any) => r.id);
    for (const id of ids) expect(alarm(dev(), `s3-replication-latency-${id}`).dimensions.RuleId).toBe(id);
  });

  test("S3 replication latency above the configured seconds", () => {
    expect(alarm(dev(), "s3-replication-latency-dr-copy")).toMatchObject({ metric_name: "ReplicationLatency", statistic: "Maximum", threshold: 900 });
  });

  test("DynamoDB replication latency above 1 second, into the DR replica of a per-account ledger", () => {
    expect(alarm(devOwnLedger(), "dynamodb-replication-latency")).toMatchObject({
      namespace: "AWS/DynamoDB",
      metric_name: "ReplicationLatency",
      dimensions: { TableName: "replica-dev-replication-ledger", ReceivingRegion: "eu-west-1" },
      threshold: 1000,
    });
  });

  test.each(["dev", "staging", "prod"])("%s: DynamoDB replication latency above 1 second, into the other accounts' replicas of the multi-account ledger", (env) => {
    // GIVEN the example (ledgerGlobalTable on; every replica in the primary region)
    expect(alarm(stackOf(`${env}-us-east-1`), "dynamodb-replication-latency")).toMatchObject({
      namespace: "AWS/DynamoDB",
      metric_name: "ReplicationLatency",
      dimensions: { TableName: "replica-replication-ledger", ReceivingRegion: "us-east-1" },
      threshold: 1000,
    });
  });

  test.each(["stream-processor", "config-mirror", "replication-monitor", "config-validator"])("%s errors and throttles", (handler) => {
    for (const metric of ["errors", "throttles"]) {
      expect(alarm(dev(), `${handler}-${metric}`)).toMatchObject({ namespace: "AWS/Lambda", dimensions: { FunctionName: `replica-dev-${handler}` }, threshold: 0 });
    }
  });

  test("every dead-letter queue of the stack has a depth alarm, the database sync functions' included", () => {
    const queues = Object.values(dev().resources("aws_sqs_queue")).map((q: any) => q.name);
    expect(queues).toEqual(expect.arrayContaining(["replica-dev-schema-sync-dlq", "replica-dev-database-sync-events-dlq"]));
    const watched = Object.values(dev().resourcesUnder("aws_cloudwatch_metric_alarm", "fabric-monitoring/"))
      .filter((a: any) => a.metric_name === "ApproximateNumberOfMessagesVisible")
      .map((a: any) => a.dimensions.QueueName);
    expect(watched.sort()).toEqual(queues.sort());
  });

  test("configuration drift per category from the validator", () => {
    for (const category of ["ssm", "schema", "dynamodb"]) {
      expect(alarm(dev(), `drift-${category}`)).toMatchObject({
        namespace: "replica/Replication",
        metric_name: "DriftCount",
        dimensions: { Environment: "dev", Handler: "config-validator", Category: category },
        threshold: 0,
      });
    }
  });

  test("canary lag per channel from the monitor (the ledger channel with a per-account ledger)", () => {
    const dev = devOwnLedger;
    for (const channel of ["s3", "dynamodb", "ssm"]) {
      expect(alarm(dev(), `canary-lag-${channel}`)).toMatchObject({
        metric_name: "ReplicationLagSeconds",
        dimensions: { Environment: "dev", Handler: "replication-monitor", Channel: channel },
        threshold: 60,
      });
      expect(alarm(dev(), `canary-timeout-${channel}`).metric_name).toBe("CanaryTimeout");
    }
  });

  test("every fabric alarm notifies the alarm topic on alarm and recovery", () => {
    const topic = `\${${dev().address("aws_sns_topic", "alarms/topic")}.arn}`;
    const alarms = Object.values(dev().resourcesUnder("aws_cloudwatch_metric_alarm", "fabric-monitoring/")) as any[];
    expect(alarms.length).toBeGreaterThan(25);
    for (const a of alarms) {
      expect(a.alarm_actions).toEqual([topic]);
      expect(a.ok_actions).toEqual([topic]);
      expect(a.alarm_name).toMatch(/^replica-dev-/);
    }
  });
});

describe("dashboards", () => {
  const body = (stack: SynthStack, path: string) => parseJsonAttribute(stack.resource("aws_cloudwatch_dashboard", path).dashboard_body);

  test("each environment has a dashboard with its replication graphs and alarm states", () => {
    const widgets = body(dev(), "fabric-monitoring/dashboard/dashboard").widgets;
    const titles = widgets.map((w: any) => w.properties.title).filter(Boolean);
    expect(titles).toEqual(expect.arrayContaining(["S3 replication latency (s)", "Ledger replication latency (ms)", "Canary replication lag (s)", "Configuration drift (findings)", "Fabric alarms"]));
    const alarms = widgets.find((w: any) => w.type === "alarm").properties.alarms;
    expect(alarms).toHaveLength(Object.keys(dev().resourcesUnder("aws_cloudwatch_metric_alarm", "fabric-monitoring/")).length);
  });

  test("widgets fit the 24-column grid", () => {
    for (const w of body(dev(), "fabric-monitoring/dashboard/dashboard").widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
  });

  test("the operations environment has an overview of every environment, with their accounts", () => {
    const widgets = body(prod(), "overview-dashboard/dashboard/dashboard").widgets;
    const accounts = new Set(widgets.flatMap((w: any) => (w.properties.metrics ?? []).map((m: any[]) => m[m.length - 1].accountId)));
    expect([...accounts].sort()).toEqual(["111111111111", "222222222222", "333333333333"]);
    expect(dev().resources("aws_cloudwatch_dashboard")).not.toHaveProperty("overview-dashboard");
    expect(Object.keys(dev().resourcesUnder("aws_cloudwatch_dashboard", "overview-dashboard"))).toEqual([]);
  });

  test("dashboard URLs are outputs", () => {
    expect(dev().output("dashboard_url").value).toBe("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/replica-dev-replication");
    expect(prod().output("overview_dashboard_url").value).toMatch(/#dashboards\/dashboard\/replica-replication-overview$/);
  });
});

describe("outputs", () => {
  test("every fabric output has a description", () => {
    for (const name of ["artifacts_bucket_name", "replication_role_arn", "ledger_table_arn", "agent_role_arn", "status_endpoint_url", "dashboard_url", "events_dead_letter_queue_url"]) {
      expect(dev().output(name).description).toEqual(expect.any(String));
    }
  });
});
