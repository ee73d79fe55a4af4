import { buildStacks, resources, synth } from "./helpers";
import { exampleProblems } from "../helpers/config";

const problems = exampleProblems;

const cluster = (json: any, identifier: string) => resources(json, "aws_rds_cluster").find((c) => c.cluster_identifier === identifier);
// In the example, environments[0] is dev (no disaster recovery) and environments[2] is prod (a global database).
const devLedger = (raw: any) => raw.environments[0].databases[0];
const devCatalog = (raw: any) => raw.environments[0].databases[1];
const prodLedger = (raw: any) => raw.environments[2].databases[0];

describe("Aurora floors by default", () => {
  const stacks = buildStacks();

  test("primary and DR secondary keep 0.5 to 1 ACU, never pause, and the reader follows the writer", () => {
    const prod = synth(stacks.get("prod-us-east-1")!);
    expect(cluster(prod, "replica-prod-ledger").serverlessv2_scaling_configuration).toEqual({ min_capacity: 0.5, max_capacity: 1 });
    expect(cluster(prod, "replica-prod-ledger-eu-west-1").serverlessv2_scaling_configuration).toEqual({ min_capacity: 0.5, max_capacity: 1 });
    const tiers = resources(prod, "aws_rds_cluster_instance").filter((i) => i.identifier.startsWith("replica-prod-ledger-") && !i.identifier.includes("eu-west-1")).map((i) => i.promotion_tier);
    expect(tiers).toEqual([0, 1]);
  });
});

describe("scaling to zero (development)", () => {
  test("minCapacity 0 outside a global database pauses after 5 minutes unless told otherwise", () => {
    // GIVEN dev's ledger at 0 ACU, its catalog at 0 ACU pausing after an hour
    const stacks = buildStacks((raw) => {
      devLedger(raw).minCapacity = 0;
      Object.assign(devCatalog(raw), { minCapacity: 0, secondsUntilAutoPause: 3600 });
    });
    const dev = synth(stacks.get("dev-us-east-1")!);
    // THEN the clusters carry the floor and the pause delay
    expect(cluster(dev, "replica-dev-ledger").serverlessv2_scaling_configuration).toEqual({ min_capacity: 0, max_capacity: 1, seconds_until_auto_pause: 300 });
    expect(cluster(dev, "replica-dev-catalog").serverlessv2_scaling_configuration).toEqual({ min_capacity: 0, max_capacity: 1, seconds_until_auto_pause: 3600 });
  });

  test("minCapacity 0 in a global database (disaster recovery) is refused by its path", () => {
    expect(problems((raw) => (prodLedger(raw).minCapacity = 0))).toEqual([
      "environments[2].databases[0].minCapacity: is 0, but this environment has disasterRecovery on and Aurora cannot pause a cluster of a global database; set minCapacity to 0.5 or more, or disasterRecovery to false",
    ]);
  });

  test.each([
    ["aurora-postgresql", "16.2", /engine version 16\.2 cannot scale to 0 ACUs; use 13\.15, 14\.12, 15\.7, 16\.3 or later minors, or 17 and later/],
    ["aurora-postgresql", "16", /engineVersion "16" names no minor version/],
    ["aurora-mysql", "8.0.mysql_aurora.3.07.1", /engine version 8\.0\.mysql_aurora\.3\.07\.1 cannot scale to 0 ACUs; use 8\.0\.mysql_aurora\.3\.08\.0 or later/],
  ])("minCapacity 0 on %s %s, which cannot pause, is refused with the versions that can", (engine, engineVersion, message) => {
    const found = problems((raw) => Object.assign(devLedger(raw), { engine, engineVersion, minCapacity: 0 }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^environments\[0\]\.databases\[0\]\.minCapacity: is 0, but /);
    expect(found[0]).toMatch(message);
  });

  test.each([
    ["aurora-postgresql", "16.3"],
    ["aurora-postgresql", "13.15"],
    ["aurora-postgresql", "17.4"],
    ["aurora-mysql", "8.0.mysql_aurora.3.08.0"],
    ["aurora-mysql", "8.0.mysql_aurora.3.10.1"],
  ])("minCapacity 0 on %s %s is accepted", (engine, engineVersion) => {
    expect(problems((raw) => Object.assign(devLedger(raw), { engine, engineVersion, minCapacity: 0 }))).toEqual([]);
  });

  test("secondsUntilAutoPause needs a floor of 0 and AWS's range", () => {
    expect(problems((raw) => (devLedger(raw).secondsUntilAutoPause = 600))).toEqual([
      "environments[0].databases[0].secondsUntilAutoPause: only applies to a cluster that scales to 0 ACUs; set minCapacity to 0 or remove secondsUntilAutoPause",
    ]);
    expect(problems((raw) => Object.assign(devLedger(raw), { minCapacity: 0, secondsUntilAutoPause: 60 }))).toEqual([
      "environments[0].databases[0].secondsUntilAutoPause: must be at least 300, not 60",
    ]);
  });
});

describe("floors per role", () => {
  test("the DR secondary can idle at its own floor while the primary keeps its own", () => {
    const stacks = buildStacks((raw) => Object.assign(prodLedger(raw), { minCapacity: 2, maxCapacity: 8, secondaryMinCapacity: 1 }));
    const prod = synth(stacks.get("prod-us-east-1")!);
    expect(cluster(prod, "replica-prod-ledger").serverlessv2_scaling_configuration).toEqual({ min_capacity: 2, max_capacity: 8 });
    expect(cluster(prod, "replica-prod-ledger-eu-west-1").serverlessv2_scaling_configuration).toEqual({ min_capacity: 1, max_capacity: 8 });
  });

  test("secondaryMinCapacity without disaster recovery, or at 0, is refused by its path", () => {
    expect(problems((raw) => (devLedger(raw).secondaryMinCapacity = 1))).toEqual([
      "environments[0].databases[0].secondaryMinCapacity: only applies with disasterRecovery, which this environment has off; remove it or turn disasterRecovery on",
    ]);
    expect(problems((raw) => (prodLedger(raw).secondaryMinCapacity = 0))).toEqual(["environments[2].databases[0].secondaryMinCapacity: must be at least 0.5, not 0"]);
  });

  test("independent readers move to promotion tier 2 and up, where they scale on their own load", () => {
    const stacks = buildStacks((raw) => Object.assign(devLedger(raw), { readerScaling: "independent", instanceCount: 3 }));
    const dev = synth(stacks.get("dev-us-east-1")!);
    const tiers = resources(dev, "aws_rds_cluster_instance").filter((i) => i.identifier.startsWith("replica-dev-ledger-")).map((i) => i.promotion_tier);
    expect(tiers).toEqual([0, 2, 3]);
  });

  test("an unknown readerScaling is refused with the accepted values", () => {
    expect(problems((raw) => (devLedger(raw).readerScaling = "alone"))).toEqual([
      'environments[0].databases[0].readerScaling: must be one of "with-writer", "independent", not "alone"',
    ]);
  });
});
