import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { TerraformStack } from "cdktf";
import { platform, resourcesOf, synthJson } from "../helpers/platform";
import { exampleWith, stackOf, SynthStack, synthPlatform } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

// GIVEN the built-in example: state in the operations (prod) account 333333333333, key prefix "replica".
function stateStack(edit?: (raw: any) => void): any {
  const { app } = platform(edit);
  return synthJson(app.node.children.find((c) => c instanceof TerraformStack && c.node.id === "state-bootstrap") as TerraformStack);
}
const byPath = (json: any, type: string, suffix: string) => {
  // Testing.synth drops the construct-path metadata: logical ids are the path joined with "_" plus a hash.
  // (cdktf drops a segment that repeats its parent's: "rule/rule" is "rule").
  const id = suffix.split("/").filter((segment, i, all) => segment !== all[i - 1]).join("_");
  const found = Object.entries(resourcesOf(json, type)).filter(([name]) => name.startsWith(`${id}_`) && name.length === id.length + 9).map(([, r]) => r);
  if (found.length !== 1) throw new Error(`expected one ${type} at ${suffix}, found ${found.length}`);
  return found[0] as any;
};
const prod = () => stackOf("prod-us-east-1");
const STATE_BUCKET = "replica-tfstate-333333333333";

describe("state account: state writes are forwarded to the central bus", () => {
  test("the state bucket notifies EventBridge", () => {
    const json = stateStack();
    expect(JSON.stringify(json)).toHaveResourceWithProperties(S3BucketNotification, { eventbridge: true });
    expect(byPath(json, "aws_s3_bucket_notification", "state-change-events/notifications").bucket).toMatch(/^\$\{aws_s3_bucket\.state-bucket_.*\.bucket\}$/);
  });

  test("a rule on the default bus matches state objects of every stack, not lock files", () => {
    const json = stateStack();
    expect(JSON.stringify(json)).toHaveResourceWithProperties(CloudwatchEventRule, { name: "replica-state-changes" });
    const pattern = parseJsonAttribute(byPath(json, "aws_cloudwatch_event_rule", "state-change-events/rule/rule").event_pattern);
    expect(pattern).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [expect.any(String)] }, object: { key: [{ wildcard: "replica/*/terraform.tfstate" }] } },
    });
    expect(pattern.detail.bucket.name[0]).toMatch(/^\$\{aws_s3_bucket\.state-bucket_.*\.bucket\}$/);
  });

  test("forwards to the central bus as a role that may only put events there, with a dead-letter queue", () => {
    const json = stateStack();
    expect(JSON.stringify(json)).toHaveResourceWithProperties(CloudwatchEventTarget, { arn: "arn:aws:events:us-east-1:333333333333:event-bus/replica-central" });
    const target = byPath(json, "aws_cloudwatch_event_target", "state-change-events/rule/central-bus");
    expect(target.role_arn).toMatch(/aws_iam_role\.state-change-events_forwarder_role/);
    expect(target.dead_letter_config.arn).toMatch(/aws_sqs_queue\.state-change-events_dlq_queue/);
    const policy = parseJsonAttribute(byPath(json, "aws_iam_role_policy", "state-change-events/forwarder/policy").policy);
    expect(policy.Statement).toEqual([{ Sid: "PutCentralBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: ["arn:aws:events:us-east-1:333333333333:event-bus/replica-central"] }]);
    expect(parseJsonAttribute(byPath(json, "aws_iam_role", "state-change-events/forwarder/role").assume_role_policy).Statement[0].Principal).toEqual({ Service: ["events.amazonaws.com"] });
  });

  test("the dead-letter queue is encrypted with the state key, which lets EventBridge use it for that queue only", () => {
    const json = stateStack();
    expect(byPath(json, "aws_sqs_queue", "state-change-events/dlq/queue")).toMatchObject({ name: "replica-state-events-dlq", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.key_[0-9A-F]{8}\.arn\}$/) });
    const keyPolicy = parseJsonAttribute(byPath(json, "aws_kms_key", "key/key").policy);
    expect(keyPolicy.Statement.find((s: any) => s.Sid === "EventBridgeDeadLetters").Condition).toEqual({
      ArnLike: { "kms:EncryptionContext:aws:sqs:arn": ["arn:aws:sqs:us-east-1:333333333333:replica-state-events-dlq*"] },
    });
  });

  test("a separate state account may put events on the central bus", () => {
    const stacks = synthPlatform(exampleWith({ root: { stateBackend: { accountId: "444444444444", region: "us-east-1" } } }));
    const busPolicy = stacks.get("prod-us-east-1")!.resource("aws_cloudwatch_event_bus_policy", "central-bus/policy").policy;
    expect(SynthStack.statement(busPolicy, "PlatformAccountsPutEvents").Principal.AWS).toContain("arn:aws:iam::444444444444:root");
  });
});

