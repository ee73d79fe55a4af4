import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { publishEvents } from "../../lambdas/shared/events";
import { ledgerItems } from "../../lambdas/shared/ledger";
import { createLogger, errorFields } from "../../lambdas/shared/log";

// What a database server says about a failing `CREATE USER ... IDENTIFIED BY '...'`.
const SECRET = "hunter2-Secret";
const DB_MESSAGE = `V3__users.sql (statement 1, line 1): You have an error in your SQL syntax near 'IDENTIFIED BY '${SECRET}'' at line 1`;
const URL_MESSAGE = `cannot connect to postgres://app:${SECRET}@db.example.com:5432/orders`;

describe("secrets never leave a function", () => {
  test("log lines: the message, string fields and errors are redacted", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", sink: (_l, line) => lines.push(line) });
    log.error(`migration failed: ${DB_MESSAGE}`, { reason: URL_MESSAGE, ...errorFields(new Error(DB_MESSAGE)), cause: new Error(URL_MESSAGE) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0]!)).toMatchObject({ reason: "cannot connect to postgres://app:[redacted]@db.example.com:5432/orders" });
  });

  test("ledger items: error texts are redacted, keys are kept", () => {
    const item = ledgerItems.schema({
      environment: "dev",
      database: "orders",
      version: "3",
      status: "failed",
      error: DB_MESSAGE,
      occurredAt: "2024-05-01T10:00:00.000Z",
      originRegion: "us-east-1",
    });
    expect(JSON.stringify(item)).not.toContain(SECRET);
    expect(item.error).toMatch(/IDENTIFIED BY '\[redacted\]'/);
    expect(item).toMatchObject({ pk: "SCHEMA#dev", sk: "orders#00000000000000000003" });
    const replication = ledgerItems.replication({
      environment: "dev",
      channel: "s3",
      eventType: "failed",
      bucket: "b",
      key: "k",
      failureReason: URL_MESSAGE,
      occurredAt: "2024-05-01T10:00:00.000Z",
      originRegion: "us-east-1",
    });
    expect(replication.failureReason).toBe("cannot connect to postgres://app:[redacted]@db.example.com:5432/orders");
    const data = ledgerItems.data({ environment: "dev", dataset: "orders", runId: "r1", status: "failed", error: URL_MESSAGE, occurredAt: "2024-05-01T10:00:00.000Z", originRegion: "us-east-1" });
    expect(JSON.stringify(data)).not.toContain(SECRET);
  });

  test("events: every string of the detail is redacted", async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e1" }] });
    await publishEvents(new EventBridgeClient({ region: "us-east-1" }), [{ detailType: "Schema Migration Failed", detail: { database: "orders", error: DB_MESSAGE, nested: [{ url: URL_MESSAGE }] } }], {
      eventBusName: "central",
      sleep: async () => undefined,
    });
    const detail = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!;
    expect(detail).not.toContain(SECRET);
    expect(JSON.parse(detail)).toMatchObject({ database: "orders", nested: [{ url: "cannot connect to postgres://app:[redacted]@db.example.com:5432/orders" }] });
    eb.restore();
  });
});
