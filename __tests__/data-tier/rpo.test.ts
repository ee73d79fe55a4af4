import { ConfigError } from "../../src/config/validate";
import { buildStacks, resources, synth } from "./helpers";

// GIVEN the example: prod (index 2) has global databases, ledger is Aurora PostgreSQL, catalog Aurora MySQL
const stacks = buildStacks();
const prod = () => synth(stacks.get("prod-us-east-1")!);
const alarmsOf = (json: any, cluster: string) => resources(json, "aws_cloudwatch_metric_alarm").filter((a) => a.dimensions?.DBClusterIdentifier === cluster);
const metricsOf = (json: any, cluster: string) => alarmsOf(json, cluster).map((a) => a.metric_name);

describe("the recovery point, watched", () => {
  test("both members of a PostgreSQL global database alarm on RPO lag and replication lag, each to its own region's topic", () => {
    for (const [cluster, topic] of [
      ["replica-prod-ledger", /^\$\{aws_sns_topic\.[^.]+\.arn\}$/],
      ["replica-prod-ledger-eu-west-1", /^arn:aws:sns:eu-west-1:333333333333:replica-prod-alarms$/],
    ] as const) {
      const rpo = alarmsOf(prod(), cluster).find((a) => a.metric_name === "AuroraGlobalDBRPOLag");
      expect(rpo).toEqual(expect.objectContaining({ namespace: "AWS/RDS", threshold: 30000, comparison_operator: "GreaterThanThreshold", treat_missing_data: "notBreaching" }));
      expect(rpo.alarm_actions).toEqual([expect.stringMatching(topic)]);
      expect(metricsOf(prod(), cluster)).toContain("AuroraGlobalDBReplicationLag");
    }
  });

  test("Aurora MySQL publishes no RPO lag: its members alarm on replication lag only", () => {
    for (const cluster of ["replica-prod-catalog", "replica-prod-catalog-eu-west-1"]) {
      expect(metricsOf(prod(), cluster)).toContain("AuroraGlobalDBReplicationLag");
      expect(metricsOf(prod(), cluster)).not.toContain("AuroraGlobalDBRPOLag");
    }
  });

  test("alarms.globalRpoLagMs sets the RPO threshold", () => {
    const json = synth(buildStacks((raw) => (raw.alarms.globalRpoLagMs = 10000)).get("prod-us-east-1")!);
    expect(alarmsOf(json, "replica-prod-ledger").find((a) => a.metric_name === "AuroraGlobalDBRPOLag").threshold).toBe(10000);
  });

  test("a regional cluster has no global alarms", () => {
    const metrics = metricsOf(synth(stacks.get("dev-us-east-1")!), "replica-dev-ledger");
    expect(metrics).not.toContain("AuroraGlobalDBRPOLag");
    expect(metrics).not.toContain("AuroraGlobalDBReplicationLag");
  });
});

describe("managed RPO (rds.global_db_rpo)", () => {
  const parameterGroups = (json: any, name: string) => resources(json, "aws_rds_cluster_parameter_group").filter((g) => g.name.startsWith(name));

  test("is set in the parameter group of both members, which either may be the writer", () => {
    const json = synth(buildStacks((raw) => (raw.environments[2].databases[0].managedRpoSeconds = 60)).get("prod-us-east-1")!);
    const groups = parameterGroups(json, "replica-prod-ledger");
    expect(groups.map((g) => g.name).sort()).toEqual(["replica-prod-ledger", "replica-prod-ledger-eu-west-1"]);
    for (const group of groups) expect(group.parameter).toContainEqual({ name: "rds.global_db_rpo", value: "60" });
  });

  test("is off by default", () => {
    for (const group of parameterGroups(prod(), "replica-prod-ledger")) expect(group.parameter.map((p: any) => p.name)).not.toContain("rds.global_db_rpo");
  });

  test.each([
    [(raw: any) => (raw.environments[2].databases[0].managedRpoSeconds = 10), "environments[2].databases[0].managedRpoSeconds: must be at least 20, not 10"],
    [(raw: any) => (raw.environments[2].databases[0].managedRpoSeconds = 30.5), "environments[2].databases[0].managedRpoSeconds: must be a whole number, not 30.5"],
    [(raw: any) => (raw.environments[2].databases[1].managedRpoSeconds = 60), "environments[2].databases[1].managedRpoSeconds: is an Aurora PostgreSQL setting"],
    [(raw: any) => (raw.environments[0].databases[0].managedRpoSeconds = 60), "environments[0].databases[0].managedRpoSeconds: needs a global database"],
  ])("is validated: %#", (edit, message) => {
    let error: unknown;
    try {
      buildStacks(edit);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join("\n")).toContain(message);
  });
});
