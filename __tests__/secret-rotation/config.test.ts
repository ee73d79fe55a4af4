import { validateConfig } from "../../src/config/validate";
import { exampleRaw, problemsOf } from "../helpers/config";

/** The problems reported for the example configuration after `edit`, or [] when it is valid. */
function problems(edit: (raw: any) => void): readonly string[] {
  const raw = exampleRaw();
  edit(raw);
  return problemsOf(validateConfig, raw);
}

function databases(edit: (raw: any) => void = () => {}) {
  const raw = exampleRaw();
  edit(raw);
  return validateConfig(raw).environments.map((e) => e.databases);
}

describe("application users", () => {
  test("declared users are read with their grant level", () => {
    // GIVEN two users on the dev ledger WHEN validated THEN both are kept, in order
    const [dev] = databases((raw) => (raw.environments[0].databases[0].users = [{ name: "app", grant: "read-write" }, { name: "report_ro", grant: "read-only" }]));
    expect(dev[0].users).toEqual([{ name: "app", grant: "read-write" }, { name: "report_ro", grant: "read-only" }]);
  });

  test("users default to none", () => {
    expect(databases()[0][0].users).toEqual([]);
  });

  test("an unknown grant level is reported with its path and the accepted levels", () => {
    expect(problems((raw) => (raw.environments[0].databases[0].users = [{ name: "app", grant: "admin" }]))).toEqual([
      'environments[0].databases[0].users[0].grant: must be one of "read-only", "read-write", "owner", not "admin"',
    ]);
  });

  test("name and grant are required, and a misspelt field is named", () => {
    expect(problems((raw) => (raw.environments[1].databases[1].users = [{ nmae: "app" }]))).toEqual([
      'environments[1].databases[1].users[0].nmae: is not a known field (did you mean "name"?)',
      "environments[1].databases[1].users[0].name: is required",
      "environments[1].databases[1].users[0].grant: is required",
    ]);
  });

  test("a name must leave room for the alternate user and not be reserved, repeated or a clone", () => {
    const reported = problems((raw) =>
      (raw.environments[0].databases[0].users = [
        { name: "a_name_that_is_far_too_long", grant: "owner" },
        { name: "dbadmin", grant: "owner" },
        { name: "app_clone", grant: "owner" },
        { name: "app", grant: "owner" },
        { name: "app", grant: "read-only" },
        { name: "App", grant: "read-only" },
      ]),
    );
    expect(reported).toEqual([
      'environments[0].databases[0].users[0].name: must be 1 to 24 lowercase letters, digits or underscores, starting with a letter, not "a_name_that_is_far_too_long"',
      'environments[0].databases[0].users[1].name: "dbadmin" is reserved (the master user or a built-in role); choose another name',
      'environments[0].databases[0].users[2].name: must not end with "_clone": that suffix names the alternate user the rotation creates',
      'environments[0].databases[0].users[4].name: repeats "app"; user names are unique within a database',
      'environments[0].databases[0].users[5].name: must be 1 to 24 lowercase letters, digits or underscores, starting with a letter, not "App"',
    ]);
  });

  test("users must be a list of objects", () => {
    expect(problems((raw) => (raw.environments[0].databases[0].users = { name: "app" }))).toEqual(["environments[0].databases[0].users: must be an array, not an object"]);
    expect(problems((raw) => (raw.environments[0].databases[0].users = ["app"]))).toEqual(['environments[0].databases[0].users[0]: must be an object, not "app"']);
  });
});

describe("credential rotation schedule", () => {
  test("defaults to 30 days", () => {
    expect(databases().flat().map((d) => d.credentialRotationDays)).toEqual([30, 30, 30, 30, 30, 30]);
  });

  test("is configurable per database, as whole days from 1 to 365", () => {
    expect(databases((raw) => (raw.environments[2].databases[1].credentialRotationDays = 7))[2][1].credentialRotationDays).toBe(7);
    expect(problems((raw) => (raw.environments[2].databases[1].credentialRotationDays = 0))).toEqual(["environments[2].databases[1].credentialRotationDays: must be at least 1, not 0"]);
    expect(problems((raw) => (raw.environments[2].databases[1].credentialRotationDays = 400))).toEqual(["environments[2].databases[1].credentialRotationDays: must be at most 365, not 400"]);
    expect(problems((raw) => (raw.environments[2].databases[1].credentialRotationDays = 1.5))).toEqual(["environments[2].databases[1].credentialRotationDays: must be a whole number, not 1.5"]);
  });
});

describe("Performance Insights and enhanced monitoring defaults", () => {
  test("are on in the last environment of the promotion order and off before it", () => {
    // GIVEN the example (dev → staging → prod) with no monitoring fields WHEN validated
    const [dev, staging, prod] = databases();
    // THEN prod's databases have both, the others neither
    expect(prod.map((d) => [d.performanceInsights, d.enhancedMonitoringInterval])).toEqual([[true, 60], [true, 60]]);
    expect([...dev, ...staging].map((d) => [d.performanceInsights, d.enhancedMonitoringInterval])).toEqual([[false, 0], [false, 0], [false, 0], [false, 0]]);
  });

  test("follow the promotion order, not the environment's name", () => {
    const [dev, , prod] = databases((raw) => {
      raw.promotionOrder = ["prod", "staging", "dev"];
      // The example's settings override values for prod, which this order makes the first environment.
      delete raw.appConfig;
    });
    expect(dev[0].performanceInsights).toBe(true);
    expect(dev[0].enhancedMonitoringInterval).toBe(60);
    expect(prod[0].performanceInsights).toBe(false);
  });

  test("can be turned off in production and on elsewhere", () => {
    const [dev, , prod] = databases((raw) => {
      Object.assign(raw.environments[2].databases[0], { performanceInsights: false, enhancedMonitoringInterval: 0 });
      Object.assign(raw.environments[0].databases[0], { performanceInsights: true, enhancedMonitoringInterval: 15 });
    });
    expect([prod[0].performanceInsights, prod[0].enhancedMonitoringInterval]).toEqual([false, 0]);
    expect([dev[0].performanceInsights, dev[0].enhancedMonitoringInterval]).toEqual([true, 15]);
  });
});
