import { parseJsonAttribute } from "../../src/json-attribute";
import { ConfigError } from "../../src/config/validate";
import { buildStacks, resources, synth } from "../data-tier/helpers";

// GIVEN the example: prod (the last environment) has disaster recovery, so it is drilled by default
const stacks = buildStacks();
const dr = () => synth(stacks.get("prod-eu-west-1")!);
const functionNamed = (json: any, name: string) => resources(json, "aws_lambda_function").find((f) => f.function_name === name);
const policyOf = (json: any, roleNameStart: string) =>
  resources(json, "aws_iam_role_policy")
    .filter((p) => JSON.stringify(p.role).includes("restore-drill") || String(p.name).startsWith(roleNameStart))
    .map((p) => parseJsonAttribute(p.policy));

test("the drill lives in prod's DR-region stack, monthly by default, and nowhere else", () => {
  expect(functionNamed(dr(), "replica-prod-restore-drill")).toBeDefined();
  const [rule] = resources(dr(), "aws_cloudwatch_event_rule").filter((r) => r.name === "replica-prod-restore-drill");
  expect(rule.schedule_expression).toBe("cron(0 6 2 * ? *)");
  for (const name of ["prod-us-east-1", "dev-eu-west-1", "staging-eu-west-1"]) {
    expect(resources(synth(stacks.get(name)!), "aws_lambda_function").some((f) => String(f.function_name).includes("restore-drill"))).toBe(false);
  }
});

test("only the verification runs in the DR VPC; the drill itself needs no VPC endpoint", () => {
  const json = dr();
  expect(functionNamed(json, "replica-prod-restore-drill-verify").vpc_config).toBeDefined();
  expect(functionNamed(json, "replica-prod-restore-drill").vpc_config).toBeUndefined();
  const variables = functionNamed(json, "replica-prod-restore-drill").environment.variables;
  expect(variables).toEqual(expect.objectContaining({ DRILL_PREFIX: "replica-prod-restore-drill-", SUBNET_GROUP_NAME: "replica-prod-eu-west-1-db", LEDGER_REGION: "us-east-1", VERIFY_FUNCTION_NAME: "replica-prod-restore-drill-verify", MAX_MINUTES: "180" }));
  expect(parseJsonAttribute(variables.DATABASES).map((d: any) => d.sourceClusterIdentifier)).toEqual(["replica-prod-ledger", "replica-prod-catalog"]);
});

test("the verification reads prod's reference data from the DR-region bucket, and only that folder", () => {
  const json = dr();
  const verify = functionNamed(json, "replica-prod-restore-drill-verify");
  // prod reads what staging promoted; the DR bucket holds the same keys
  expect(verify.environment.variables).toEqual(expect.objectContaining({ ARTIFACTS_BUCKET: expect.stringMatching(/^replica-prod-artifacts-\d{12}-eu-west-1$/), DATA_PREFIX: "promote/prod/reference-data/" }));
  const bucket = `arn:aws:s3:::${verify.environment.variables.ARTIFACTS_BUCKET}`;
  const role = resources(json, "aws_iam_role_policy").find((p) => JSON.stringify(p.role).includes("verify-function"));
  const reading = parseJsonAttribute(role.policy).Statement.filter((s: any) => /ReferenceData$/.test(s.Sid));
  expect(reading).toEqual([
    expect.objectContaining({ Action: ["s3:ListBucket"], Resource: [bucket], Condition: { StringLike: { "s3:prefix": ["promote/prod/reference-data/*"] } } }),
    expect.objectContaining({ Action: ["s3:GetObject"], Resource: [`${bucket}/promote/prod/reference-data/*`] }),
    expect.objectContaining({ Action: ["kms:Decrypt"], Condition: { StringEquals: { "kms:ViaService": ["s3.eu-west-1.amazonaws.com"] } } }),
  ]);
  // S3 through the gateway endpoint: still no interface endpoint for the drill in the DR VPC
  expect(resources(json, "aws_vpc_endpoint").filter((e) => e.vpc_endpoint_type === "Interface").map((e) => e.service_name)).not.toContain("com.amazonaws.eu-west-1.s3");
});

