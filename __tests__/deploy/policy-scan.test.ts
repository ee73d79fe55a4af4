import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { acceptedBy, AcceptedListError, parseAcceptedList, readAcceptedList, type Finding } from "../../src/deploy/checkov/accepted";

const ROOT = resolve(__dirname, "..", "..");
const FILE = "policy/checkov-accepted.json";

const lambdaFinding: Finding = { check: "CKV_AWS_117", name: "Lambda in a VPC", stack: "dev-us-east-1", resource: "aws_lambda_function.config-mirror_function_84F130C2" };
const entry = { check: "CKV_AWS_117", resource: "aws_lambda_function.config-mirror_function_*", reason: "config-mirror only calls AWS APIs and reads nothing in the VPC." };

describe("the accepted list", () => {
  test("a listed finding is accepted, with the entry that accepts it", () => {
    const accepted = parseAcceptedList({ accepted: [entry] }, FILE);
    expect(acceptedBy(lambdaFinding, accepted)?.reason).toBe(entry.reason);
  });

  test("a finding no entry lists is not accepted: other check, other resource, other stack", () => {
    const accepted = parseAcceptedList({ accepted: [{ ...entry, stack: "dev-*" }] }, FILE);
    expect(acceptedBy({ ...lambdaFinding, check: "CKV_AWS_116" }, accepted)).toBeUndefined();
    expect(acceptedBy({ ...lambdaFinding, resource: "aws_lambda_function.schema-sync_function_4BC65209" }, accepted)).toBeUndefined();
    expect(acceptedBy({ ...lambdaFinding, stack: "prod-us-east-1" }, accepted)).toBeUndefined();
    expect(acceptedBy(lambdaFinding, accepted)).toBeDefined();
  });

  test("a pattern's dots are literal and * spans any text", () => {
    const accepted = parseAcceptedList({ accepted: [{ ...entry, resource: "aws_lambda_function.config-*" }] }, FILE);
    expect(acceptedBy({ ...lambdaFinding, resource: "aws_lambda_functionXconfig-mirror" }, accepted)).toBeUndefined();
    expect(acceptedBy(lambdaFinding, accepted)).toBeDefined();
  });

  test("an entry without a reason is refused, naming the entry", () => {
    expect(() => parseAcceptedList({ accepted: [entry, { check: "CKV_AWS_116", resource: "*" }] }, FILE)).toThrow(
      "policy/checkov-accepted.json: accepted[1] (CKV_AWS_116).reason is required: say why the platform does not need this check (at least 20 characters)",
    );
    expect(() => parseAcceptedList({ accepted: [{ ...entry, reason: "  n/a  " }] }, FILE)).toThrow(AcceptedListError);
  });

  test("every problem is listed: a bad check id, a misspelt field, a non-string pattern", () => {
    const bad = { accepted: [{ check: "AWS_117", reason: entry.reason }, { ...entry, reson: "typo" }, { ...entry, stack: 3 }] };
    expect(() => parseAcceptedList(bad, FILE)).toThrow(
      [
        "policy/checkov-accepted.json: accepted[0].check must be a checkov check id such as CKV_AWS_117",
        "policy/checkov-accepted.json: accepted[1].reson is not a field (known: check, resource, stack, reason, when)",
        'policy/checkov-accepted.json: accepted[2].stack must be a glob pattern such as "aws_lambda_function.*"',
      ].join("\n"),
    );
  });

  test("an entry's condition must say which configuration builds the resource", () => {
    expect(() => parseAcceptedList({ accepted: [{ ...entry, when: " " }] }, FILE)).toThrow('accepted[0].when must say which configuration builds the resource');
    expect(parseAcceptedList({ accepted: [{ ...entry, when: " an environment sets snapshotAccountCopy " }] }, FILE)[0].when).toBe("an environment sets snapshotAccountCopy");
  });

  test("a file that is not JSON or has no list is refused by name", () => {
    const dir = mkdtempSync(join(tmpdir(), "accepted-"));
    try {
      writeFileSync(join(dir, "a.json"), "{ accepted: [] }");
      expect(() => readAcceptedList(join(dir, "a.json"))).toThrow(/a\.json: not valid JSON/);
      writeFileSync(join(dir, "a.json"), "[]");
      expect(() => readAcceptedList(join(dir, "a.json"))).toThrow(/a\.json: must be an object with an "accepted" list/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the project's own list reads cleanly", () => {
    expect(readAcceptedList(join(ROOT, FILE)).length).toBeGreaterThan(0);
  });
});

// `npm run scan` end to end against a fake checkov that prints a canned report.
describe("the scan", () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "policy-scan-"));
    for (const stack of ["dev-us-east-1", "prod-us-east-1"]) {
      mkdirSync(join(work, "cdktf.out", "stacks", stack), { recursive: true });
      const terraform = stack.startsWith("prod") ? { required_version: ">= 1.11.0", required_providers: {} } : { required_providers: {} };
      writeFileSync(join(work, "cdktf.out", "stacks", stack, "cdk.tf.json"), JSON.stringify({ terraform, resource: { aws_lambda_function: { "config-mirror_function_84F130C2": {}, "schema-sync_function_4BC65209": {} } } }));
    }
    writeFileSync(join(work, "accepted.json"), JSON.stringify({ accepted: [entry] }));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  function scan(report: unknown, args: string[] = []) {
    writeFileSync(join(work, "report.json"), JSON.stringify(report));
    const env = { ...process.env, CHECKOV_BINARY: join(__dirname, "fake-checkov", "checkov"), FAKE_CHECKOV_REPORT: join(work, "report.json"), FAKE_CHECKOV_LOG: join(work, "calls.jsonl") };
    const result = spawnSync("bash", [join(ROOT, "scripts", "policy-scan.sh"), "--accepted", join(work, "accepted.json"), "--output", join(work, "cdktf.out"), ...args], { env, encoding: "utf8" });
    return { status: result.status, out: result.stdout + result.stderr };
  }
  const failed = (resource: string, check = "CKV_AWS_117") => ({ check_id: check, check_name: "Lambda in a VPC", resource });
  const report = (failedChecks: unknown[], summary: Record<string, number> = {}) => ({
    check_type: "terraform_json",
    results: { failed_checks: failedChecks },
    summary: { passed: 10, failed: failedChecks.length, parsing_errors: 0, resource_count: 0, ...summary },
  });
  const calls = () => readFileSync(join(work, "calls.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));

  test("passes when every finding is accepted, naming checkov's resource by type", () => {
    // checkov's terraform_json results name this resource `resource.<name>`, without its type.
    const { status, out } = scan(report([failed("resource.config-mirror_function_84F130C2")]), ["dev-us-east-1"]);
    expect(out).toContain("dev-us-east-1: 10 passed, 1 failed, of which 1 accepted and 0 not accepted");
    expect(status).toBe(0);
    expect(calls()[0].args.slice(0, 4)).toEqual(["-d", join(work, "cdktf.out", "stacks", "dev-us-east-1"), "--framework", "terraform_json"]);
  });

  test("fails on a finding the list does not accept, and names it", () => {
    const { status, out } = scan(report([failed("resource.config-mirror_function_84F130C2"), failed("aws_lambda_function.schema-sync_function_4BC65209")]), ["dev-us-east-1"]);
    expect(status).toBe(1);
    expect(out).toContain("1 finding not accepted");
    expect(out).toContain("CKV_AWS_117  dev-us-east-1  aws_lambda_function.schema-sync_function_4BC65209  Lambda in a VPC");
  });

  test("fails when checkov could not parse a stack, instead of passing on nothing", () => {
    const { status, out } = scan(report([], { passed: 0, parsing_errors: 1 }), ["dev-us-east-1"]);
    expect(status).toBe(1);
    expect(out).toMatch(/dev-us-east-1: SCAN FAILED: checkov could not parse \S+cdk\.tf\.json/);
  });

  test("fails when checkov ran no check at all", () => {
    const { status, out } = scan(report([], { passed: 0 }), ["dev-us-east-1"]);
    expect(status).toBe(1);
    expect(out).toContain("dev-us-east-1: SCAN FAILED: checkov ran no check on");
  });

  test("a stack whose terraform block has required_version is scanned from a copy without it, and says so", () => {
    const { status, out } = scan(report([]), ["prod-us-east-1"]);
    expect(status).toBe(0);
    expect(out).toContain("prod-us-east-1: scanned without terraform.required_version");
    expect(calls()[0].terraform).toEqual({ required_providers: {} });
    expect(calls()[0].args[1]).not.toBe(join(work, "cdktf.out", "stacks", "prod-us-east-1"));
  });

  test("an entry no finding used is listed for removal, unless it is for a resource only another configuration builds", () => {
    // GIVEN the used entry, a stale one, and one for a resource this configuration does not build
    const stale = { check: "CKV_AWS_45", resource: "aws_lambda_function.renamed_*", reason: "an entry whose resource was renamed long ago" };
    const conditional = { check: "CKV_AWS_61", resource: "aws_iam_role.snapshot-receiver-*_role_*", reason: "narrowed by aws:PrincipalArn and an sts:ExternalId", when: "an environment sets snapshotAccountCopy" };
    writeFileSync(join(work, "accepted.json"), JSON.stringify({ accepted: [entry, stale, conditional] }));
    // WHEN every stack is scanned
    const { status, out } = scan(report([failed("resource.config-mirror_function_84F130C2")]));
    // THEN only the stale one is to be removed; the conditional one is named with its condition
    expect(status).toBe(0);
    const [removal, notBuilt] = out.split("Accepted for resources this configuration does not build:");
    expect(removal).toMatch(/remove them if the platform changed\):\n\s+\S+accepted\.json: accepted\[1\]: CKV_AWS_45 aws_lambda_function\.renamed_\* in \*\n\n$/);
    expect(notBuilt).toContain("CKV_AWS_61 aws_iam_role.snapshot-receiver-*_role_*: when an environment sets snapshotAccountCopy");
  });

  test("an entry without a reason stops the scan before checkov runs", () => {
    writeFileSync(join(work, "accepted.json"), JSON.stringify({ accepted: [{ check: "CKV_AWS_117" }] }));
    const { status, out } = scan(report([]));
    expect(status).toBe(1);
    expect(out).toContain("accepted[0] (CKV_AWS_117).reason is required");
  });
});
