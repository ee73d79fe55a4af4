import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { exampleWith } from "./helpers";

const staging = (set: Record<string, unknown>) => exampleWith({ environment: "staging", set });

describe("fabric configuration defaults", () => {
  test("artifacts default to SSE-KMS and the promote/ prefix", () => {
    // GIVEN the example, which sets no fabric fields WHEN validated THEN the documented defaults apply
    const config = validateConfig(EXAMPLE_CONFIG);
    expect(config.environments[0].artifacts).toEqual({ encryption: "aws:kms", promotionPrefix: "promote/" });
  });

  test("the config mirror defaults to every key, a 15-minute reconcile and recorded deletions", () => {
    expect(validateConfig(EXAMPLE_CONFIG).environments[0].configMirror).toEqual({ allowPatterns: [], denyPatterns: [], reconcileSchedule: "rate(15 minutes)", deletePolicy: "record" });
  });

  test("the canary lag threshold defaults to 60 seconds", () => {
    expect(validateConfig(EXAMPLE_CONFIG).alarms.canaryLagSeconds).toBe(60);
  });

  test("configured values are kept", () => {
    const config = validateConfig(
      staging({
        artifacts: { encryption: "AES256", promotionPrefix: "release/v1/" },
        configMirror: { allowPatterns: ["db/*", "endpoints/"], denyPatterns: ["**/local-*"], reconcileSchedule: "cron(0/30 * * * ? *)", deletePolicy: "delete" },
      }),
    );
    const env = config.environments.find((e) => e.name === "staging")!;
    expect(env.artifacts).toEqual({ encryption: "AES256", promotionPrefix: "release/v1/" });
    expect(env.configMirror).toEqual({ allowPatterns: ["db/*", "endpoints/"], denyPatterns: ["**/local-*"], reconcileSchedule: "cron(0/30 * * * ? *)", deletePolicy: "delete" });
  });
});

describe("fabric configuration errors", () => {
  test("rejects an unknown artifact encryption", () => {
    expect(() => validateConfig(staging({ artifacts: { encryption: "aws:kms:dsse" } }))).toThrow(/environments\[1\]\.artifacts\.encryption: must be one of "aws:kms", "AES256", not "aws:kms:dsse"/);
  });

  test("rejects a promotion prefix without a trailing slash", () => {
    expect(() => validateConfig(staging({ artifacts: { promotionPrefix: "promote" } }))).toThrow(/environments\[1\]\.artifacts\.promotionPrefix: must be an S3 key prefix ending in "\/"/);
  });

  test("rejects a promotion prefix with a leading slash", () => {
    expect(() => validateConfig(staging({ artifacts: { promotionPrefix: "/promote/" } }))).toThrow(/environments\[1\]\.artifacts\.promotionPrefix/);
  });

  test("rejects an unknown field under artifacts", () => {
    expect(() => validateConfig(staging({ artifacts: { encrypton: "AES256" } }))).toThrow(/environments\[1\]\.artifacts\.encrypton/);
  });

  test("rejects an absolute mirror pattern, naming its index", () => {
    expect(() => validateConfig(staging({ configMirror: { allowPatterns: ["db/*", "/app/staging/config/x"] } }))).toThrow(/environments\[1\]\.configMirror\.allowPatterns\[1\]: must be a key pattern relative to \/app\/<env>\/config\//);
  });

  test("rejects a deny list that is not an array", () => {
    expect(() => validateConfig(staging({ configMirror: { denyPatterns: "db/*" } }))).toThrow(/environments\[1\]\.configMirror\.denyPatterns/);
  });

  test("rejects a reconcile schedule that is not an EventBridge expression", () => {
    expect(() => validateConfig(staging({ configMirror: { reconcileSchedule: "every 15 minutes" } }))).toThrow(/environments\[1\]\.configMirror\.reconcileSchedule: must be an EventBridge schedule expression/);
  });

  test("rejects an unknown delete policy", () => {
    expect(() => validateConfig(staging({ configMirror: { deletePolicy: "purge" } }))).toThrow(/environments\[1\]\.configMirror\.deletePolicy: must be one of "record", "delete", not "purge"/);
  });

  test("rejects a non-positive canary lag threshold", () => {
    expect(() => validateConfig(exampleWith({ root: { alarms: { canaryLagSeconds: 0 } } }))).toThrow(/alarms\.canaryLagSeconds/);
  });
});

describe("lambda.reservedConcurrency", () => {
  test("is not set by default, so no function reserves concurrency a new account does not have", () => {
    expect(validateConfig(EXAMPLE_CONFIG).lambda.reservedConcurrency).toBeUndefined();
  });

  test("a configured reservation is kept", () => {
    expect(validateConfig(exampleWith({ root: { lambda: { reservedConcurrency: 5 } } })).lambda.reservedConcurrency).toBe(5);
  });

  test.each([0, 1.5, 1001, "5"])("rejects %p with its path", (value) => {
    expect(() => validateConfig(exampleWith({ root: { lambda: { reservedConcurrency: value } } }))).toThrow(/lambda\.reservedConcurrency: must be/);
  });
});

describe("statusEndpoint.callerRoleNames", () => {
  test("defaults to no cross-account caller", () => {
    expect(validateConfig(EXAMPLE_CONFIG).statusEndpoint).toEqual({ callerRoleNames: [] });
  });

  test("keeps the configured role names", () => {
    expect(validateConfig(exampleWith({ root: { statusEndpoint: { callerRoleNames: ["OpsDashboard", "oncall-reader"] } } })).statusEndpoint.callerRoleNames).toEqual(["OpsDashboard", "oncall-reader"]);
  });

  test("rejects an invalid role name, a repeated one and an unknown field, each by path", () => {
    expect(() => validateConfig(exampleWith({ root: { statusEndpoint: { callerRoleNames: ["ok", "not a role"] } } }))).toThrow(/statusEndpoint\.callerRoleNames\[1\]: must be a valid IAM role name/);
    expect(() => validateConfig(exampleWith({ root: { statusEndpoint: { callerRoleNames: ["ok", "ok"] } } }))).toThrow(/statusEndpoint\.callerRoleNames\[1\]: repeats "ok"/);
    expect(() => validateConfig(exampleWith({ root: { statusEndpoint: { callers: ["ok"] } } }))).toThrow(/statusEndpoint\.callers/);
  });
});
