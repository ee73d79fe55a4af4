import { ConfigError, validateConfig } from "../../src/config/validate";
import { exampleRaw, problemsOf } from "../helpers/config";

const problems = (raw: unknown) => problemsOf(validateConfig, raw);

describe("the built-in example", () => {
  test("is valid and gets the documented defaults", () => {
    // WHEN
    const config = validateConfig(exampleRaw());
    // THEN
    expect(config.environments.map((e) => [e.name, e.accountId])).toEqual([
      ["dev", "111111111111"],
      ["staging", "222222222222"],
      ["prod", "333333333333"],
    ]);
    expect(config.promotionOrder).toEqual(["dev", "staging", "prod"]);
    expect(config.operationsEnvironment).toBe("prod");
    expect(config.lambda).toEqual({ memoryMb: 256, logRetentionDays: 30, reservedConcurrency: undefined });
    expect(config.stateBackend).toMatchObject({ bucket: "replica-tfstate-333333333333", keyPrefix: "replica", bootstrapped: false });
  });

  test("protects and replicates production only, by default", () => {
    const config = validateConfig(exampleRaw());
    expect(config.environments.map((e) => [e.name, e.deletionProtection, e.disasterRecovery])).toEqual([
      ["dev", false, false],
      ["staging", false, false],
      ["prod", true, true],
    ]);
  });

  test("has one Aurora PostgreSQL and one Aurora MySQL database per environment with 0.5-1 ACU", () => {
    const config = validateConfig(exampleRaw());
    for (const environment of config.environments) {
      expect(environment.databases.map((d) => [d.engine, d.minCapacity, d.maxCapacity, d.instanceCount])).toEqual([
        ["aurora-postgresql", 0.5, 1, 2],
        ["aurora-mysql", 0.5, 1, 2],
      ]);
    }
  });
});