describe("central bus: a state write validates the stack's environment", () => {
  const stacks = ["dev-eu-west-1", "dev-us-east-1", "staging-eu-west-1", "staging-us-east-1", "prod-eu-west-1", "prod-us-east-1"];

  test.each(stacks)("%s: one rule on the central bus for exactly that stack's state object", (stack) => {
    const rule = prod().resource("aws_cloudwatch_event_rule", `stack-updates/${stack}/rule`);
    expect(rule.event_bus_name).toBe(`\${${prod().address("aws_cloudwatch_event_bus", "central-bus/bus")}.name}`);
    expect(parseJsonAttribute(rule.event_pattern)).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [STATE_BUCKET] }, object: { key: [`replica/${stack}/terraform.tfstate`] } },
    });
  });

  test.each([
    ["dev-us-east-1", "dev", "111111111111"],
    ["staging-eu-west-1", "staging", "222222222222"],
  ])("%s: invokes %s's validator in its account as the invoker role, with a Stack Updated input naming the stack", (stack, env, account) => {
    expect(JSON.stringify(prod().json)).toHaveResourceWithProperties(CloudwatchEventTarget, {
      arn: `arn:aws:lambda:us-east-1:${account}:function:replica-${env}-config-validator`,
      role_arn: "arn:aws:iam::333333333333:role/replica-stack-update-invoker",
    });
    const target = prod().resource("aws_cloudwatch_event_target", `stack-updates/${stack}/validator`);
    expect(target.input_transformer.input_paths).toEqual({ key: "$.detail.object.key", version: "$.detail.object.version-id", time: "$.time" });
    const rendered = target.input_transformer.input_template.replace("<key>", '"k"').replace("<version>", '"v"').replace("<time>", '"t"');
    expect(parseJsonAttribute(rendered)).toEqual({ action: "validate", trigger: { type: "Stack Updated", stack, environment: env, stateObject: "k", stateVersion: "v", time: "t" } });
    expect(target.dead_letter_config.arn).toBe(`\${${prod().address("aws_sqs_queue", "events-dlq/queue")}.arn}`);
  });

  test("the operations environment's own stacks invoke its validator directly", () => {
    const target = prod().resource("aws_cloudwatch_event_target", "stack-updates/prod-us-east-1/validator");
    expect(target.arn).toBe(`\${${prod().address("aws_lambda_function", "config-validator/function/function")}.arn}`);
    expect(target.role_arn).toBeUndefined();
    expect(prod().resource("aws_lambda_permission", "stack-updates/prod-us-east-1/validator-permission")).toMatchObject({ principal: "events.amazonaws.com" });
  });

  test("the invoker role may invoke only the other environments' validators", () => {
    const policy = prod().resource("aws_iam_role_policy", "stack-updates/invoker-policy").policy;
    expect(SynthStack.statements(policy)).toEqual([
      {
        Sid: "InvokeValidators",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: ["arn:aws:lambda:us-east-1:111111111111:function:replica-dev-config-validator", "arn:aws:lambda:us-east-1:222222222222:function:replica-staging-config-validator"],
      },
    ]);
    expect(SynthStack.statements(prod().resource("aws_iam_role", "stack-updates/invoker").assume_role_policy)[0]).toMatchObject({
      Principal: { Service: ["events.amazonaws.com"] },
      Condition: { StringEquals: { "aws:SourceAccount": ["333333333333"] } },
    });
  });

  test.each(["dev", "staging"])("%s's validator lets exactly the central invoker role call it", (env) => {
    const stack = stackOf(`${env}-us-east-1`);
    expect(stack.resource("aws_lambda_permission", "stack-updates-invoke-validator")).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "arn:aws:iam::333333333333:role/replica-stack-update-invoker",
      function_name: `\${${stack.address("aws_lambda_function", "config-validator/function/function")}.function_name}`,
    });
    expect(stack.resourcesUnder("aws_cloudwatch_event_rule", "stack-updates/")).toEqual({});
  });

  test("the CloudFormation rule stays, for stacks other tools deploy in the same accounts", () => {
    const rule = stackOf("dev-us-east-1").resource("aws_cloudwatch_event_rule", "rule-stack-change/rule");
    expect(parseJsonAttribute(rule.event_pattern)).toEqual({ source: ["aws.cloudformation"], "detail-type": ["CloudFormation Stack Status Change"] });
  });

  test("with Terraform Cloud (no state bucket writes) there are no stack-update rules", () => {
    const stacks = synthPlatform(exampleWith({ root: { terraformCloud: { organization: "acme" } } }));
    expect(stacks.get("prod-us-east-1")!.resourcesUnder("aws_cloudwatch_event_rule", "stack-updates/")).toEqual({});
    expect(stacks.get("dev-us-east-1")!.resources("aws_lambda_permission")["stack-updates-invoke-validator"]).toBeUndefined();
  });
});
