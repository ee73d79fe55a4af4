import { InvalidEnvironmentError, MissingEnvironmentError, parseEnumEnv, parseStringListEnv, readEnv, regionOfArn } from "../../lambdas/shared/env";
import { createLogger } from "../../lambdas/shared/log";
import { createMetrics } from "../../lambdas/shared/metrics";

describe("readEnv", () => {
  test("lists every missing variable in one error", () => {
    // GIVEN an environment with one of three required variables
    const env = { ENVIRONMENT: "dev", LEDGER_TABLE_NAME: " " };
    // WHEN / THEN reading fails once, naming both the unset and the blank variable
    expect(() => readEnv(["ENVIRONMENT", "LEDGER_TABLE_NAME", "EVENT_BUS_NAME"], [], env)).toThrow(
      /Missing required environment variable\(s\): LEDGER_TABLE_NAME, EVENT_BUS_NAME/,
    );
    try {
      readEnv(["ENVIRONMENT", "LEDGER_TABLE_NAME", "EVENT_BUS_NAME"], [], env);
    } catch (err) {
      expect(err).toBeInstanceOf(MissingEnvironmentError);
      expect((err as MissingEnvironmentError).missing).toEqual(["LEDGER_TABLE_NAME", "EVENT_BUS_NAME"]);
    }
  });

  test("returns required and present optional variables, trimmed", () => {
    const env = { A: " a ", B: "b" };
    expect(readEnv(["A"], ["B", "C"], env)).toEqual({ A: "a", B: "b" });
  });

  test("rejects a JSON list that is not an array of strings", () => {
    expect(() => parseStringListEnv("DENY_PATTERNS", '["a", 1]')).toThrow(InvalidEnvironmentError);
    expect(() => parseStringListEnv("DENY_PATTERNS", "not json")).toThrow(/DENY_PATTERNS is invalid: not valid JSON/);
    expect(parseStringListEnv("DENY_PATTERNS", undefined, ["x"])).toEqual(["x"]);
  });

  test("rejects an enum value outside the allowed set", () => {
    expect(() => parseEnumEnv("DELETE_POLICY", "purge", ["record", "delete"], "record")).toThrow(/expected one of record, delete/);
  });

  test("reads the region out of an event bus ARN and nothing out of a name", () => {
    expect(regionOfArn("arn:aws:events:eu-west-1:222222222222:event-bus/central")).toBe("eu-west-1");
    expect(regionOfArn("central")).toBeUndefined();
  });
});

describe("createLogger", () => {
  test("writes one JSON line with level, message and fields, redacting secret-looking fields", () => {
    // GIVEN a logger that captures its lines
    const lines: string[] = [];
    const log = createLogger({ level: "info", base: { handler: "h" }, sink: (_l, line) => lines.push(line) });
    // WHEN a line carries a value and nested credentials
    log.info("wrote parameter", { name: "/app/dev/config/db/password", value: "hunter2", nested: { SecretAccessKey: "abc", ok: 1 } });
    log.debug("dropped below the level");
    // THEN the secret values never reach the output
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]);
    expect(record).toMatchObject({ level: "info", message: "wrote parameter", handler: "h", name: "/app/dev/config/db/password", value: "[redacted]", nested: { SecretAccessKey: "[redacted]", ok: 1 } });
    expect(lines[0]).not.toContain("hunter2");
  });
});

describe("createMetrics", () => {
  test("writes an Embedded Metric Format line with the Environment dimension", () => {
    const lines: string[] = [];
    const metrics = createMetrics({ namespace: "Platform/Replication", environment: "staging", sink: (l) => lines.push(l), now: () => 1234 });
    metrics.put("ReplicationLagSeconds", 2.5, "Seconds", { Channel: "s3" });
    expect(JSON.parse(lines[0])).toEqual({
      _aws: { Timestamp: 1234, CloudWatchMetrics: [{ Namespace: "Platform/Replication", Dimensions: [["Environment", "Channel"]], Metrics: [{ Name: "ReplicationLagSeconds", Unit: "Seconds" }] }] },
      Environment: "staging",
      Channel: "s3",
      ReplicationLagSeconds: 2.5,
    });
  });
});
