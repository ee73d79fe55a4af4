import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { exampleProblems } from "../helpers/config";

const problems = exampleProblems;

describe("database settings", () => {
  test("an unknown engine is reported with its path and the accepted values", () => {
    // GIVEN a database with a misspelt engine WHEN validated THEN the problem names both engines
    expect(problems((raw) => (raw.environments[0].databases[0].engine = "postgres"))).toEqual([
      'environments[0].databases[0].engine: must be one of "aurora-postgresql", "aurora-mysql", not "postgres"',
    ]);
  });

  test("a capacity above 256 ACU is out of range", () => {
    expect(problems((raw) => (raw.environments[1].databases[1].maxCapacity = 300))).toEqual(["environments[1].databases[1].maxCapacity: must be at most 256, not 300"]);
  });

  test("a capacity that is not a multiple of 0.5 ACU is rejected", () => {
    expect(problems((raw) => (raw.environments[0].databases[0].minCapacity = 0.75))).toEqual(["environments[0].databases[0].minCapacity: must be a multiple of 0.5, not 0.75"]);
  });

  test("a minimum capacity above the maximum is rejected", () => {
    expect(problems((raw) => Object.assign(raw.environments[0].databases[0], { minCapacity: 4, maxCapacity: 2 }))).toEqual([
      "environments[0].databases[0].minCapacity: must not exceed maxCapacity (4 > 2)",
    ]);
  });

  test("an Aurora MySQL 2 (5.7) version is rejected with the reason", () => {
    const [problem] = problems((raw) => (raw.environments[0].databases[1].engineVersion = "5.7.mysql_aurora.2.11.2"));
    expect(problem).toMatch(/^environments\[0\]\.databases\[1\]\.engineVersion: must be an Aurora MySQL 3 .*past end of standard support/);
  });

  test("masterPasswordVersion must be a whole number from 1", () => {
    expect(problems((raw) => (raw.environments[2].databases[0].masterPasswordVersion = 0))).toEqual(["environments[2].databases[0].masterPasswordVersion: must be at least 1, not 0"]);
  });

  test("masterPasswordVersion defaults to 1", () => {
    expect(validateConfig(EXAMPLE_CONFIG).environments[0].databases[0].masterPasswordVersion).toBe(1);
  });

  test("a misspelt database field is reported with a suggestion", () => {
    expect(problems((raw) => (raw.environments[0].databases[0].instanceCout = 2))).toEqual([
      'environments[0].databases[0].instanceCout: is not a known field (did you mean "instanceCount"?)',
    ]);
  });
});

describe("disaster recovery and network settings", () => {
  test("disaster recovery without a DR-region CIDR says what is missing and how to fix it", () => {
    // GIVEN prod (DR on by default) whose network lacks the eu-west-1 block
    const reported = problems((raw) => delete raw.environments[2].network.cidrs["eu-west-1"]);
    // THEN the DR consequence is named on disasterRecovery, besides the network's own requirement
    expect(reported).toContain(
      "environments[2].disasterRecovery: is on, but network.cidrs has no block for the DR region eu-west-1, where the secondary database clusters would run; add network.cidrs.eu-west-1 or set disasterRecovery to false",
    );
    expect(reported).toContain("environments[2].network.cidrs.eu-west-1: is required: every environment has a VPC in the primary and the DR region");
  });

  test("an environment without DR gets no DR message for the same gap", () => {
    const reported = problems((raw) => delete raw.environments[0].network.cidrs["eu-west-1"]);
    expect(reported.some((line) => line.includes("disasterRecovery"))).toBe(false);
  });

  test("a VPC block too small to hold a subnet per zone is rejected", () => {
    expect(problems((raw) => (raw.environments[0].network.cidrs["us-east-1"] = "10.10.0.0/27"))).toEqual([
      "environments[0].network.cidrs.us-east-1: 10.10.0.0/27 is too small for a private subnet per availability zone; use a block of /26 or larger (for example /16)",
    ]);
  });

  test("availabilityZoneCount is limited to 2 or 3", () => {
    expect(problems((raw) => (raw.environments[0].network.availabilityZoneCount = 1))).toEqual(["environments[0].network.availabilityZoneCount: must be at least 2, not 1"]);
  });

  test("peered VPCs may not overlap", () => {
    const [problem] = problems((raw) => (raw.environments[1].network.cidrs["us-east-1"] = "10.10.0.0/16"));
    expect(problem).toMatch(/10\.10\.0\.0\/16 overlaps dev us-east-1/);
  });
});

describe("network.peerDatabaseAccess", () => {
  test("is off by default for every environment, production included", () => {
    expect(validateConfig(EXAMPLE_CONFIG).environments.map((e) => e.network.peerDatabaseAccess)).toEqual([false, false, false]);
  });

  test("a non-boolean is reported with its path", () => {
    expect(problems((raw) => (raw.environments[2].network.peerDatabaseAccess = "yes"))).toEqual([expect.stringMatching(/^environments\[2\]\.network\.peerDatabaseAccess: must be/)]);
  });
});
