import { App, TerraformStack, Testing } from "cdktf";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { jsonAttribute, parseJsonAttribute } from "../../src/json-attribute";

function synthesizedPolicy(document: unknown): string {
  const app = new App({ outdir: Testing.app().outdir });
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const topic = new SnsTopic(stack, "topic", { name: "t" });
  new SnsTopicPolicy(stack, "policy", { arn: topic.arn, policy: typeof document === "function" ? document(topic.arn) : jsonAttribute(document) });
  const json = JSON.parse(Testing.synth(stack));
  return Object.values(json.resource.aws_sns_topic_policy as Record<string, { policy: string }>)[0].policy;
}

test("a value with references is written as jsonencode and reads back as JSON.parse of the string form did", () => {
  // GIVEN a document whose resource is another resource's ARN
  const text = synthesizedPolicy((arn: string) => jsonAttribute({ Statement: [{ Effect: "Allow", Action: ["sns:Publish"], Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" }, NumericLessThan: { n: 5 } }, Flag: true, None: null }] }));
  // THEN it is Terraform's jsonencode, not a JSON string with interpolations
  expect(text.startsWith("${jsonencode(")).toBe(true);
  expect(parseJsonAttribute(text)).toEqual({
    Statement: [
      { Effect: "Allow", Action: ["sns:Publish"], Resource: ["${aws_sns_topic.topic.arn}", "${aws_sns_topic.topic.arn}/*"], Condition: { Bool: { "aws:SecureTransport": "false" }, NumericLessThan: { n: 5 } }, Flag: true, None: null },
    ],
  });
});

test("a value without references stays a plain JSON string", () => {
  const text = synthesizedPolicy({ Statement: [{ Effect: "Deny", Action: ["sns:Publish"], Resource: ["*"] }] });
  expect(JSON.parse(text)).toEqual({ Statement: [{ Effect: "Deny", Action: ["sns:Publish"], Resource: ["*"] }] });
  expect(parseJsonAttribute(text)).toEqual(JSON.parse(text));
});

test("hand-written jsonencode with bare keys and function calls reads back", () => {
  expect(parseJsonAttribute('${jsonencode({ username = "admin", password = ephemeral.x.y.random_password, list = concat([1], [2]) })}')).toEqual({
    username: "admin",
    password: "${ephemeral.x.y.random_password}",
    list: "${concat([1], [2])}",
  });
});

test("a malformed expression fails with where it broke", () => {
  expect(() => parseJsonAttribute('${jsonencode({"a" = })}')).toThrow(/jsonencode expression, at \d+: expected a value/);
});
