import { SynthStack, stackOf } from "../fabric/helpers";

const ENVIRONMENT_STACKS = ["dev", "staging", "prod"].flatMap((env) => [`${env}-us-east-1`, `${env}-eu-west-1`]);
const ACCOUNTS: Record<string, string> = { dev: "111111111111", staging: "222222222222", prod: "333333333333" };

/** Every key-policy statement whose principal is an AWS service, per stack. */
function serviceStatements(name: string): any[] {
  return Object.values(stackOf(name).resources("aws_kms_key")).flatMap((key: any) => SynthStack.statements(key.policy).filter((s) => s.Principal?.Service));
}

/** Condition keys of a statement, whatever the operator. */
function conditionKeys(statement: any): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((block: any) => Object.keys(block));
}

describe("key policies: AWS services use the keys only for this account's resources", () => {
  test.each(ENVIRONMENT_STACKS)("%s: every service statement names its resources (aws:SourceAccount, aws:SourceArn or an encryption context)", (name) => {
    // GIVEN the synthesized key policies WHEN a statement admits a service THEN it carries a confused-deputy guard
    const statements = serviceStatements(name);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const keys = conditionKeys(statement);
      expect({ sid: statement.Sid, guarded: keys.some((k) => k === "aws:SourceAccount" || k === "aws:SourceArn" || k.startsWith("kms:EncryptionContext:")) }).toEqual({ sid: statement.Sid, guarded: true });
    }
  });

  test.each(ENVIRONMENT_STACKS)("%s: account-scoped conditions name the stack's own account only", (name) => {
    const account = ACCOUNTS[name.split("-")[0]];
    for (const statement of serviceStatements(name)) {
      const values = Object.values(statement.Condition).flatMap((block: any) => Object.values(block).flat()) as string[];
      // Global services (CloudFront) have ARNs without a region.
      for (const value of values) expect(value).toMatch(new RegExp(`^(${account}|arn:aws:[a-z]+:[a-z0-9*-]*:${account}:.+)$`));
    }
  });

  test("no key names the RDS service principal, which no service needs (RDS uses the deploying principal's grants)", () => {
    const services = ENVIRONMENT_STACKS.flatMap((name) => serviceStatements(name).flatMap((s) => s.Principal.Service));
    expect(services).not.toContain("rds.amazonaws.com");
    expect([...new Set(services)].sort()).toEqual(
      // CloudFront: the edge tier's content, read through origin access control (prod, docs/edge-tier.md).
      ["cloudfront.amazonaws.com", "cloudtrail.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com", "logs.us-east-1.amazonaws.com", "logs.eu-west-1.amazonaws.com"].sort(),
    );
  });

  test("CloudWatch alarms may use a key only for the alarm topic of its own region and account", () => {
    const statement = SynthStack.statement(stackOf("staging-eu-west-1").resource("aws_kms_key", "key/key").policy, "CloudWatchAlarmsPublish");
    expect(statement).toMatchObject({
      Principal: { Service: ["cloudwatch.amazonaws.com"] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Condition: { StringEquals: { "aws:SourceAccount": ["222222222222"], "kms:EncryptionContext:aws:sns:topicArn": ["arn:aws:sns:eu-west-1:222222222222:replica-staging-alarms"] } },
    });
    // The ARN in the condition is the topic this stack creates with that key.
    const topic = stackOf("staging-eu-west-1").resource("aws_sns_topic", "alarms/topic");
    expect(topic.name).toBe("replica-staging-alarms");
  });

  test("EventBridge may use a primary key for the environment's dead-letter queues only, and a DR key only for the restore drill's", () => {
    const dlq = SynthStack.statement(stackOf("dev-us-east-1").resource("aws_kms_key", "key/key").policy, "EventBridgeDeadLetters");
    expect(dlq.Condition).toEqual({ ArnLike: { "kms:EncryptionContext:aws:sqs:arn": ["arn:aws:sqs:us-east-1:111111111111:replica-dev-*"] } });
    expect(stackOf("dev-us-east-1").resource("aws_sqs_queue", "events-dlq/queue").name).toBe("replica-dev-events-dlq");
    for (const name of ["dev-eu-west-1", "staging-eu-west-1"]) {
      expect(serviceStatements(name).filter((s) => s.Principal.Service.includes("events.amazonaws.com"))).toEqual([]);
    }
    // prod is drilled (disasterRecovery.restoreDrill): its DR key admits EventBridge for that one queue
    const drill = serviceStatements("prod-eu-west-1").filter((s) => s.Principal.Service.includes("events.amazonaws.com"));
    expect(drill.map((s) => s.Condition)).toEqual([{ ArnLike: { "kms:EncryptionContext:aws:sqs:arn": ["arn:aws:sqs:eu-west-1:333333333333:replica-prod-restore-drill-events-dlq*"] } }]);
  });

  test("only the operations environment's key lets EventBridge deliver to its alarm topic and encrypt the central bus", () => {
    const sids = (name: string) => serviceStatements(name).map((s) => s.Sid);
    expect(sids("prod-us-east-1")).toEqual(expect.arrayContaining(["EventBridgeDeliversToAlarmTopic", "EventBridgeEncryptsCentralBus", "EventBridgeChecksCentralBusKey"]));
    for (const name of ["dev-us-east-1", "staging-us-east-1"]) {
      expect(sids(name)).not.toEqual(expect.arrayContaining(["EventBridgeDeliversToAlarmTopic"]));
      expect(sids(name)).not.toContain("EventBridgeEncryptsCentralBus");
    }
    const prodKey = stackOf("prod-us-east-1").resource("aws_kms_key", "key/key").policy;
    expect(SynthStack.statement(prodKey, "EventBridgeEncryptsCentralBus").Condition).toEqual({
      StringEquals: { "kms:EncryptionContext:aws:events:event-bus:arn": ["arn:aws:events:us-east-1:333333333333:event-bus/replica-central"] },
    });
    expect(SynthStack.statement(prodKey, "EventBridgeDeliversToAlarmTopic").Condition).toEqual({
      StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": ["arn:aws:sns:us-east-1:333333333333:replica-prod-alarms"] },
    });
  });
});
