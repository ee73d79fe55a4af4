import { resources, synth, buildStacks } from "./helpers";

// GIVEN the built-in example platform
const stacks = buildStacks();
const alarmsOf = (json: any, prefix: string) => resources(json, "aws_cloudwatch_metric_alarm").filter((a) => a.alarm_name.startsWith(`${prefix}-`));

test("every cluster alarms on CPU above the threshold for 5 minutes", () => {
  const [cpu] = alarmsOf(synth(stacks.get("dev-us-east-1")!), "replica-dev-ledger").filter((a) => a.metric_name === "CPUUtilization");
  expect(cpu).toEqual(
    expect.objectContaining({ namespace: "AWS/RDS", threshold: 80, period: 60, evaluation_periods: 5, datapoints_to_alarm: 5, comparison_operator: "GreaterThanThreshold", dimensions: { DBClusterIdentifier: "replica-dev-ledger" } }),
  );
});

test("replica lag, low memory and connections use the configured thresholds", () => {
  const alarms = alarmsOf(synth(stacks.get("dev-us-east-1")!), "replica-dev-ledger");
  const by = (metric: string) => alarms.find((a) => a.metric_name === metric);
  expect(by("AuroraReplicaLag")).toEqual(expect.objectContaining({ threshold: 1000, dimensions: { DBClusterIdentifier: "replica-dev-ledger", Role: "READER" } }));
  expect(by("FreeableMemory")).toEqual(expect.objectContaining({ threshold: 256 * 1024 * 1024, comparison_operator: "LessThanThreshold", treat_missing_data: "breaching" }));
  expect(by("DatabaseConnections")).toEqual(expect.objectContaining({ threshold: 500, treat_missing_data: "notBreaching" }));
});

test("alarms notify the stack's alarm topic on alarm and recovery", () => {
  const json = synth(stacks.get("dev-us-east-1")!);
  const [cpu] = alarmsOf(json, "replica-dev-ledger");
  expect(cpu.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.[^.]+\.arn\}$/)]);
  expect(cpu.ok_actions).toEqual(cpu.alarm_actions);
});

test("a single-instance cluster has no replica-lag alarm", () => {
  const single = buildStacks((raw) => (raw.environments[0].databases[0].instanceCount = 1));
  const metrics = alarmsOf(synth(single.get("dev-us-east-1")!), "replica-dev-ledger").map((a) => a.metric_name);
  expect(metrics).not.toContain("AuroraReplicaLag");
});

test("global replication lag is watched on the secondary, in the DR region, notifying the DR stack's topic", () => {
  const alarms = alarmsOf(synth(stacks.get("prod-us-east-1")!), "replica-prod-ledger-eu-west-1");
  const lag = alarms.find((a) => a.metric_name === "AuroraGlobalDBReplicationLag");
  expect(lag).toEqual(
    expect.objectContaining({
      provider: "aws.other_region",
      threshold: 5000,
      dimensions: { DBClusterIdentifier: "replica-prod-ledger-eu-west-1" },
      alarm_actions: ["arn:aws:sns:eu-west-1:333333333333:replica-prod-alarms"],
    }),
  );
  expect(alarms.every((a) => a.provider === "aws.other_region")).toBe(true);
});

test("the DR topic ARN matches the topic the DR-region stack creates", () => {
  const [topic] = resources(synth(stacks.get("prod-eu-west-1")!), "aws_sns_topic");
  expect(topic.name).toBe("replica-prod-alarms");
});

test("primary clusters watch global replication lag too: after a switchover they are the secondary", () => {
  const lag = alarmsOf(synth(stacks.get("prod-us-east-1")!), "replica-prod-ledger").filter((a) => !a.alarm_name.includes("eu-west-1")).find((a) => a.metric_name === "AuroraGlobalDBReplicationLag");
  expect(lag.provider).toBeUndefined();
  expect(lag).toEqual(expect.objectContaining({ dimensions: { DBClusterIdentifier: "replica-prod-ledger" }, treat_missing_data: "notBreaching" }));
});
