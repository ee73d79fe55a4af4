import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { connectionFor, readDatabaseSyncConfig } from "../../lambdas/shared/database-sync-config";
import { DatabaseSecrets, SECRET_CACHE_MS } from "../../lambdas/shared/db-secret";
import { lambdaContext, loadHandler } from "../lambdas/helpers";
import { systemClock } from "../../lambdas/shared/clock";

const DATABASES = JSON.stringify([{ name: "ledger", engine: "postgres", host: "db.example", port: 5432, database: "ledger", secretArn: "arn:secret" }]);
const ENV = {
  ENVIRONMENT: "staging",
  AWS_REGION: "us-east-1",
  ARTIFACTS_BUCKET: "bucket",
  LEDGER_TABLE_NAME: "ledger",
  METRICS_NAMESPACE: "Test",
  DATABASES,
  MIGRATIONS_PREFIX: "promote/staging/migrations/",
  PROMOTION_BUCKET: "bucket",
  PROMOTION_PREFIX: "promote/prod/migrations/",
};

describe("database sync configuration", () => {
  test("reads the prefixes, the promotion target and TLS verification by default", () => {
    const config = readDatabaseSyncConfig("schema", ENV);
    expect(config.location).toEqual({ bucket: "bucket", prefix: "promote/staging/migrations/", promotion: { bucket: "bucket", prefix: "promote/prod/migrations/" } });
    expect(config.tls).toBe("verify");
    expect(config.databases).toEqual([{ name: "ledger", engine: "postgres", host: "db.example", port: 5432, database: "ledger", secretArn: "arn:secret", allowOutOfOrder: false }]);
  });

  test("a database's allowOutOfOrder is read from DATABASES and must be a boolean", () => {
    const entry = { name: "ledger", engine: "postgres", host: "db.example", port: 5432, database: "ledger", secretArn: "arn:secret" };
    const withFlag = (value: unknown) => ({ ...ENV, DATABASES: JSON.stringify([{ ...entry, allowOutOfOrder: value }]) });
    expect(readDatabaseSyncConfig("schema", withFlag(true)).databases[0]!.allowOutOfOrder).toBe(true);
    expect(() => readDatabaseSyncConfig("schema", withFlag("yes"))).toThrow(/DATABASES.*entry 1: allowOutOfOrder must be true or false/);
  });

  test("the last environment has no promotion; the two promotion variables go together", () => {
    const { PROMOTION_BUCKET: _b, PROMOTION_PREFIX: _p, ...last } = ENV;
    expect(readDatabaseSyncConfig("schema", last).location.promotion).toBeUndefined();
    expect(() => readDatabaseSyncConfig("schema", { ...last, PROMOTION_PREFIX: "x/" })).toThrow(/set PROMOTION_BUCKET and PROMOTION_PREFIX together/);
  });

  test("a promotion prefix inside the read prefix is refused (the copies would re-trigger the function)", () => {
    expect(() => readDatabaseSyncConfig("schema", { ...ENV, PROMOTION_PREFIX: "promote/staging/migrations/next/" })).toThrow(/overlaps MIGRATIONS_PREFIX/);
  });

  test("data sync reads DATA_PREFIX; missing variables are named together", () => {
    expect(() => readDatabaseSyncConfig("data", ENV)).toThrow(/DATA_PREFIX/);
    expect(() => readDatabaseSyncConfig("schema", { ...ENV, DATABASES: JSON.stringify([{ name: "a", engine: "oracle" }]) })).toThrow(/DATABASES/);
  });

  test("connections verify the server certificate unless DB_TLS=off, with credentials from the secret", async () => {
    const client = new SecretsManagerClient({ region: "us-east-1" });
    const mock = mockClient(client);
    mock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: "admin", password: "pw" }) });
    const secrets = new DatabaseSecrets(client);
    const target = readDatabaseSyncConfig("schema", ENV).databases[0]!;
    expect(await connectionFor(target, secrets, "verify")).toEqual({ host: "db.example", port: 5432, database: "ledger", user: "admin", password: "pw", ssl: { rejectUnauthorized: true } });
    expect((await connectionFor(target, secrets, "off")).ssl).toBeUndefined();
    // Cached: one call for two connections.
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test("a rotated password is picked up once the cache expires, and not before; a failed fetch is not cached", async () => {
    // GIVEN a secret read once, then rotated
    const client = new SecretsManagerClient({ region: "us-east-1" });
    const mock = mockClient(client);
    // What Secrets Manager answers, call by call.
    const answers: Array<string | Error> = [JSON.stringify({ username: "admin", password: "old" })];
    mock.on(GetSecretValueCommand).callsFake(() => {
      const answer = answers.shift() ?? JSON.stringify({ username: "admin", password: "new" });
      if (answer instanceof Error) throw answer;
      return { SecretString: answer };
    });
    let clock = 1_000_000;
    const secrets = new DatabaseSecrets(client, () => clock);
    expect((await secrets.get("arn:secret")).password).toBe("old");
    answers.push(new Error("ThrottlingException"));
    // WHEN read again just inside the cache time, THEN the cached value is reused without a call
    clock += SECRET_CACHE_MS - 1;
    expect((await secrets.get("arn:secret")).password).toBe("old");
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    // WHEN read after the cache time, THEN it is fetched again; a failure is not kept, the next read fetches the new password
    clock += 2;
    await expect(secrets.get("arn:secret")).rejects.toThrow(/ThrottlingException/);
    expect((await secrets.get("arn:secret")).password).toBe("new");
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  test("a secret that is not {username, password} JSON fails without echoing its value", async () => {
    const client = new SecretsManagerClient({ region: "us-east-1" });
    mockClient(client).on(GetSecretValueCommand).resolves({ SecretString: "hunter2" });
    const error = await new DatabaseSecrets(client).get("arn:secret").catch((e: Error) => e);
    expect((error as Error).message).toMatch(/is not JSON/);
    expect((error as Error).message).not.toContain("hunter2");
  });

  test("the bundled entry points load from the environment and ignore foreign events, saying why in the log", async () => {
    for (const [handler, env] of [
      ["schema-sync", ENV],
      ["data-sync", { ...ENV, DATA_PREFIX: "promote/staging/reference-data/", PROMOTION_PREFIX: "promote/prod/reference-data/" }],
    ] as const) {
      const mod = loadHandler<{ handler: (event: unknown, context: unknown) => Promise<unknown> }>(`../../lambdas/${handler}/index`, env);
      const event = { source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: "other-bucket" }, object: { key: "x" } } };
      // The entry point logs to stdout (CloudWatch Logs); the lines are captured here instead of printed.
      const lines: string[] = [];
      const log = jest.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
      try {
        await expect(mod.handler(event, lambdaContext(systemClock, 1000))).resolves.toMatchObject({ status: "ignored" });
      } finally {
        log.mockRestore();
      }
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ level: "info", message: "event ignored", handler, reason: "bucket other-bucket is not bucket", key: "x" }),
      ]);
    }
  });
});
