import { maxCopyAgeHours } from "../../src/snapshots/snapshot-copy";
import { SynthStack, exampleWith, stackOf, synthPlatform } from "./helpers";

const statement = SynthStack.statement;
const dev = () => stackOf("dev-us-east-1");
const fn = (stack: SynthStack) => stack.resource("aws_lambda_function", "snapshot-copy/function/function");
const policy = (stack: SynthStack) => stack.resource("aws_iam_role_policy", "snapshot-copy/function/policy").policy;
const alarm = (stack: SynthStack, name: string) => stack.resource("aws_cloudwatch_metric_alarm", `fabric-monitoring/alarms/${name}`);

describe("snapshot copies (seed 003)", () => {
  test("the primary-region stack copies every cluster of the environment into the DR region under the DR key", () => {
    const vars = fn(dev()).environment.variables;
    expect(JSON.parse(vars.CLUSTERS)).toEqual([
      { name: "ledger", clusterIdentifier: "replica-dev-ledger" },
      { name: "catalog", clusterIdentifier: "replica-dev-catalog" },
    ]);
    expect(vars).toMatchObject({ ENVIRONMENT: "dev", SOURCE_REGION: "us-east-1", TARGET_REGION: "eu-west-1", RETENTION_DAYS: "14" });
    // The DR key is found by its alias through the other-region provider.
    expect(vars.TARGET_KMS_KEY_ID).toMatch(/^\$\{data\.aws_kms_alias\.dr-key[^.]*\.target_key_arn\}$/);
  });

  test("reserves no concurrency by default (a new account has none to spare), one when the platform reserves concurrency", () => {
    expect(fn(dev())).not.toHaveProperty("reserved_concurrent_executions");
    const stacks = synthPlatform(exampleWith({ root: { lambda: { reservedConcurrency: 5 } } }));
    expect(fn(stacks.get("dev-us-east-1")!).reserved_concurrent_executions).toBe(1);
  });

  test("the DR-region stack and an environment without databases have no snapshot copies", () => {
    expect(Object.values(stackOf("dev-eu-west-1").resources("aws_lambda_function")).map((f: any) => f.function_name)).not.toContain("replica-dev-snapshot-copy");
    const stacks = synthPlatform(exampleWith({ environment: "dev", set: { databases: [] } }));
    const dev = stacks.get("dev-us-east-1")!;
    expect(Object.values(dev.resources("aws_lambda_function")).map((f: any) => f.function_name)).not.toContain("replica-dev-snapshot-copy");
    expect(Object.keys(dev.resourcesUnder("aws_cloudwatch_metric_alarm", "fabric-monitoring/alarms/snapshot-copy"))).toEqual([]);
  });

  test("copies run on the configured schedule; progress is checked hourly; both targets dead-letter", () => {
    const copy = dev().resource("aws_cloudwatch_event_rule", "rule-snapshot-copy/rule");
    expect(copy.schedule_expression).toBe("cron(0 5 * * ? *)");
    const copyTarget = dev().resource("aws_cloudwatch_event_target", "rule-snapshot-copy/snapshot-copy");
    expect(JSON.parse(copyTarget.input)).toEqual({ action: "copy" });
    expect(copyTarget.dead_letter_config.arn).toBeDefined();
    expect(dev().resource("aws_cloudwatch_event_rule", "rule-snapshot-check/rule").schedule_expression).toBe("rate(1 hour)");
    expect(JSON.parse(dev().resource("aws_cloudwatch_event_target", "rule-snapshot-check/snapshot-copy").input)).toEqual({ action: "check" });
  });

  test("configured schedule and retention reach the rule, the function and the age alarm", () => {
    const stacks = synthPlatform(exampleWith({ root: { snapshots: { schedule: "rate(12 hours)", retentionDays: 3 } } }));
    const dev = stacks.get("dev-us-east-1")!;
    expect(dev.resource("aws_cloudwatch_event_rule", "rule-snapshot-copy/rule").schedule_expression).toBe("rate(12 hours)");
    expect(fn(dev).environment.variables.RETENTION_DAYS).toBe("3");
    expect(alarm(dev, "snapshot-copy-age-ledger").threshold).toBe(42);
  });

  test("the role reaches only the clusters, their automated snapshots and the copies' own names", () => {
    const doc = policy(dev());
    const copies = ["ledger", "catalog"].map((db) => `arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:replica-dev-${db}-copy-*`);
    const automated = ["ledger", "catalog"].map((db) => `arn:aws:rds:us-east-1:111111111111:cluster-snapshot:rds:replica-dev-${db}-*`);
    expect(statement(doc, "ExpireCopies")).toMatchObject({ Action: ["rds:DeleteDBClusterSnapshot"], Resource: copies });
    expect(statement(doc, "CopyAutomatedSnapshots")).toMatchObject({ Action: ["rds:CopyDBClusterSnapshot"], Resource: [...automated, ...copies] });
    expect(statement(doc, "TagCopies").Resource).toEqual(copies);
    expect(statement(doc, "GrantSnapshotKeysToRds")).toMatchObject({ Action: ["kms:CreateGrant"], Condition: { Bool: { "kms:GrantIsForAWSResource": true } } });
    expect(statement(doc, "RecordInLedger").Action).toEqual(["dynamodb:PutItem"]);
    for (const s of SynthStack.statements(doc)) {
      for (const action of [s.Action].flat()) expect(action).not.toContain("*");
    }
    const rdsResources = SynthStack.statements(doc)
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith("rds:")))
      .flatMap((s) => s.Resource);
    for (const resource of rdsResources) expect(resource).toMatch(/^arn:aws:rds:(us-east-1|eu-west-1):111111111111:cluster(-snapshot)?:(rds:)?replica-dev-(ledger|catalog)/);
  });

  test("alarms when the newest copy is overdue or missing, and when a copy fails; errors are watched like every function", () => {
    const age = alarm(dev(), "snapshot-copy-age-ledger");
    expect(age).toMatchObject({
      metric_name: "SnapshotCopyAgeHours",
      namespace: "replica/Replication",
      dimensions: { Environment: "dev", Handler: "snapshot-copy", Database: "ledger" },
      threshold: 54,
      treat_missing_data: "breaching",
    });
    expect(alarm(dev(), "snapshot-copy-failed-catalog")).toMatchObject({ metric_name: "SnapshotCopiesFailed", threshold: 0 });
    expect(alarm(dev(), "snapshot-copy-errors").dimensions).toEqual({ FunctionName: "replica-dev-snapshot-copy" });
  });
});

describe("how old the newest copy may be", () => {
  test.each([
    ["cron(0 5 * * ? *)", 54],
    ["rate(1 day)", 54],
    ["rate(1 hour)", 31],
    ["rate(30 minutes)", 31],
    ["rate(2 days)", 78],
    ["cron(0 5 ? * MON *)", 198],
    ["cron(0 5 1 * ? *)", 774],
  ])("%s: %i hours", (schedule, hours) => {
    expect(maxCopyAgeHours(schedule)).toBe(hours);
  });
});
