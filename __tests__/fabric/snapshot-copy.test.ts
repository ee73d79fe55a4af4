import { Testing } from "cdktf";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { validateConfig } from "../../src/config/validate";
import { buildPlatform } from "../../src/platform";
import { boundaryActions } from "../../src/bootstrap/permissions-boundary";
import { manualSnapshotIntervalHours, maxCopyAgeHours } from "../../src/snapshots/snapshot-copy";
import { SynthStack, exampleWith, stackOf, synthPlatform } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

const statement = SynthStack.statement;
const dev = () => stackOf("dev-us-east-1");
const fn = (stack: SynthStack) => stack.resource("aws_lambda_function", "snapshot-copy/function/function");
const policy = (stack: SynthStack) => stack.resource("aws_iam_role_policy", "snapshot-copy/function/policy").policy;
const alarm = (stack: SynthStack, name: string) => stack.resource("aws_cloudwatch_metric_alarm", `fabric-monitoring/alarms/${name}`);
const DR_KEY = /^\$\{data\.aws_kms_alias\.dr-key[^.]*\.target_key_arn\}$/;

/** The example with a MySQL DB instance (manual mode) in dev, and optionally other snapshot settings. */
function withInstance(snapshots?: Record<string, unknown>, set: Record<string, unknown> = {}) {
  const raw = exampleWith({ environment: "dev", set: { snapshotInstances: [{ name: "legacy", instanceIdentifier: "gtp-legacy-mysql", mode: "manual" }], ...set } });
  if (snapshots) raw.snapshots = { ...raw.snapshots, ...snapshots };
  return synthPlatform(raw).get("dev-us-east-1")!;
}

describe("snapshot copies (seed 003)", () => {
  test("the primary-region stack copies every cluster's automated snapshots into the DR region under the DR key", () => {
    const vars = fn(dev()).environment.variables;
    expect(parseJsonAttribute(vars.SOURCES)).toEqual([
      { name: "ledger", kind: "cluster", identifier: "replica-dev-ledger", mode: "automated" },
      { name: "catalog", kind: "cluster", identifier: "replica-dev-catalog", mode: "automated" },
    ]);
    expect(vars).toMatchObject({ ENVIRONMENT: "dev", SOURCE_REGION: "us-east-1", RETENTION_DAYS: "14", MANUAL_SNAPSHOT_INTERVAL_HOURS: "12", SNAPSHOT_OWNER: "replica-dev-snapshot-copy" });
    const destinations = parseJsonAttribute(vars.DESTINATIONS);
    expect(destinations).toEqual([{ region: "eu-west-1", kmsKeyId: expect.stringMatching(DR_KEY) }]);
  });

  test("reserves no concurrency by default (a new account has none to spare), one when the platform reserves concurrency", () => {
    expect(fn(dev())).not.toHaveProperty("reserved_concurrent_executions");
    const stacks = synthPlatform(exampleWith({ root: { lambda: { reservedConcurrency: 5 } } }));
    expect(fn(stacks.get("dev-us-east-1")!).reserved_concurrent_executions).toBe(1);
  });

  test("the DR-region stack and an environment without databases or instances have no snapshot copies", () => {
    expect(Object.values(stackOf("dev-eu-west-1").resources("aws_lambda_function")).map((f: any) => f.function_name)).not.toContain("replica-dev-snapshot-copy");
    const stacks = synthPlatform(exampleWith({ environment: "dev", set: { databases: [] } }));
    const dev = stacks.get("dev-us-east-1")!;
    expect(Object.values(dev.resources("aws_lambda_function")).map((f: any) => f.function_name)).not.toContain("replica-dev-snapshot-copy");
    expect(Object.keys(dev.resourcesUnder("aws_cloudwatch_metric_alarm", "fabric-monitoring/alarms/snapshot-copy"))).toEqual([]);
  });

  test("an environment with only a DB instance copies that instance, with DB snapshot permissions only", () => {
    const stack = withInstance(undefined, { databases: [] });
    expect(parseJsonAttribute(fn(stack).environment.variables.SOURCES)).toEqual([{ name: "legacy", kind: "instance", identifier: "gtp-legacy-mysql", mode: "manual" }]);
    const actions = SynthStack.statements(policy(stack)).flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => a.includes("Cluster"))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(["rds:CreateDBSnapshot", "rds:CopyDBSnapshot", "rds:DescribeDBSnapshots", "rds:DeleteDBSnapshot"]));
  });

  test("copies run on the configured schedule; progress is checked hourly; both targets dead-letter", () => {
    const copy = dev().resource("aws_cloudwatch_event_rule", "rule-snapshot-copy/rule");
    expect(copy.schedule_expression).toBe("cron(0 5 * * ? *)");
    const copyTarget = dev().resource("aws_cloudwatch_event_target", "rule-snapshot-copy/snapshot-copy");
    expect(parseJsonAttribute(copyTarget.input)).toEqual({ action: "copy" });
    expect(copyTarget.dead_letter_config.arn).toBeDefined();
    expect(dev().resource("aws_cloudwatch_event_rule", "rule-snapshot-check/rule").schedule_expression).toBe("rate(1 hour)");
    expect(parseJsonAttribute(dev().resource("aws_cloudwatch_event_target", "rule-snapshot-check/snapshot-copy").input)).toEqual({ action: "check" });
  });

  test("configured schedule and retention reach the rule, the function and the age alarm", () => {
    const stacks = synthPlatform(exampleWith({ root: { snapshots: { schedule: "rate(12 hours)", retentionDays: 3 } } }));
    const dev = stacks.get("dev-us-east-1")!;
    expect(dev.resource("aws_cloudwatch_event_rule", "rule-snapshot-copy/rule").schedule_expression).toBe("rate(12 hours)");
    expect(fn(dev).environment.variables).toMatchObject({ RETENTION_DAYS: "3", MANUAL_SNAPSHOT_INTERVAL_HOURS: "6" });
    expect(alarm(dev, "snapshot-copy-age-ledger-eu-west-1").threshold).toBe(42);
  });
});