describe("configuration errors", () => {
  test("a malformed account ID is reported with its path", () => {
    const raw = exampleRaw();
    raw.environments[1].accountId = "22222222222x";
    expect(problems(raw)).toEqual(['environments[1].accountId: must be 12 digits, not "22222222222x"']);
  });

  test("duplicate environment names are reported", () => {
    const raw = exampleRaw();
    raw.environments[2].name = "staging";
    raw.promotionOrder = ["dev", "staging"];
    expect(problems(raw)).toContain('environments[2].name: repeats "staging"; environment names are unique');
  });

  test("an unknown region is reported", () => {
    const raw = exampleRaw();
    raw.drRegion = "eu-westt-1";
    expect(problems(raw)).toContain('drRegion: is not a known AWS region: "eu-westt-1" (did you mean "eu-west-1"?)');
  });

  test("a DR region equal to the primary region is reported", () => {
    const raw = exampleRaw();
    raw.drRegion = "us-east-1";
    expect(problems(raw)).toContainEqual(expect.stringMatching(/^drRegion: must differ from primaryRegion/));
  });

  test("overlapping CIDRs between environments are reported", () => {
    const raw = exampleRaw();
    raw.environments[1].network.cidrs["us-east-1"] = "10.10.128.0/20";
    expect(problems(raw)).toEqual([
      "environments[1].network.cidrs.us-east-1: 10.10.128.0/20 overlaps dev us-east-1 (environments[0].network.cidrs.us-east-1); peered VPCs need distinct address space",
    ]);
  });

  test("overlapping CIDRs between the regions of one environment are reported", () => {
    const raw = exampleRaw();
    raw.environments[0].network.cidrs["eu-west-1"] = "10.10.0.0/16";
    expect(problems(raw)).toContainEqual(expect.stringMatching(/^environments\[0\]\.network\.cidrs\.eu-west-1: 10\.10\.0\.0\/16 overlaps dev us-east-1/));
  });

  test("a malformed CIDR and a missing region CIDR are reported", () => {
    const raw = exampleRaw();
    raw.environments[0].network.cidrs = { "us-east-1": "10.10.0.1/16" };
    expect(problems(raw)).toEqual([
      'environments[0].network.cidrs.us-east-1: has host bits set; did you mean 10.10.0.0/16?, not "10.10.0.1/16"',
      "environments[0].network.cidrs.eu-west-1: is required: every environment has a VPC in the primary and the DR region",
    ]);
  });

  test("a promotion order naming an unknown environment or repeating one is reported", () => {
    const raw = exampleRaw();
    raw.promotionOrder = ["dev", "qa", "dev", "staging", "prod"];
    expect(problems(raw)).toEqual([
      'promotionOrder[2]: repeats "dev"; each environment appears once',
      'promotionOrder[1]: names an unknown environment "qa" (known: dev, staging, prod)',
    ]);
  });

  test("an environment missing from the promotion order is reported", () => {
    const raw = exampleRaw();
    raw.promotionOrder = ["dev", "prod"];
    expect(problems(raw)).toEqual(['environments[1].name: "staging" is missing from promotionOrder']);
  });

  test("capacity out of range and min above max are reported", () => {
    const raw = exampleRaw();
    raw.environments[0].databases[0].maxCapacity = 300;
    raw.environments[0].databases[1].minCapacity = 4;
    raw.environments[0].databases[1].maxCapacity = 2;
    raw.environments[1].databases[0].minCapacity = 0.7;
    expect(problems(raw)).toEqual([
      "environments[0].databases[0].maxCapacity: must be at most 256, not 300",
      "environments[0].databases[1].minCapacity: must not exceed maxCapacity (4 > 2)",
      "environments[1].databases[0].minCapacity: must be a multiple of 0.5, not 0.7",
    ]);
  });

  test("a retention of zero or less is reported", () => {
    const raw = exampleRaw();
    raw.snapshots.retentionDays = 0;
    raw.environments[2].databases[0].backupRetentionDays = -1;
    raw.lambda = { logRetentionDays: 0 };
    expect(problems(raw)).toEqual([
      "environments[2].databases[0].backupRetentionDays: must be at least 1, not -1",
      "snapshots.retentionDays: must be at least 1, not 0",
      "lambda.logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, not 0",
    ]);
  });

  test("unknown fields are reported, with the field that was probably meant", () => {
    const raw = exampleRaw();
    raw.primaryRegoin = "us-east-1";
    raw.environments[0].databases[0].maxCapcity = 2;
    raw.environments[1].colour = "blue";
    expect(problems(raw)).toEqual([
      'primaryRegoin: is not a known field (did you mean "primaryRegion"?)',
      'environments[0].databases[0].maxCapcity: is not a known field (did you mean "maxCapacity"?)',
      "environments[1].colour: is not a known field",
    ]);
  });

  test("an unknown database engine and an end-of-life MySQL version are reported", () => {
    const raw = exampleRaw();
    raw.environments[0].databases[0].engine = "oracle";
    raw.environments[0].databases[1].engineVersion = "5.7.mysql_aurora.2.11.2";
    expect(problems(raw)).toEqual([
      'environments[0].databases[0].engine: must be one of "aurora-postgresql", "aurora-mysql", not "oracle"',
      expect.stringMatching(/^environments\[0\]\.databases\[1\]\.engineVersion: must be an Aurora MySQL 3 \(8\.0-compatible\) version/),
    ]);
  });

  test("every problem is reported at once, not just the first", () => {
    const raw = exampleRaw();
    raw.environments[0].accountId = "1";
    raw.environments[1].accountId = 2;
    raw.drRegion = "mars-1";
    raw.tags.Project = "mine";
    expect(problems(raw)).toHaveLength(4);
  });

  test("the error message lists each problem on its own line", () => {
    const raw = exampleRaw();
    raw.environments[0].accountId = "1";
    raw.project = "X";
    expect(() => validateConfig(raw)).toThrow(ConfigError);
    expect(() => validateConfig(raw)).toThrow(
      /^Invalid platform configuration \(2 problems\):\n  - project: .+\n  - environments\[0\]\.accountId: must be 12 digits, not "1"$/,
    );
  });

  test("a configuration that is not an object is reported", () => {
    expect(problems([])).toEqual(["(root): must be an object, not an array"]);
    expect(problems(undefined)).toEqual(["(root): must be a JSON object"]);
  });

  test("an operations environment that does not exist is reported", () => {
    const raw = exampleRaw();
    raw.operationsEnvironment = "ops";
    expect(problems(raw)).toEqual(['operationsEnvironment: names an unknown environment "ops" (known: dev, staging, prod)']);
  });

  test("terraformCloud needs an organization", () => {
    const raw = exampleRaw();
    raw.terraformCloud = { workspacePrefix: "replica-" };
    expect(problems(raw)).toEqual(["terraformCloud.organization: is required"]);
  });
});

describe("defaults that can be turned off", () => {
  test("deletion protection and DR can be switched off for production and on for dev", () => {
    const raw = exampleRaw();
    raw.environments[0].deletionProtection = true;
    raw.environments[2].deletionProtection = false;
    raw.environments[2].disasterRecovery = false;
    const config = validateConfig(raw);
    expect(config.environments.map((e) => [e.deletionProtection, e.disasterRecovery])).toEqual([
      [true, false],
      [false, false],
      [false, false],
    ]);
  });
});
