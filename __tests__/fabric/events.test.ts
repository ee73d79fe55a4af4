import { SynthStack, stackOf } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

const dev = () => stackOf("dev-us-east-1");
const prod = () => stackOf("prod-us-east-1");
const CENTRAL_BUS_ARN = "arn:aws:events:us-east-1:333333333333:event-bus/replica-central";
const PRIMARY_STACKS = ["dev-us-east-1", "staging-us-east-1", "prod-us-east-1"];

describe("central bus", () => {
  test("lives in the operations environment (prod) with a deterministic name", () => {
    expect(prod().resource("aws_cloudwatch_event_bus", "central-bus/bus").name).toBe("replica-central");
    expect(dev().resources("aws_cloudwatch_event_bus")).toEqual({});
    expect(stackOf("staging-us-east-1").resources("aws_cloudwatch_event_bus")).toEqual({});
  });

  test("its ARN is the one every environment sends to", () => {
    // GIVEN the bus name and the operations account WHEN the others compute the ARN THEN they agree
    const bus = prod().resource("aws_cloudwatch_event_bus", "central-bus/bus");
    expect(`arn:aws:events:us-east-1:333333333333:event-bus/${bus.name}`).toBe(CENTRAL_BUS_ARN);
    expect(prod().output("central_bus_arn").value).toBe(`\${${prod().address("aws_cloudwatch_event_bus", "central-bus/bus")}.arn}`);
  });

  test("its policy admits exactly the other environments' accounts to PutEvents", () => {
    const policy = SynthStack.statements(prod().resource("aws_cloudwatch_event_bus_policy", "central-bus/policy").policy);
    expect(policy).toEqual([
      {
        Sid: "PlatformAccountsPutEvents",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"] },
        Action: ["events:PutEvents"],
        Resource: [`\${${prod().address("aws_cloudwatch_event_bus", "central-bus/bus")}.arn}`],
      },
    ]);
  });

  test("routes replication failures from every environment to the operations alarm topic", () => {
    const rule = prod().resource("aws_cloudwatch_event_rule", "rule-central-alerts/rule");
    expect(rule.event_bus_name).toBe(`\${${prod().address("aws_cloudwatch_event_bus", "central-bus/bus")}.name}`);
    expect(parseJsonAttribute(rule.event_pattern).source).toEqual(["platform.replication"]);
    expect(parseJsonAttribute(rule.event_pattern)["detail-type"]).toContain("Artifact Replication Failed");
    expect(prod().resource("aws_cloudwatch_event_target", "rule-central-alerts/alarm-topic").arn).toBe(`\${${prod().address("aws_sns_topic", "alarms/topic")}.arn}`);
  });
});

