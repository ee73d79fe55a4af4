import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, Lazy, TerraformStack, Testing, Token, type IResolvable } from "cdktf";
import { cdktfResolve, resolveTokens } from "../../src/synth/token-resolution";

function scope() {
  const stack = new TerraformStack(Testing.app(), "scope");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  return { stack, bucket: new S3Bucket(stack, "bucket", { bucket: "artifacts" }) };
}

describe("resolveTokens gives what cdktf's resolver gives", () => {
  const { stack, bucket } = scope();
  const lazyNumber = Token.asNumber(Lazy.numberValue({ produce: () => 42 }));
  const lazyList = Token.asList(Lazy.listValue({ produce: () => ["a", "b"] }));
  const postProcessed: IResolvable = {
    creationStack: [],
    resolve: (context) => {
      context.registerPostProcessor({ postProcess: (value: unknown) => `${String(value)}, post-processed` });
      return "resolved";
    },
    toString: () => Token.asString(postProcessed),
  };
  const cases: [string, unknown][] = [
    ["plain text, numbers, booleans and null", { a: "text", b: 3.5, c: true, d: null, e: ["x", 1, false] }],
    ["text that looks like a number with an exponent", { version: "1e5", name: "re-e-enable", range: "1.2e+3-4" }],
    ["undefined members and elements, which go", { a: undefined, b: [1, undefined, 2], c: { d: undefined } }],
    ["a reference inside text", { arn: `arn=${bucket.arn}`, nested: [{ id: bucket.id }] }],
    ["a list of references, text around them and gaps", { arns: [bucket.arn, `${bucket.arn}/*`, "plain", undefined, { id: bucket.id }], nested: [[bucket.id, 1e21]] }],
    ["a list with a number token in it, and a number list token", { ports: [lazyNumber, 443], sizes: Token.asNumberList(Lazy.anyValue({ produce: () => [1, 2] })) }],
    ["a number token, alone and inside text", { count: lazyNumber, label: `port ${lazyNumber}` }],
    ["a list token, alone and through functions", { names: lazyList, joined: Fn.join(",", Fn.keys({ a: bucket.arn })), first: Fn.element(Fn.keys({ b: 1 }), 0) }],
    ["a string token that gives plain text, another token, a number, a structure", {
      text: Lazy.stringValue({ produce: () => "plain" }),
      nested: Lazy.stringValue({ produce: () => bucket.arn }),
      number: Lazy.stringValue({ produce: () => 5 as unknown as string }),
      structure: Token.asString(Lazy.anyValue({ produce: () => ({ a: [bucket.id] }) })),
    }],
    ["a string token whose value is post-processed", { processed: Token.asString(postProcessed) }],
    ["a token object", { tags: Lazy.anyValue({ produce: () => ({ team: "data", empty: undefined }) }) }],
    ["a key that is a token", { [Lazy.stringValue({ produce: () => "named" })]: "v" }],
    ["text with Terraform's own interpolation and escapes", { path: "${path.module}/assets", escaped: "$${literal}", brace: "}{" }],
    ["a date", { when: new Date(0) }],
  ];
  test.each(cases)("%s", (_label, value) => {
    expect(resolveTokens(stack, value)).toStrictEqual(cdktfResolve(stack, value));
  });

  test("a reference resolves to Terraform's expression, and plain values come back as they were", () => {
    expect(resolveTokens(stack, { arn: bucket.arn, count: lazyNumber, label: `port ${lazyNumber}`, plain: "1e5" })).toEqual({
      arn: "${aws_s3_bucket.bucket.arn}",
      count: 42,
      label: "port 42",
      plain: "1e5",
    });
  });

  test("what cdktf refuses is refused the same way", () => {
    const construct = { construct: bucket };
    expect(() => cdktfResolve(stack, construct)).toThrow();
    expect(() => resolveTokens(stack, construct)).toThrow();
    expect(() => resolveTokens(stack, { f: () => 1 })).toThrow(/function/i);
    const failing = { value: Lazy.stringValue({ produce: () => { throw new Error("no value here"); } }) };
    const cdktfError = (() => { try { cdktfResolve(stack, failing); } catch (error) { return (error as Error).message; } return "resolved"; })();
    expect(cdktfError).toMatch(/no value here/);
    expect(() => resolveTokens(stack, failing)).toThrow(cdktfError);
  });

  test("a cycle stops with cdktf's error instead of overflowing the stack", () => {
    const cyclic: any = { a: {} };
    cyclic.a.back = cyclic;
    expect(() => resolveTokens(stack, cyclic)).toThrow(/circular|cyclic/i);
  });
});
