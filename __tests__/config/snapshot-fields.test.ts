import { validateConfig } from "../../src/config/validate";
import { exampleRaw, problemsOf } from "../helpers/config";

const problems = (raw: unknown) => problemsOf(validateConfig, raw);
const legacy = { name: "legacy", instanceIdentifier: "gtp-legacy-mysql" };

describe("snapshot copy configuration: defaults", () => {
  test("the built-in example copies the clusters into the DR region only, and no DB instance", () => {
    const config = validateConfig(exampleRaw());
    expect(config.snapshots).toEqual({ schedule: "cron(0 5 * * ? *)", retentionDays: 14, destinations: [{ region: "eu-west-1" }] });
    for (const environment of config.environments) expect(environment.snapshotInstances).toEqual([]);
  });

  test("a DB instance's mode is automated unless set; destinations keep the order given", () => {
    const raw = exampleRaw();
    raw.environments[0].snapshotInstances = [legacy, { name: "reports", instanceIdentifier: "reports-db", mode: "manual" }];
    raw.snapshots.destinations = [{ region: "us-west-2", maxCopyAgeHours: 30 }, { region: "eu-west-1" }];
    const config = validateConfig(raw);
    expect(config.environments[0]!.snapshotInstances).toEqual([
      { ...legacy, mode: "automated" },
      { name: "reports", instanceIdentifier: "reports-db", mode: "manual" },
    ]);
    expect(config.snapshots.destinations).toEqual([{ region: "us-west-2", maxCopyAgeHours: 30 }, { region: "eu-west-1" }]);
  });
});

