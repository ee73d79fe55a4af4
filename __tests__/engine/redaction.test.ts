import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EngineError, memorySource, migrate } from "../../engine";
import { messageOf } from "../../engine/errors";
import { redactSecrets, rememberSecret, rememberSecretsIn } from "../../engine/redact";
import { createTestDatabase, type TestDatabase } from "./helpers/databases";

const ROOT = resolve(__dirname, "../..");
const SECRET = "hunter2-Secret";

describe("redactSecrets", () => {
  test.each([
    ["MySQL IDENTIFIED BY", `CREATE USER app IDENTIFIED BY '${SECRET}'`],
    ["MySQL IDENTIFIED WITH plugin BY", `CREATE USER app IDENTIFIED WITH caching_sha2_password BY '${SECRET}'`],
    ["MariaDB IDENTIFIED VIA … USING PASSWORD()", `ALTER USER app IDENTIFIED VIA mysql_native_password USING PASSWORD('${SECRET}')`],
    ["SET PASSWORD FOR … = PASSWORD()", `SET PASSWORD FOR 'app'@'%' = PASSWORD('${SECRET}')`],
    ["SET PASSWORD = '…'", `SET PASSWORD = '${SECRET}'`],
    ["PostgreSQL CREATE USER … PASSWORD", `CREATE USER app WITH LOGIN PASSWORD '${SECRET}' VALID UNTIL 'infinity'`],
    ["PostgreSQL ENCRYPTED PASSWORD, dollar quotes", `ALTER ROLE app ENCRYPTED PASSWORD $pw$${SECRET}$pw$`],
    ["MySQL's echo of a statement cut short", `You have an error in your SQL syntax; check the manual near 'IDENTIFIED BY '${SECRET}`],
    ["URL credentials", `cannot connect to postgres://app:${SECRET}@db.example.com:5432/orders`],
    ["URL password parameter", `mysql://db.example.com/orders?user=app&password=${SECRET}`],
  ])("hides the password: %s", (_name, text) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(SECRET);
    expect(redacted).toContain("[redacted]");
  });

  test("leaves the rest of the text, and texts without secrets, as they are", () => {
    expect(redactSecrets(`CREATE USER app IDENTIFIED BY '${SECRET}'`)).toBe("CREATE USER app IDENTIFIED BY '[redacted]'");
    expect(redactSecrets("postgres://app:x@db:5432/orders")).toBe("postgres://app:[redacted]@db:5432/orders");
    const plain = 'users.csv line 3 (row 2), column "password": value too long for type character varying(5)';
    expect(redactSecrets(plain)).toBe(plain);
  });

  test("a password seen in a migration file or a connection is hidden wherever it appears later", () => {
    rememberSecretsIn("CREATE USER app IDENTIFIED BY 'Remembered-1';\nALTER ROLE r PASSWORD 'it''s-Remembered-2';");
    expect(redactSecrets("near ''Remembered-1'' at line 1")).toBe("near ''[redacted]'' at line 1");
    expect(redactSecrets("near 'it''s-Remembered-2'")).toBe("near '[redacted]'");
    rememberSecret("conn-Remembered-3");
    expect(redactSecrets("Access denied (conn-Remembered-3)")).toBe("Access denied ([redacted])");
  });

  test("engine errors and messageOf redact what they carry", () => {
    expect(new EngineError("CONNECTION", `cannot connect to mysql://root:${SECRET}@db/x`).message).not.toContain(SECRET);
    expect(messageOf(new Error(`near 'IDENTIFIED BY '${SECRET}'' at line 1`))).not.toContain(SECRET);
  });
});

describe("a failing statement with a password, on MySQL", () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  beforeEach(async () => {
    db = await createTestDatabase("mysql");
  });
  afterEach(async () => {
    await db.drop();
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  // The user name is missing, so MariaDB quotes the rest of the statement, from "BY", in its message.
  const failing = { "V1__users.sql": `CREATE USER IDENTIFIED BY '${SECRET}';` };

  test("is redacted in the thrown error and in the history table's error column", async () => {
    // WHEN
    const error = await migrate({ engine: "mysql", connection: db.url, source: memorySource(failing), appliedBy: "t" }).catch((e: unknown) => e);
    // THEN the database's message is kept, without the password
    expect(error).toBeInstanceOf(EngineError);
    expect((error as Error).message).toMatch(/V1__users.sql \(statement 1, line 1\): You have an error in your SQL syntax.* near 'BY '\[redacted\]/);
    expect((error as Error).message).not.toContain(SECRET);
    const rows = await db.query("SELECT error FROM schema_migration_history");
    expect(rows).toHaveLength(1);
    expect(String(rows[0]!.error)).toMatch(/\[redacted\]/);
    expect(String(rows[0]!.error)).not.toContain(SECRET);
  });

  test("is redacted in the command's output", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eng-redact-"));
    dirs.push(dir);
    await writeFile(join(dir, "V1__users.sql"), failing["V1__users.sql"]);
    const { code, output } = await new Promise<{ code: number | null; output: string }>((done, fail) => {
      const child = spawn(process.execPath, ["bin/engine.cjs", "migrate", "--url", db.url, "--dir", dir], { cwd: ROOT, env: process.env });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      child.on("error", fail);
      child.on("close", (c) => done({ code: c, output }));
    });
    expect(code).toBe(1);
    expect(output).toMatch(/near 'BY '\[redacted\]/);
    expect(output).not.toContain(SECRET);
  });
});
