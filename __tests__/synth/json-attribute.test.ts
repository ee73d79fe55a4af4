import { App, Fn, Lazy, TerraformStack, Testing, Token } from "cdktf";
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

test("line breaks, tabs, dollar signs and text around references read back as written", () => {
  const text = synthesizedPolicy((arn: string) => jsonAttribute({ Note: "line one\nline two", Tab: "a\tb", Cost: "$5 or $", Path: `${arn}/logs/$x/*` }));
  expect(parseJsonAttribute(text)).toEqual({ Note: "line one\nline two", Tab: "a\tb", Cost: "$5 or $", Path: "${aws_sns_topic.topic.arn}/logs/$x/*" });
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

test("the text is exactly cdktf's own jsonencode rendering, for every kind of value beside the references", () => {
  // GIVEN values whose token-free parts jsonAttribute renders itself (src/json-attribute.ts)
  const values = (arn: string) => [
    { Statement: [{ Effect: "Allow", Action: ["sns:Publish", "sns:Subscribe"], Resource: [arn, `${arn}/*`, "*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }] },
    { widgets: [{ x: 0, y: 2.5, width: -0, height: 1e21, markdown: "# title\nline two\n", quoted: '"already quoted"', lone: '"', dollar: "$5 and %{x}", unicode: "naïve ☃ \u0001", tab: "a\tb\\c" }], alarms: [arn] },
    { nested: [[1, [2, [3, arn]]], [], {}], empty: "", none: null, missing: undefined, yes: true, no: false },
    { list: [undefined, arn], literal: "${not a token}", [`key with "quote"`]: arn },
    [arn, { deep: { deeper: { deepest: ["a", 1, false] } } }],
    // tokens that are not one string reference: a number, a list, a string that resolves to a list, and a resolvable object
    { count: Token.asNumber(arn), sizes: Token.asNumberList(Lazy.anyValue({ produce: () => [1, arn] })), parts: Fn.split(":", arn), computed: Token.asString(Lazy.anyValue({ produce: () => ["x", arn] })), nested: [{ a: [arn, 1] }] },
    { lazy: Lazy.anyValue({ produce: () => ({ a: arn }) }), plain: "text" },
    arn,
  ];
  // WHEN each is written through jsonAttribute and through cdktf's Fn.jsonencode
  const app = new App({ outdir: Testing.app().outdir });
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const topic = new SnsTopic(stack, "topic", { name: "t" });
  values(topic.arn).forEach((value, i) => {
    new SnsTopicPolicy(stack, `ours-${i}`, { arn: topic.arn, policy: jsonAttribute(value) });
    new SnsTopicPolicy(stack, `cdktf-${i}`, { arn: topic.arn, policy: Fn.jsonencode(value) });
  });
  const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
  const policies = JSON.parse(Testing.synth(stack)).resource.aws_sns_topic_policy as Record<string, { policy: string }>;
  const warnings = [...warn.mock.calls];
  warn.mockRestore();
  // THEN the synthesized texts are the same, byte for byte, and synth warned of nothing
  values(topic.arn).forEach((_, i) => expect([i, policies[`ours-${i}`]!.policy]).toEqual([i, policies[`cdktf-${i}`]!.policy]));
  expect(warnings).toEqual([]);
});

test("a null item of a list is written as null, where cdktf's jsonencode leaves an empty place (invalid HCL)", () => {
  const app = new App({ outdir: Testing.app().outdir });
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const topic = new SnsTopic(stack, "topic", { name: "t" });
  new SnsTopicPolicy(stack, "ours", { arn: topic.arn, policy: jsonAttribute({ a: [topic.arn, { b: [1, null, 2] }] }) });
  new SnsTopicPolicy(stack, "cdktf", { arn: topic.arn, policy: Fn.jsonencode({ a: [topic.arn, { b: [1, null, 2] }] }) });
  const policies = JSON.parse(Testing.synth(stack)).resource.aws_sns_topic_policy as Record<string, { policy: string }>;
  expect(policies.ours!.policy).toBe('${jsonencode({"a" = [aws_sns_topic.topic.arn, {"b" = [1, null, 2]}]})}');
  expect(policies.cdktf!.policy).toBe('${jsonencode({"a" = [aws_sns_topic.topic.arn, {"b" = [1, , 2]}]})}');
  expect(parseJsonAttribute(policies.ours!.policy)).toEqual({ a: ["${aws_sns_topic.topic.arn}", { b: [1, null, 2] }] });
});

test("a list token among other items of a list fails synth as cdktf's own jsonencode does, instead of nesting the list", () => {
  for (const encode of [jsonAttribute, Fn.jsonencode]) {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TerraformStack(app, "s");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const topic = new SnsTopic(stack, "topic", { name: "t" });
    new SnsTopicPolicy(stack, "policy", { arn: topic.arn, policy: encode({ parts: ["first", ...Fn.split(":", topic.arn)] }) });
    expect(() => Testing.synth(stack)).toThrow(/Cannot add elements to list token/);
  }
});