describe("snapshot copy configuration: every problem by its path", () => {
  test("bad DB instances", () => {
    const raw = exampleRaw();
    raw.environments[0].snapshotInstances = [
      { name: "ledger", instanceIdentifier: "a-b" },
      { name: "Legacy", instanceIdentifier: "Legacy-MySQL", mode: "hourly" },
      { name: "x", instanceIdentifier: `a${"b".repeat(63)}` },
      { name: "y", instanceIdentifier: "ends-with-" },
      { name: "z", instanceIdentifier: "double--hyphen", clusterIdentifier: "q" },
      { instanceIdentifier: "ok-one" },
      { name: "w", instanceIdentifier: "ok-two" },
      { name: "w", instanceIdentifier: "ok-two" },
    ];
    raw.environments[1].snapshotInstances = "gtp-legacy-mysql";
    expect(problems(raw)).toEqual([
      'environments[0].snapshotInstances[0].name: "ledger" is also a database of this environment; names are shared by databases and instances',
      'environments[0].snapshotInstances[1].name: must be 1 to 31 lowercase letters, digits or hyphens, starting with a letter, not "Legacy"',
      'environments[0].snapshotInstances[1].instanceIdentifier: must be a DB instance identifier: 1 to 63 lowercase letters, digits or single hyphens, starting with a letter, not ending with a hyphen, not "Legacy-MySQL"',
      'environments[0].snapshotInstances[1].mode: must be one of "automated", "manual", not "hourly"',
      expect.stringMatching(/^environments\[0\]\.snapshotInstances\[2\]\.instanceIdentifier: must be a DB instance identifier/),
      expect.stringMatching(/^environments\[0\]\.snapshotInstances\[3\]\.instanceIdentifier: must be a DB instance identifier/),
      expect.stringMatching(/^environments\[0\]\.snapshotInstances\[4\]\.clusterIdentifier: is not a known field/),
      expect.stringMatching(/^environments\[0\]\.snapshotInstances\[4\]\.instanceIdentifier: must be a DB instance identifier.*not "double--hyphen"$/),
      expect.stringMatching(/^environments\[0\]\.snapshotInstances\[5\]\.name: is required/),
      'environments[0].snapshotInstances[7].name: repeats "w"',
      'environments[0].snapshotInstances[7].instanceIdentifier: repeats "ok-two"',
      expect.stringMatching(/^environments\[1\]\.snapshotInstances: must be an array/),
    ]);
  });

  test("bad destinations", () => {
    const raw = exampleRaw();
    raw.snapshots.destinations = [{ region: "us-east-1" }, { region: "eu-west-1", maxCopyAgeHours: 0 }, { region: "eu-west-1" }, { region: "xx-north-9" }, {}, { region: "eu-central-1", rpo: 4 }];
    expect(problems(raw)).toEqual([
      "snapshots.destinations[0].region: is the primary region us-east-1; a copy next to its database protects against nothing",
      "snapshots.destinations[1].maxCopyAgeHours: must be at least 1, not 0",
      'snapshots.destinations[2].region: repeats "eu-west-1"; each region appears once',
      'snapshots.destinations[3].region: is not a known AWS region: "xx-north-9" (regions look like us-east-1)',
      "snapshots.destinations[4].region: is required",
      expect.stringMatching(/^snapshots\.destinations\[5\]\.rpo: is not a known field/),
    ]);
  });

  test("two instances whose identifiers agree in their first 44 characters are refused: their snapshot names would be the same", () => {
    const raw = exampleRaw();
    const stem = "a".repeat(44);
    raw.environments[0].snapshotInstances = [
      { name: "one", instanceIdentifier: `${stem}-one` },
      { name: "two", instanceIdentifier: `${stem}-two` },
      { name: "three", instanceIdentifier: `${"a".repeat(43)}b-three` },
    ];
    expect(problems(raw)).toEqual([
      `environments[0].snapshotInstances[1].instanceIdentifier: gives its snapshots the same names as "${stem}-one" (${stem}-copy-...): identifiers must differ in their first 44 characters`,
    ]);
  });

  test("an instance's own key must be a key ARN in the primary region", () => {
    const raw = exampleRaw();
    raw.environments[0].snapshotInstances = [
      { ...legacy, kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab" },
      { name: "b", instanceIdentifier: "b-db", kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab" },
      { name: "c", instanceIdentifier: "c-db", kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:alias/legacy" },
    ];
    expect(problems(raw)).toEqual([
      'environments[0].snapshotInstances[1].kmsKeyArn: must be the ARN of a KMS key (not an alias) in the primary region us-east-1, not "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab"',
      'environments[0].snapshotInstances[2].kmsKeyArn: must be the ARN of a KMS key (not an alias) in the primary region us-east-1, not "arn:aws:kms:us-east-1:111111111111:alias/legacy"',
    ]);
    raw.environments[0].snapshotInstances = raw.environments[0].snapshotInstances.slice(0, 1);
    expect(validateConfig(raw).environments[0]!.snapshotInstances[0]!.kmsKeyArn).toBe("arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab");
  });

  test("an empty destination list is refused rather than copying nowhere", () => {
    const raw = exampleRaw();
    raw.snapshots.destinations = [];
    expect(problems(raw)).toEqual(["snapshots.destinations: must name at least one region (leave it out for the DR region)"]);
  });

  test("an account copy must name another environment in another account, and keep the DR region as a destination", () => {
    const raw = exampleRaw();
    raw.environments[0].snapshotAccountCopy = { environment: "qa" };
    raw.environments[1].snapshotAccountCopy = { maxCopyAgeHours: 0 };
    raw.environments[2].accountId = "111111111111";
    // One ledger table across accounts needs an account per environment: not what this test is about.
    raw.ledgerGlobalTable = { enabled: false };
    raw.environments[2].snapshotAccountCopy = { environment: "dev" };
    raw.snapshots.destinations = [{ region: "us-west-2" }];
    expect(problems(raw)).toEqual([
      "environments[1].snapshotAccountCopy.environment: is required",
      "environments[1].snapshotAccountCopy.maxCopyAgeHours: must be at least 1, not 0",
      expect.stringMatching(/^environments\[0\]\.snapshotAccountCopy\.environment: names an unknown environment "qa" \(known: dev, staging, prod\)$/),
      "environments[0].snapshotAccountCopy.environment: needs the DR region eu-west-1 among snapshots.destinations: the copy shared with the other account is the one there",
      'environments[2].snapshotAccountCopy.environment: "dev" is in the same account 111111111111; an account copy protects against losing the account, so it must be another one',
      "environments[2].snapshotAccountCopy.environment: needs the DR region eu-west-1 among snapshots.destinations: the copy shared with the other account is the one there",
    ]);
  });

  test("a valid account copy is kept with its recovery point objective; none by default", () => {
    const raw = exampleRaw();
    raw.environments[2].snapshotAccountCopy = { environment: "staging", maxCopyAgeHours: 72 };
    const config = validateConfig(raw);
    expect(config.environments[2]!.snapshotAccountCopy).toEqual({ environment: "staging", maxCopyAgeHours: 72 });
    expect(config.environments[0]!.snapshotAccountCopy).toBeUndefined();
  });
});