describe("snapshot copies: the role", () => {
  test("reaches only the clusters, their automated snapshots and the copies' own names; deletes only what carries its owner tag", () => {
    const doc = policy(dev());
    const copies = ["ledger", "catalog"].map((db) => `arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:replica-dev-${db}-copy-*`);
    const automated = ["ledger", "catalog"].map((db) => `arn:aws:rds:us-east-1:111111111111:cluster-snapshot:rds:replica-dev-${db}-*`);
    expect(statement(doc, "ExpireClusterSnapshots")).toEqual({
      Sid: "ExpireClusterSnapshots",
      Effect: "Allow",
      Action: ["rds:DeleteDBClusterSnapshot"],
      Resource: copies,
      Condition: { StringEquals: { "rds:cluster-snapshot-tag/replica:created-by": "replica-dev-snapshot-copy" } },
    });
    expect(statement(doc, "CopyClusterSnapshots")).toMatchObject({ Action: ["rds:CopyDBClusterSnapshot"], Resource: [...automated, ...copies] });
    expect(statement(doc, "TagClusterSnapshots").Resource).toEqual(copies);
    expect(SynthStack.statements(doc).map((s) => s.Sid)).not.toContain("TakeClusterSnapshots");
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

  test("a manual-mode DB instance: DB snapshot ARNs (not cluster ones) for the instance, its own snapshot names and its copies", () => {
    const doc = policy(withInstance());
    const own = "arn:aws:rds:us-east-1:111111111111:snapshot:gtp-legacy-mysql-snap-*";
    const copies = ["arn:aws:rds:eu-west-1:111111111111:snapshot:gtp-legacy-mysql-copy-*"];
    expect(statement(doc, "TakeInstanceSnapshots")).toMatchObject({ Action: ["rds:CreateDBSnapshot"], Resource: ["arn:aws:rds:us-east-1:111111111111:db:gtp-legacy-mysql", own] });
    expect(statement(doc, "FindInstanceSnapshots")).toMatchObject({
      Action: ["rds:DescribeDBSnapshots"],
      Resource: ["arn:aws:rds:us-east-1:111111111111:db:gtp-legacy-mysql", "arn:aws:rds:eu-west-1:111111111111:db:gtp-legacy-mysql", own, ...copies],
    });
    // Manual mode copies its own snapshots only: no automated-snapshot ARN for the instance.
    expect(statement(doc, "CopyInstanceSnapshots")).toMatchObject({ Action: ["rds:CopyDBSnapshot"], Resource: [own, ...copies] });
    expect(statement(doc, "TagInstanceSnapshots").Resource).toEqual([own, ...copies]);
    expect(statement(doc, "ExpireInstanceSnapshots")).toMatchObject({
      Action: ["rds:DeleteDBSnapshot"],
      Resource: [own, ...copies],
      Condition: { StringEquals: { "rds:snapshot-tag/replica:created-by": "replica-dev-snapshot-copy" } },
    });
    // The clusters keep their own statements beside the instance's.
    expect(statement(doc, "CopyClusterSnapshots").Action).toEqual(["rds:CopyDBClusterSnapshot"]);
  });

  test("an instance encrypted with its own key: the role may describe it and make RDS grants on it, nothing more", () => {
    const key = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-legacy";
    const doc = policy(withInstance(undefined, { snapshotInstances: [{ name: "legacy", instanceIdentifier: "gtp-legacy-mysql", kmsKeyArn: key }] }));
    expect(statement(doc, "DescribeSnapshotKeys").Resource).toContain(key);
    expect(statement(doc, "GrantSnapshotKeysToRds")).toMatchObject({ Resource: expect.arrayContaining([key]), Condition: { Bool: { "kms:GrantIsForAWSResource": true } } });
    const elsewhere = SynthStack.statements(doc).filter((s) => !["DescribeSnapshotKeys", "GrantSnapshotKeysToRds"].includes(s.Sid) && [s.Resource].flat().includes(key));
    expect(elsewhere).toEqual([]);
    // Without one, the environment key and the DR key only.
    expect(statement(policy(dev()), "GrantSnapshotKeysToRds").Resource).toHaveLength(2);
  });

  test("the permissions boundary allows every action the role is given, so the bounded role works after deploy", () => {
    const allowed = new Set(boundaryActions());
    const granted = SynthStack.statements(policy(withInstance())).flatMap((s) => [s.Action].flat());
    expect(granted.filter((action: string) => !allowed.has(action))).toEqual([]);
  });
});

describe("snapshot copies: several destination regions", () => {
  const stack = () => withInstance({ destinations: [{ region: "eu-west-1" }, { region: "us-west-2", maxCopyAgeHours: 30 }] });

  test("a destination other than the DR region gets its own customer-managed key, made through a provider for that region", () => {
    const s = stack();
    const key = s.resource("aws_kms_key", "snapshot-key-us-west-2/key");
    expect(key).toMatchObject({ enable_key_rotation: true, provider: "aws.snapshots_us_west_2" });
    expect(s.resource("aws_kms_alias", "snapshot-key-us-west-2/alias")).toMatchObject({ name: "alias/replica-dev-snapshots", provider: "aws.snapshots_us_west_2" });
    const provider = (s.json.provider.aws as any[]).find((p) => p.alias === "snapshots_us_west_2");
    expect(provider).toMatchObject({ region: "us-west-2", allowed_account_ids: ["111111111111"], assume_role: [expect.objectContaining({ role_arn: "arn:aws:iam::111111111111:role/PlatformDeployment" })] });
    expect(parseJsonAttribute(fn(s).environment.variables.DESTINATIONS)).toEqual([
      { region: "eu-west-1", kmsKeyId: expect.stringMatching(DR_KEY) },
      { region: "us-west-2", kmsKeyId: expect.stringMatching(/^\$\{aws_kms_key\.snapshot-key-us-west-2_key_[A-F0-9]+\.arn\}$/) },
    ]);
  });

  test("the role reaches the copies in every destination, and both keys", () => {
    const doc = policy(stack());
    expect(statement(doc, "ExpireClusterSnapshots").Resource).toEqual([
      "arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:replica-dev-ledger-copy-*",
      "arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:replica-dev-catalog-copy-*",
      "arn:aws:rds:us-west-2:111111111111:cluster-snapshot:replica-dev-ledger-copy-*",
      "arn:aws:rds:us-west-2:111111111111:cluster-snapshot:replica-dev-catalog-copy-*",
    ]);
    expect(statement(doc, "DescribeSnapshotKeys").Resource).toHaveLength(3);
  });

  test("one age alarm per database and destination, at that destination's recovery point objective, to the alarm topic", () => {
    const s = stack();
    const topic = `\${${s.address("aws_sns_topic", "alarms/topic")}.arn}`;
    for (const db of ["ledger", "catalog", "legacy"]) {
      expect(alarm(s, `snapshot-copy-age-${db}-eu-west-1`)).toMatchObject({
        metric_name: "SnapshotCopyAgeHours",
        dimensions: { Environment: "dev", Handler: "snapshot-copy", Database: db, DestinationRegion: "eu-west-1" },
        threshold: 54,
        treat_missing_data: "breaching",
        alarm_actions: [topic],
      });
      expect(alarm(s, `snapshot-copy-age-${db}-us-west-2`)).toMatchObject({ threshold: 30, dimensions: expect.objectContaining({ DestinationRegion: "us-west-2" }), alarm_actions: [topic] });
      expect(alarm(s, `snapshot-copy-failed-${db}-us-west-2`)).toMatchObject({ metric_name: "SnapshotCopiesFailed", threshold: 0 });
    }
  });
});

describe("snapshot copies: alarms", () => {
  test("alarm when the newest copy is overdue or missing, and when a copy fails; errors are watched like every function", () => {
    const age = alarm(dev(), "snapshot-copy-age-ledger-eu-west-1");
    expect(age).toMatchObject({
      metric_name: "SnapshotCopyAgeHours",
      namespace: "replica/Replication",
      dimensions: { Environment: "dev", Handler: "snapshot-copy", Database: "ledger", DestinationRegion: "eu-west-1" },
      threshold: 54,
      treat_missing_data: "breaching",
    });
    expect(alarm(dev(), "snapshot-copy-failed-catalog-eu-west-1")).toMatchObject({ metric_name: "SnapshotCopiesFailed", threshold: 0 });
    expect(alarm(dev(), "snapshot-copy-errors").dimensions).toEqual({ FunctionName: "replica-dev-snapshot-copy" });
  });
});

describe("how old the newest copy may be, and how often a manual snapshot is taken", () => {
  test.each([
    ["cron(0 5 * * ? *)", "automated", 54, 12],
    ["rate(1 day)", "automated", 54, 12],
    ["rate(1 hour)", "automated", 31, 1],
    ["rate(30 minutes)", "automated", 31, 1],
    ["rate(2 days)", "automated", 78, 24],
    ["cron(0 5 ? * MON *)", "automated", 198, 84],
    ["cron(0 5 1 * ? *)", "automated", 774, 372],
    ["cron(0 5 * * ? *)", "manual", 54, 12],
    ["rate(6 hours)", "manual", 18, 3],
  ] as const)("%s, %s mode: %i hours; a manual snapshot at most every %i hours", (schedule, mode, hours, interval) => {
    expect(maxCopyAgeHours(schedule, mode)).toBe(hours);
    expect(manualSnapshotIntervalHours(schedule)).toBe(interval);
  });
});

describe("snapshot copies: examples/four-environments.json", () => {
  test("prod copies its MySQL DB instance (manual mode) with its clusters into eu-west-1 (36-hour RPO) and eu-north-1 (its own key)", () => {
    const raw = JSON.parse(readFileSync(path.join(__dirname, "../../examples/four-environments.json"), "utf8"));
    const app = Testing.app();
    buildPlatform(app, validateConfig(raw));
    app.synth();
    const prod = new SynthStack("prod-eu-central-1", JSON.parse(readFileSync(path.join(app.outdir, "stacks", "prod-eu-central-1", "cdk.tf.json"), "utf8")));
    const vars = fn(prod).environment.variables;
    expect(parseJsonAttribute(vars.SOURCES)).toContainEqual({ name: "billing-legacy", kind: "instance", identifier: "billing-legacy-mysql", mode: "manual" });
    expect(parseJsonAttribute(vars.DESTINATIONS).map((d: { region: string }) => d.region)).toEqual(["eu-west-1", "eu-north-1"]);
    expect(prod.resource("aws_kms_alias", "snapshot-key-eu-north-1/alias").name).toBe("alias/ledger-prod-snapshots");
    expect(alarm(prod, "snapshot-copy-age-billing-legacy-eu-west-1").threshold).toBe(36);
    expect(alarm(prod, "snapshot-copy-age-billing-legacy-eu-north-1").threshold).toBe(54);
  });
});

describe("snapshot copies: into another environment's account", () => {
  const stacks = () => synthPlatform(exampleWith({ environment: "dev", set: { snapshotAccountCopy: { environment: "staging", maxCopyAgeHours: 60 } } }));
  const receiver = (stack: SynthStack) => stack.resource("aws_iam_role", "snapshot-receiver-dev/role");
  const receiverPolicy = (stack: SynthStack) => stack.resource("aws_iam_role_policy", "snapshot-receiver-dev/policy").policy;

  test("the target's stack creates the receiver role, trusted only by the source function's role with the external ID", () => {
    const staging = stacks().get("staging-us-east-1")!;
    const role = receiver(staging);
    expect(role.name).toBe("replica-staging-snapshots-from-dev");
    expect(SynthStack.statements(role.assume_role_policy)).toEqual([
      expect.objectContaining({
        Action: ["sts:AssumeRole"],
        Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
        Condition: { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/replica-dev-snapshot-copy"] }, StringEquals: { "sts:ExternalId": ["replica-dev-snapshots-to-staging"] } },
      }),
    ]);
    // Only the target environment has it, and only for the environment that asked.
    expect(Object.keys(stacks().get("prod-us-east-1")!.resources("aws_iam_role")).filter((k) => k.includes("snapshot-receiver"))).toEqual([]);
  });

  test("the receiver copies only the source's shared copies into the same names in its account, deletes only owner-tagged ones, no wildcard actions", () => {
    const doc = receiverPolicy(stacks().get("staging-us-east-1")!);
    const theirs = ["ledger", "catalog"].map((db) => `arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:replica-dev-${db}-copy-*`);
    const own = ["ledger", "catalog"].map((db) => `arn:aws:rds:eu-west-1:222222222222:cluster-snapshot:replica-dev-${db}-copy-*`);
    expect(statement(doc, "CopyClusterSnapshots")).toMatchObject({ Action: ["rds:CopyDBClusterSnapshot"], Resource: [...theirs, ...own] });
    expect(statement(doc, "ExpireClusterCopies")).toMatchObject({
      Action: ["rds:DeleteDBClusterSnapshot"],
      Resource: own,
      Condition: { StringEquals: { "rds:cluster-snapshot-tag/replica:created-by": "replica-dev-snapshot-copy" } },
    });
    expect(statement(doc, "GrantSnapshotKeysToRds")).toMatchObject({
      Action: ["kms:CreateGrant"],
      Resource: [expect.stringMatching(DR_KEY), "arn:aws:kms:eu-west-1:111111111111:key/*"],
      Condition: { Bool: { "kms:GrantIsForAWSResource": true }, StringEquals: { "kms:ViaService": ["rds.eu-west-1.amazonaws.com"] } },
    });
    for (const s of SynthStack.statements(doc)) for (const action of [s.Action].flat()) expect(action).not.toContain("*");
  });

  test("the source shares its DR copies (encrypted with a key of its own that grants the receiver) and may assume only that role", () => {
    const dev = stacks().get("dev-us-east-1")!;
    const vars = fn(dev).environment.variables;
    expect(parseJsonAttribute(vars.ACCOUNT_COPY)).toEqual({
      accountId: "222222222222",
      region: "eu-west-1",
      roleArn: "arn:aws:iam::222222222222:role/replica-staging-snapshots-from-dev",
      externalId: "replica-dev-snapshots-to-staging",
      kmsKeyId: "arn:aws:kms:eu-west-1:222222222222:alias/replica-staging",
    });
    expect(parseJsonAttribute(vars.DESTINATIONS)).toEqual([{ region: "eu-west-1", kmsKeyId: expect.stringMatching(/^\$\{aws_kms_key\.snapshot-key-eu-west-1_key_[A-F0-9]+\.arn\}$/) }]);
    const keyPolicy = SynthStack.statements(dev.resource("aws_kms_key", "snapshot-key-eu-west-1/key").policy);
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({ Sid: "SnapshotReceiverCopies", Principal: { AWS: ["arn:aws:iam::222222222222:root"] }, Condition: { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::222222222222:role/replica-staging-snapshots-from-dev"] } } }),
    );
    const doc = policy(dev);
    expect(statement(doc, "ShareClusterCopies")).toMatchObject({
      Action: ["rds:ModifyDBClusterSnapshotAttribute"],
      Resource: ["arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:replica-dev-ledger-copy-*", "arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:replica-dev-catalog-copy-*"],
    });
    expect(statement(doc, "AssumeSnapshotReceiver")).toMatchObject({ Action: ["sts:AssumeRole"], Resource: ["arn:aws:iam::222222222222:role/replica-staging-snapshots-from-dev"] });
    // Without an account copy the DR copies keep the environment's DR key and nothing is shared.
    expect(parseJsonAttribute(fn(stackOf("dev-us-east-1")).environment.variables.DESTINATIONS)[0].kmsKeyId).toMatch(DR_KEY);
    expect(SynthStack.statements(policy(stackOf("dev-us-east-1"))).map((s) => s.Sid)).not.toContain("ShareClusterCopies");
  });

  test("the copies in the other account have their own age alarm at their recovery point objective", () => {
    const dev = stacks().get("dev-us-east-1")!;
    expect(alarm(dev, "snapshot-copy-age-ledger-eu-west-1-222222222222")).toMatchObject({
      threshold: 60,
      dimensions: { Environment: "dev", Handler: "snapshot-copy", Database: "ledger", DestinationRegion: "eu-west-1", DestinationAccount: "222222222222" },
      treat_missing_data: "breaching",
    });
    expect(alarm(dev, "snapshot-copy-age-ledger-eu-west-1").threshold).toBe(54);
  });

  test("the boundary allows every action of both roles", () => {
    const all = stacks();
    const allowed = new Set(boundaryActions());
    const granted = [policy(all.get("dev-us-east-1")!), receiverPolicy(all.get("staging-us-east-1")!)].flatMap((doc) => SynthStack.statements(doc).flatMap((s) => [s.Action].flat()));
    expect(granted.filter((action: string) => !allowed.has(action))).toEqual([]);
  });
});

describe("snapshot copies: RDS's quota of manual snapshots", () => {
  const warnings = (raw: unknown) => {
    const app = Testing.app();
    buildPlatform(app, validateConfig(raw));
    const construct = app.node.findAll().find((c) => c.node.path.endsWith("dev-us-east-1/snapshot-copy"))!;
    return construct.node.metadata.filter((m) => String(m.type).includes("warn")).map((m) => String(m.data));
  };

  test.each([
    ["a daily schedule, 14 days, 3 sources", { schedule: "cron(0 5 * * ? *)", retentionDays: 14 }, []],
    ["hourly manual snapshots for 14 days", { schedule: "rate(1 hour)", retentionDays: 14 }, ["manual snapshots in us-east-1", "copies in each destination region"]],
    ["a daily schedule kept for 40 days", { schedule: "cron(0 5 * * ? *)", retentionDays: 40 }, ["copies in each destination region"]],
  ])("%s", (_case, snapshots, expected) => {
    const raw = exampleWith({ environment: "dev", set: { snapshotInstances: [{ name: "legacy", instanceIdentifier: "gtp-legacy-mysql", mode: "manual" }] } });
    raw.snapshots = snapshots;
    const found = warnings(raw);
    expect(found).toHaveLength(expected.length);
    for (const what of expected) expect(found).toContainEqual(expect.stringMatching(new RegExp(`keep about \\d+ ${what} .* more than RDS's default quota of 100`)));
  });
});