test("everything the drill role may create, change or delete is under the drill prefix", () => {
  const statements = policyOf(dr(), "replica-prod-restore-drill").flatMap((d) => d.Statement);
  const mutating = statements.filter((s: any) => [].concat(s.Action).some((a: string) => /^rds:(Restore|Create|Modify|Delete|AddTags)/.test(a)));
  expect(mutating.length).toBeGreaterThan(0);
  for (const statement of mutating) {
    for (const resource of [].concat(statement.Resource) as string[]) {
      // the drill's clusters and instances, or what a restore reads (the copies, the subnet group, default parameter groups)
      expect(resource).toMatch(/:(cluster|db):replica-prod-restore-drill-\*$|:cluster-snapshot:replica-prod-(ledger|catalog)-copy-\*$|:subgrp:replica-prod-eu-west-1-db$|:(cluster-pg|pg):default\.\*$/);
    }
  }
  expect(statements.flatMap((s: any) => [].concat(s.Action)).every((a: string) => !a.includes("*"))).toBe(true);
});

test("alarms: a failed or timed-out drill, a restore slower than the RTO, and function errors", () => {
  const alarms = resources(dr(), "aws_cloudwatch_metric_alarm").filter((a) => a.alarm_name.startsWith("replica-prod-restore-drill"));
  expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
    "replica-prod-restore-drill-catalog-failed",
    "replica-prod-restore-drill-catalog-rto-exceeded",
    "replica-prod-restore-drill-errors",
    "replica-prod-restore-drill-ledger-failed",
    "replica-prod-restore-drill-ledger-rto-exceeded",
  ]);
  const rto = alarms.find((a) => a.alarm_name === "replica-prod-restore-drill-ledger-rto-exceeded");
  expect(rto).toEqual(expect.objectContaining({ metric_name: "RestoreDrillSeconds", threshold: 3600, dimensions: { Environment: "prod", Handler: "restore-drill", Database: "ledger" } }));
});

test("schedule, environments, RTO and deadline come from the configuration", () => {
  const custom = buildStacks((raw) => (raw.disasterRecovery = { restoreDrill: { environments: ["prod"], schedule: "rate(7 days)", rtoMinutes: 30, maxMinutes: 90 } }));
  const json = synth(custom.get("prod-eu-west-1")!);
  expect(resources(json, "aws_cloudwatch_event_rule").find((r) => r.name === "replica-prod-restore-drill").schedule_expression).toBe("rate(7 days)");
  expect(resources(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "replica-prod-restore-drill-ledger-rto-exceeded").threshold).toBe(1800);
  const none = buildStacks((raw) => (raw.disasterRecovery = { restoreDrill: { environments: [] } }));
  expect(functionNamed(synth(none.get("prod-eu-west-1")!), "replica-prod-restore-drill")).toBeUndefined();
});

test.each([
  [{ environments: ["dev"] }, "disasterRecovery.restoreDrill.environments[0]: dev has no disasterRecovery"],
  [{ environments: ["qa"] }, 'disasterRecovery.restoreDrill.environments[0]: names an unknown environment "qa"'],
  [{ rtoMinutes: 120, maxMinutes: 60 }, "disasterRecovery.restoreDrill.maxMinutes: must be at least rtoMinutes"],
  [{ schedule: "monthly" }, "disasterRecovery.restoreDrill.schedule: must be an EventBridge schedule expression"],
])("invalid restoreDrill settings are refused: %j", (restoreDrill, message) => {
  expect(() => buildStacks((raw) => (raw.disasterRecovery = { restoreDrill }))).toThrow(ConfigError);
  try {
    buildStacks((raw) => (raw.disasterRecovery = { restoreDrill }));
  } catch (error) {
    expect((error as ConfigError).problems.join("\n")).toContain(message);
  }
});

test("no two queues of the DR-region stack share a name (the drill's events queue and its function's own)", () => {
  const names = resources(dr(), "aws_sqs_queue").map((q) => q.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toEqual(expect.arrayContaining(["replica-prod-restore-drill-events-dlq", "replica-prod-restore-drill-dlq"]));
});
