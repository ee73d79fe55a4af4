import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { EVENT_SOURCE, publishEvents, type ReplicationEvent } from "../../lambdas/shared/events";
import { assumeRoleCredentials } from "../../lambdas/shared/assume-role";
import { keyFilter } from "../../lambdas/shared/patterns";

const ebMock = mockClient(EventBridgeClient);
const stsMock = mockClient(STSClient);
const eventBridge = new EventBridgeClient({ region: "us-east-1" });
const sts = new STSClient({ region: "us-east-1" });
const noSleep = async (): Promise<void> => undefined;

beforeEach(() => {
  ebMock.reset();
  stsMock.reset();
});

const events = (n: number): ReplicationEvent[] => Array.from({ length: n }, (_, i) => ({ detailType: "Schema Migration Applied", detail: { i } }));

describe("publishEvents", () => {
  test("sends at most 10 entries per PutEvents call, with our source and the bus", async () => {
    ebMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `id-${i}` })) }));
    const results = await publishEvents(eventBridge, events(23), { eventBusName: "arn:aws:events:us-east-1:999999999999:event-bus/central", sleep: noSleep });
    const calls = ebMock.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[0].args[0].input.Entries?.[0]).toMatchObject({ Source: EVENT_SOURCE, EventBusName: "arn:aws:events:us-east-1:999999999999:event-bus/central", DetailType: "Schema Migration Applied", Detail: '{"i":0}' });
    expect(results.every((r) => r.status === "published")).toBe(true);
  });

  test("retries only the entries that failed in a partial failure", async () => {
    // GIVEN PutEvents fails the second of three entries once
    ebMock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: "a" }, { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }, { EventId: "c" }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: "b" }] });
    // WHEN publishing
    const results = await publishEvents(eventBridge, events(3), { eventBusName: "central", sleep: noSleep });
    // THEN the retry carries just the failed entry and every event ends up published
    const calls = ebMock.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input.Entries).toHaveLength(1);
    expect(calls[1].args[0].input.Entries?.[0].Detail).toBe('{"i":1}');
    expect(results).toEqual([
      { status: "published", eventId: "a" },
      { status: "published", eventId: "b" },
      { status: "published", eventId: "c" },
    ]);
  });

  test("reports an entry as failed after the last attempt and backs off between attempts", async () => {
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "boom" }] });
    const delays: number[] = [];
    const results = await publishEvents(eventBridge, events(1), { eventBusName: "central", maxAttempts: 3, baseDelayMs: 100, sleep: async (ms) => void delays.push(ms) });
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    expect(results).toEqual([{ status: "failed", errorCode: "InternalFailure", errorMessage: "boom" }]);
  });

  test("stops after a batch that keeps failing when asked to, leaving later events skipped", async () => {
    ebMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: input.Entries.length, Entries: input.Entries.map(() => ({ ErrorCode: "AccessDenied", ErrorMessage: "no" })) }));
    const results = await publishEvents(eventBridge, events(12), { eventBusName: "central", maxAttempts: 1, stopAfterFailedBatch: true, sleep: noSleep });
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(results[9].status).toBe("failed");
    expect(results[10].status).toBe("skipped");
  });
});

describe("assumeRoleCredentials", () => {
  const credentials = (expiresAt: number) => ({ Credentials: { AccessKeyId: "AKIA", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date(expiresAt) } });

  test("assumes the role with the external ID and caches the credentials until shortly before expiry", async () => {
    // GIVEN credentials valid for 15 minutes
    let now = 0;
    stsMock.on(AssumeRoleCommand).resolvesOnce(credentials(900_000)).resolvesOnce(credentials(1_800_000));
    const provider = assumeRoleCredentials(sts, { roleArn: "arn:aws:iam::222222222222:role/mirror", externalId: "ext-123", now: () => now, refreshMarginMs: 60_000 });
    // WHEN asked twice inside the validity window, then after the refresh margin
    await provider();
    now = 800_000;
    const second = await provider();
    now = 850_000;
    const third = await provider();
    // THEN STS is called once for the first two and again for the third
    const calls = stsMock.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0].args[0].input).toMatchObject({ RoleArn: "arn:aws:iam::222222222222:role/mirror", ExternalId: "ext-123", DurationSeconds: 900 });
    expect(second.expiration?.getTime()).toBe(900_000);
    expect(third.expiration?.getTime()).toBe(1_800_000);
  });

  test("concurrent callers share one AssumeRole call", async () => {
    stsMock.on(AssumeRoleCommand).resolves(credentials(Date.now() + 900_000));
    const provider = assumeRoleCredentials(sts, { roleArn: "arn:aws:iam::222222222222:role/mirror", externalId: "x" });
    await Promise.all([provider(), provider(), provider()]);
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });
});

describe("keyFilter", () => {
  test("deny wins over allow; prefixes end in a slash; * stays in one segment and ** crosses", () => {
    const filter = keyFilter(["app/**", "features/*", "endpoints/"], ["app/**/secret-*", "endpoints/internal"]);
    expect(filter("app/db/pool")).toBe(true);
    expect(filter("app/db/secret-key")).toBe(false);
    expect(filter("features/x")).toBe(true);
    expect(filter("features/x/y")).toBe(false);
    expect(filter("endpoints/a/b")).toBe(true);
    expect(filter("endpoints/internal")).toBe(false);
    expect(filter("other")).toBe(false);
  });

  test("an empty allow list allows everything not denied", () => {
    const filter = keyFilter([], ["vpc/*"]);
    expect(filter("db/pool")).toBe(true);
    expect(filter("vpc/id")).toBe(false);
  });
});