describe("forwarding to the central bus", () => {
  test.each(PRIMARY_STACKS)("%s forwards through a role that may put events only on the central bus", (name) => {
    const stack = stackOf(name);
    const role = stack.resource("aws_iam_role", "event-forwarder/role");
    expect(SynthStack.statements(role.assume_role_policy)[0].Principal).toEqual({ Service: ["events.amazonaws.com"] });
    expect(SynthStack.statements(stack.resource("aws_iam_role_policy", "event-forwarder/policy").policy)).toEqual([
      { Sid: "PutCentralBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [CENTRAL_BUS_ARN] },
    ]);
  });

  test.each(["rule-artifact-created", "rule-parameter-change", "rule-stack-change", "rule-config-api-calls", "rule-rds-snapshots"])("%s forwards to the central bus", (rule) => {
    const target = dev().resource("aws_cloudwatch_event_target", `${rule}/central-bus`);
    expect(target.arn).toBe(CENTRAL_BUS_ARN);
    expect(target.role_arn).toBe(`\${${dev().address("aws_iam_role", "event-forwarder/role")}.arn}`);
  });
});

describe("event rules", () => {
  const pattern = (rule: string) => parseJsonAttribute(dev().resource("aws_cloudwatch_event_rule", `${rule}/rule`).event_pattern);

  test("artifact Object Created events of the artifacts bucket only", () => {
    expect(pattern("rule-artifact-created")).toEqual({ source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: ["replica-dev-artifacts-111111111111-us-east-1"] } } });
  });

  test("CloudFormation stack status changes trigger the validator with a validate request", () => {
    expect(pattern("rule-stack-change")).toEqual({ source: ["aws.cloudformation"], "detail-type": ["CloudFormation Stack Status Change"] });
    const target = dev().resource("aws_cloudwatch_event_target", "rule-stack-change/config-validator");
    expect(parseJsonAttribute(target.input)).toEqual({ action: "validate" });
  });

  test("configuration API calls recorded by CloudTrail", () => {
    const p = pattern("rule-config-api-calls");
    expect(p["detail-type"]).toEqual(["AWS API Call via CloudTrail"]);
    expect(p.detail.eventName).toEqual(expect.arrayContaining(["PutParameter", "UpdateTable", "PutBucketReplication"]));
  });

  test("RDS snapshot events", () => {
    expect(pattern("rule-rds-snapshots")).toEqual({ source: ["aws.rds"], "detail-type": ["RDS DB Cluster Snapshot Event", "RDS DB Snapshot Event"] });
  });

  test("schedules for the canary and the validation", () => {
    expect(dev().resource("aws_cloudwatch_event_rule", "rule-replication-canary/rule").schedule_expression).toBe("rate(5 minutes)");
    expect(dev().resource("aws_cloudwatch_event_rule", "rule-config-validation/rule").schedule_expression).toBe("rate(1 hour)");
  });

  test.each(PRIMARY_STACKS)("every target in %s has the dead-letter queue and a retry policy", (name) => {
    const stack = stackOf(name);
    const queue = `\${${stack.address("aws_sqs_queue", "events-dlq/queue")}.arn}`;
    const targets = Object.values(stack.resourcesUnder("aws_cloudwatch_event_target", "rule-")) as any[];
    expect(targets.length).toBeGreaterThanOrEqual(8);
    for (const target of targets) {
      expect(target.dead_letter_config).toEqual({ arn: queue });
      expect(target.retry_policy).toEqual({ maximum_retry_attempts: 10, maximum_event_age_in_seconds: 3600 });
    }
  });

  test("the dead-letter queue is encrypted and accepts messages only from the stack's rules", () => {
    const stack = prod();
    expect(stack.resource("aws_sqs_queue", "events-dlq/queue").kms_master_key_id).toBe(`\${${stack.address("aws_kms_key", "key/key")}.arn}`);
    const allow = SynthStack.statement(stack.resource("aws_sqs_queue_policy", "events-dlq/policy").policy, "EventBridgeRulesDeadLetter");
    expect(allow.Principal).toEqual({ Service: ["events.amazonaws.com"] });
    // The fabric's rules, the central bus's stack-update rules included (database sync has its own queue).
    const rules = { ...stack.resourcesUnder("aws_cloudwatch_event_rule", "rule-"), ...stack.resourcesUnder("aws_cloudwatch_event_rule", "stack-updates/") };
    const ruleArns = Object.keys(rules).map((name) => `\${aws_cloudwatch_event_rule.${name}.arn}`);
    expect([...allow.Condition.ArnEquals["aws:SourceArn"]].sort()).toEqual(ruleArns.sort());
  });

  test("every function target is matched by a permission for its rule", () => {
    const stack = dev();
    const permissions = Object.values(stack.resources("aws_lambda_permission")) as any[];
    for (const [name, target] of Object.entries(stack.resourcesUnder("aws_cloudwatch_event_target", "rule-")) as [string, any][]) {
      if (!String(target.arn).includes("aws_lambda_function")) continue;
      const rule = String(target.rule).replace(".name}", ".arn}");
      expect(permissions.some((p) => p.principal === "events.amazonaws.com" && p.source_arn === rule && p.function_name === target.arn.replace(".arn}", ".function_name}"))).toBe(true);
      void name;
    }
  });
});

describe("artifacts bucket notifications", () => {
  test("send every event to EventBridge and replication events to the monitor", () => {
    const notification = dev().resource("aws_s3_bucket_notification", "artifacts-notifications");
    expect(notification.eventbridge).toBe(true);
    expect(notification.lambda_function).toEqual([
      {
        id: "replication-events",
        lambda_function_arn: `\${${dev().address("aws_lambda_function", "replication-monitor/function/function")}.arn}`,
        events: [
          "s3:Replication:OperationFailedReplication",
          "s3:Replication:OperationMissedThreshold",
          "s3:Replication:OperationReplicatedAfterThreshold",
          "s3:Replication:OperationNotTracked",
        ],
      },
    ]);
    expect(notification.depends_on).toEqual([dev().address("aws_lambda_permission", "artifacts-notify-monitor")]);
  });

  test("S3 may invoke the monitor only for the artifacts bucket of this account", () => {
    expect(dev().resource("aws_lambda_permission", "artifacts-notify-monitor")).toMatchObject({
      principal: "s3.amazonaws.com",
      action: "lambda:InvokeFunction",
      source_arn: `\${${dev().address("aws_s3_bucket", "artifacts/bucket/bucket")}.arn}`,
      source_account: "111111111111",
    });
  });
});
