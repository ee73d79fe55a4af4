/**
 * The rotation function's four steps against the real local PostgreSQL and MariaDB, with Secrets
 * Manager faked at the client (versions and staging labels modelled, see fake-secrets-manager.ts).
 */
import type { EngineName } from "../../engine";
import type { RotationConfig } from "../../lambdas/secret-rotation/config";
import { createTestDatabase, ENGINES, type TestDatabase } from "../engine/helpers/databases";
import { FakeSecretsManager } from "./fake-secrets-manager";
import { adminQuery, dropUsers, harness, LOCAL_ADMIN, rotationDatabase, STEP_ORDER, uniqueName, type Harness } from "./helpers";

describe.each(ENGINES)("secret rotation on %s", (engine: EngineName) => {
  let db: TestDatabase;
  let users: string[];
  let fake: FakeSecretsManager;
  let h: Harness;
  /** The throw-away "master" user that rotates itself (single user). */
  let owner: string;
  let ownerArn: string;
  /** The application user (alternating users) and the master secret that manages it. */
  let app: string;
  let appArn: string;
  let allLines: string[];

  beforeAll(() => {
    allLines = [];
  });

  beforeEach(async () => {
    db = await createTestDatabase(engine, "rot");
    owner = uniqueName("rot_owner");
    app = uniqueName("rot_app");
    users = [owner, app, `${app}_clone`];
    await db.query("CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(20))");
    await db.query("INSERT INTO items VALUES (1, 'one')");
    const initial = "Initial0Password0ForTheOwnerUser";
    if (engine === "postgres") {
      await adminQuery(engine, `CREATE ROLE "${owner}" LOGIN PASSWORD '${initial}'`);
    } else {
      await adminQuery(engine, `CREATE USER '${owner}'@'%' IDENTIFIED BY '${initial}'`);
      await adminQuery(engine, `GRANT ALL PRIVILEGES ON \`${db.name}\`.* TO '${owner}'@'%'`);
      // Like the Aurora master user: it may change accounts, its own authentication included.
      await adminQuery(engine, `GRANT CREATE USER ON *.* TO '${owner}'@'%'`);
    }
    fake = new FakeSecretsManager();
    const masterArn = fake.create("rot-master", { ...LOCAL_ADMIN[engine], engine });
    ownerArn = fake.create("rot-owner", { username: owner, password: initial, engine });
    // As Terraform writes it: the user's name and a random password no server knows yet.
    appArn = fake.create("rot-app", { username: app, password: "NeverSetOnTheServer0123456789abc" });
    const config: RotationConfig = {
      databases: { main: rotationDatabase(db, masterArn) },
      secrets: {
        "rot-owner": { strategy: "single-user", database: "main", user: owner },
        "rot-app": { strategy: "alternating-users", database: "main", user: app, grant: "read-write" },
      },
      tls: "off",
    };
    h = harness(config, fake);
  });

  afterEach(async () => {
    allLines.push(...h.captured.lines);
    await db.drop();
    await dropUsers(engine, users);
  });

  afterAll(() => {
    // Every test's log lines were collected: none may hold any password any version ever had.
    expect(allLines.length).toBeGreaterThan(0);
  });

  const login = (credentials: { username: string; password: string }) => h.deps.access.login(h.deps.config.databases.main!, credentials);
  const privilegesOf = async (user: string): Promise<string[]> => {
    if (engine === "postgres") {
      const rows = await adminQuery(engine, "SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = $1 AND table_name = 'items' ORDER BY 1", [user], db.name);
      return rows.map((r) => String(r.privilege_type));
    }
    const exists = await adminQuery(engine, "SELECT 1 FROM mysql.user WHERE user = ? AND host = '%'", [user]);
    if (exists.length === 0) return [];
    const rows = await adminQuery(engine, `SHOW GRANTS FOR '${user}'@'%'`);
    return rows.map((r) => String(Object.values(r)[0]).replace(/IDENTIFIED BY PASSWORD '[^']*'/, "").replaceAll(user, "<user>").trim()).sort();
  };

  test("single user: after a rotation the new password works and the old one does not", async () => {
    // GIVEN the owner's secret with the password the server knows
    const before = fake.at(ownerArn, "AWSCURRENT")!;
    expect(await login(before.value)).toBe("accepted");
    // WHEN the secret rotates
    const token = await h.rotate(ownerArn);
    // THEN AWSCURRENT is the new version, its password logs in, the old one no longer does
    const after = fake.at(ownerArn, "AWSCURRENT")!;
    expect(after.id).toBe(token);
    expect(after.value.username).toBe(owner);
    expect(after.value.password).not.toBe(before.value.password);
    expect(await login(after.value)).toBe("accepted");
    expect(await login(before.value)).toBe("refused");
    // AND the old version is AWSPREVIOUS, no version is left AWSPENDING
    expect(fake.at(ownerArn, "AWSPREVIOUS")!.id).toBe(before.id);
    expect(fake.at(ownerArn, "AWSPENDING")).toBeUndefined();
  });

  test("alternating users: the first rotation creates the clone, the next alternates back with the same grants", async () => {
    // WHEN the application secret rotates for the first time
    await h.rotate(appArn);
    // THEN the clone exists with the new password and the read-write grants
    const first = fake.at(appArn, "AWSCURRENT")!.value;
    expect(first.username).toBe(`${app}_clone`);
    expect(await login(first)).toBe("accepted");
    const cloneGrants = await privilegesOf(`${app}_clone`);
    expect(cloneGrants.length).toBeGreaterThan(0);
    // WHEN it rotates again THEN the user itself is created with the same grants
    await h.rotate(appArn);
    const second = fake.at(appArn, "AWSCURRENT")!.value;
    expect(second.username).toBe(app);
    expect(await login(second)).toBe("accepted");
    expect(await privilegesOf(app)).toEqual(cloneGrants);
    // AND the previous credentials (the clone's) keep working until the clone is rotated again
    expect(await login(first)).toBe("accepted");
    await h.rotate(appArn);
    const third = fake.at(appArn, "AWSCURRENT")!.value;
    expect(third.username).toBe(`${app}_clone`);
    expect(await login(third)).toBe("accepted");
    expect(await login(first)).toBe("refused");
    expect(await login(second)).toBe("accepted");
    expect(await privilegesOf(`${app}_clone`)).toEqual(cloneGrants);
  });

  test("alternating users: the level's grants are exactly what the user can do", async () => {
    await h.rotate(appArn);
    const { username, password } = fake.at(appArn, "AWSCURRENT")!.value;
    const asUser = (sql: string) => h.deps.access.withSession(h.deps.config.databases.main!, { username, password }, (s) => s.query(sql));
    // read-write: reads and writes rows
    expect(await asUser("SELECT label FROM items WHERE id = 1")).toEqual([{ label: "one" }]);
    await asUser("INSERT INTO items VALUES (2, 'two')");
    await asUser("UPDATE items SET label = 'uno' WHERE id = 1");
    await asUser("DELETE FROM items WHERE id = 2");
    // but changes no schema
    await expect(asUser("CREATE TABLE other (id INT)")).rejects.toThrow(/denied/i);
    await expect(asUser("DROP TABLE items")).rejects.toThrow(/denied|must be owner/i);
  });

  test("alternating users: owner may also change the schema, read-only may only read", async () => {
    const levels = { owner: uniqueName("rot_own"), "read-only": uniqueName("rot_ro") } as const;
    users.push(...Object.values(levels).flatMap((u) => [u, `${u}_clone`]));
    const secrets: Record<string, { strategy: "alternating-users"; database: string; user: string; grant: "owner" | "read-only" }> = {};
    const arns: Record<string, string> = {};
    for (const [grant, user] of Object.entries(levels)) {
      arns[grant] = fake.create(`rot-${grant}`, { username: user, password: "NeverSetOnTheServer0123456789abc" });
      secrets[`rot-${grant}`] = { strategy: "alternating-users", database: "main", user, grant: grant as "owner" | "read-only" };
    }
    const levelled = harness({ ...h.deps.config, secrets }, fake);
    const as = async (grant: string, sql: string) => {
      const credentials = fake.at(arns[grant]!, "AWSCURRENT")!.value;
      return h.deps.access.withSession(h.deps.config.databases.main!, credentials, (session) => session.query(sql));
    };
    for (const arn of Object.values(arns)) await levelled.rotate(arn);
    await as("owner", "CREATE TABLE owned (id INT)");
    await as("owner", "INSERT INTO items VALUES (5, 'five')");
    await as("owner", "DROP TABLE owned");
    expect(await as("read-only", "SELECT label FROM items WHERE id = 5")).toEqual([{ label: "five" }]);
    await expect(as("read-only", "UPDATE items SET label = 'x'")).rejects.toThrow(/denied/i);
    await expect(as("read-only", "CREATE TABLE other (id INT)")).rejects.toThrow(/denied/i);
    allLines.push(...levelled.captured.lines);
  });

  test("alternating users: a lowered grant level takes effect when each user is next rotated", async () => {
    // GIVEN both users created read-write
    await h.rotate(appArn);
    await h.rotate(appArn);
    // WHEN the configuration lowers the level to read-only and both rotate again
    const config = { ...h.deps.config, secrets: { ...h.deps.config.secrets, "rot-app": { strategy: "alternating-users" as const, database: "main", user: app, grant: "read-only" as const } } };
    const lowered = harness(config, fake);
    await lowered.rotate(appArn);
    await lowered.rotate(appArn);
    // THEN each can read but no longer write
    for (const stage of ["AWSCURRENT", "AWSPREVIOUS"]) {
      const credentials = fake.at(appArn, stage)!.value;
      const asUser = (sql: string) => h.deps.access.withSession(h.deps.config.databases.main!, credentials, (session) => session.query(sql));
      expect(await asUser("SELECT count(*) AS n FROM items")).toHaveLength(1);
      await expect(asUser("INSERT INTO items VALUES (3, 'three')")).rejects.toThrow(/denied/i);
    }
    expect(await privilegesOf(app)).toEqual(await privilegesOf(`${app}_clone`));
    allLines.push(...lowered.captured.lines);
  });

  test("repeating any step changes nothing", async () => {
    for (const arn of [ownerArn, appArn]) {
      const token = fake.startRotation(arn);
      for (const step of STEP_ORDER) {
        await h.step(arn, token, step);
        const state = fake.snapshot(arn);
        const privileges = await privilegesOf(arn === appArn ? `${app}_clone` : owner);
        // WHEN the same step runs again THEN it reports its work as done and the secret and grants are unchanged
        expect(await h.step(arn, token, step)).toMatch(step === "testSecret" ? /^done$/ : /^(already-done|already-current)$/);
        expect(fake.snapshot(arn)).toEqual(state);
        expect(await privilegesOf(arn === appArn ? `${app}_clone` : owner)).toEqual(privileges);
      }
      const current = fake.at(arn, "AWSCURRENT")!;
      expect(current.id).toBe(token);
      expect(await login(current.value)).toBe("accepted");
    }
  });

  test("a failed testSecret leaves AWSCURRENT untouched", async () => {
    for (const arn of [ownerArn, appArn]) {
      const before = fake.at(arn, "AWSCURRENT")!;
      const token = fake.startRotation(arn);
      await h.step(arn, token, "createSecret");
      // GIVEN a pending password that never reached the server (setSecret did not run)
      // WHEN testSecret runs THEN it fails, and the current version and its password stay
      await expect(h.step(arn, token, "testSecret")).rejects.toThrow(/do not log in.*AWSCURRENT stays where it is/);
      expect(fake.at(arn, "AWSCURRENT")).toEqual(before);
      expect(fake.at(arn, "AWSPENDING")!.id).toBe(token);
    }
    expect(await login(fake.at(ownerArn, "AWSCURRENT")!.value)).toBe("accepted");
    // AND the next rotation still succeeds from there
    await h.rotate(ownerArn);
    expect(await login(fake.at(ownerArn, "AWSCURRENT")!.value)).toBe("accepted");
  });

  test("two concurrent runs of the same step end in one consistent state", async () => {
    for (const arn of [appArn, ownerArn]) {
      const before = fake.at(arn, "AWSCURRENT")!;
      const token = fake.startRotation(arn);
      for (const step of STEP_ORDER) {
        const outcomes = await Promise.all([h.step(arn, token, step), h.step(arn, token, step)]);
        if (step === "createSecret" || step === "finishSecret") expect(outcomes.sort()).toEqual(["already-done", "done"]);
      }
      fake.endRotation(arn, token);
      // THEN one new version is AWSCURRENT, the old one AWSPREVIOUS, and the server takes the new password
      expect(fake.snapshot(arn).map((v) => v.stages)).toEqual([["AWSPREVIOUS"], ["AWSCURRENT"]]);
      expect(fake.at(arn, "AWSPREVIOUS")!.id).toBe(before.id);
      expect(await login(fake.at(arn, "AWSCURRENT")!.value)).toBe("accepted");
    }
    const count = engine === "postgres"
      ? await adminQuery(engine, "SELECT count(*) AS n FROM pg_roles WHERE rolname = $1", [`${app}_clone`])
      : await adminQuery(engine, "SELECT count(*) AS n FROM mysql.user WHERE user = ?", [`${app}_clone`]);
    expect(Number(count[0]!.n)).toBe(1);
  });

  test("no credential is ever logged or thrown", async () => {
    await h.rotate(ownerArn);
    await h.rotate(appArn);
    await h.rotate(appArn);
    const token = fake.startRotation(ownerArn);
    await h.step(ownerArn, token, "createSecret");
    const failure = await h.step(ownerArn, token, "testSecret").catch((error: Error) => error);
    const passwords = fake.passwords();
    expect(passwords.length).toBeGreaterThanOrEqual(6);
    const text = [...h.captured.lines, String(failure), ...allLines].join("\n");
    for (const password of passwords) expect(text).not.toContain(password);
    // (the lines do say what happened, and to which secret)
    const moved = h.captured.lines.map((line) => JSON.parse(line)).filter((line) => line.message === "AWSCURRENT moved to the new version" && line.arn === appArn).at(-1);
    expect(moved).toMatchObject({ step: "finishSecret", versionId: fake.at(appArn, "AWSCURRENT")!.id });
  });
});
