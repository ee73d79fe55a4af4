/**
 * The rotation function's checks before any step, its configuration, and the password verifiers it
 * sends instead of passwords (checked against what the real servers compute).
 */
import { parseRotationTargets, readRotationConfig, type RotationConfig } from "../../lambdas/secret-rotation/config";
import { DriverDatabaseAccess, type DatabaseAccess } from "../../lambdas/secret-rotation/database-access";
import { generatePassword } from "../../lambdas/secret-rotation/password";
import { mysqlNativePasswordHash, scramSha256Verifier, scramVerifierMatches } from "../../lambdas/secret-rotation/verifiers";
import { createTestDatabase } from "../engine/helpers/databases";
import { FakeSecretsManager } from "./fake-secrets-manager";
import { adminQuery, dropUsers, harness, rotationDatabase, uniqueName } from "./helpers";

/** Database access that must not be reached: the checks come first. */
const unreachable: DatabaseAccess = {
  login: () => Promise.reject(new Error("the database was reached")),
  withSession: () => Promise.reject(new Error("the database was reached")),
};

function setUp() {
  const fake = new FakeSecretsManager();
  const masterArn = fake.create("db-master", { username: "dbadmin", password: "MasterPassword0123456789abcdefgh" });
  const appArn = fake.create("db-user-app", { username: "app", password: "AppPassword0123456789abcdefghijk", engine: "postgres", host: "db.example.internal" });
  const config: RotationConfig = {
    databases: { main: { engine: "postgres", host: "db.example.internal", port: 5432, database: "main", masterSecretArn: masterArn } },
    secrets: { "db-master": { strategy: "single-user", database: "main", user: "dbadmin" }, "db-user-app": { strategy: "alternating-users", database: "main", user: "app", grant: "read-only" } },
    tls: "verify",
  };
  return { fake, masterArn, appArn, h: harness(config, fake, unreachable) };
}

describe("checks before a step", () => {
  test("a secret without rotation enabled is refused", async () => {
    const { fake, appArn, h } = setUp();
    fake.setRotationEnabled(appArn, false);
    const token = fake.startRotation(appArn);
    await expect(h.step(appArn, token, "createSecret")).rejects.toThrow("secret db-user-app does not have rotation enabled");
  });

  test("a token that is no version of the secret is refused", async () => {
    const { appArn, h } = setUp();
    await expect(h.step(appArn, "not-a-version", "createSecret")).rejects.toThrow("version not-a-version has no stage for rotation of secret db-user-app");
  });

  test("a version that is neither AWSCURRENT nor AWSPENDING is refused", async () => {
    const { fake, appArn, h } = setUp();
    const first = fake.at(appArn, "AWSCURRENT")!.id;
    // GIVEN a finished rotation (the first version is now AWSPREVIOUS)
    const token = fake.startRotation(appArn);
    await h.deps.versions.putPending(appArn, token, { username: "app_clone", password: "Pending0123456789abcdefghijklmno" });
    await h.deps.versions.promote(appArn, token, first);
    fake.endRotation(appArn, token);
    await expect(h.step(appArn, first, "setSecret")).rejects.toThrow(`version ${first} of secret db-user-app is not AWSPENDING`);
  });

  test("a version that is already AWSCURRENT is left alone", async () => {
    const { fake, appArn, h } = setUp();
    const before = fake.snapshot(appArn);
    expect(await h.step(appArn, fake.at(appArn, "AWSCURRENT")!.id, "createSecret")).toBe("already-current");
    expect(fake.snapshot(appArn)).toEqual(before);
  });

  test("a secret the function was not configured for is refused, even with rotation enabled", async () => {
    const { fake, h } = setUp();
    const other = fake.create("someone-elses-secret", { username: "x", password: "OtherPassword0123456789abcdefghi" });
    await expect(h.step(other, fake.startRotation(other), "createSecret")).rejects.toThrow("secret someone-elses-secret is not one this function rotates");
  });

  test("an unknown step or a malformed event is refused", async () => {
    const { fake, appArn, h } = setUp();
    await expect(h.step(appArn, fake.startRotation(appArn), "dropSecret")).rejects.toThrow(/not a rotation event/);
  });

  test("createSecret names the alternate user and keeps the secret's other fields", async () => {
    const { fake, appArn, h } = setUp();
    const token = fake.startRotation(appArn);
    expect(await h.step(appArn, token, "createSecret")).toBe("done");
    const pending = fake.at(appArn, "AWSPENDING")!;
    expect(pending.id).toBe(token);
    expect(pending.value.username).toBe("app_clone");
    expect(pending.value.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(pending.value).toMatchObject({ engine: "postgres", host: "db.example.internal" });
    // the current version is untouched
    expect(fake.at(appArn, "AWSCURRENT")!.value.username).toBe("app");
  });

  test("a current version naming a user the configuration does not is refused", async () => {
    const { fake, h } = setUp();
    const arn = fake.create("db-user-app", { username: "intruder", password: "Intruder0123456789abcdefghijklmn" });
    await expect(h.step(arn, fake.startRotation(arn), "createSecret")).rejects.toThrow("the current version names user intruder, neither app nor app_clone");
  });
});

describe("PostgreSQL password checks", () => {
  test("a server that admits a user without asking for the password proves nothing: testSecret fails", async () => {
    // GIVEN the local server, whose trust rule lets any password in, and the real drivers
    const db = await createTestDatabase("postgres", "rot");
    const user = uniqueName("rot_trust");
    try {
      await adminQuery("postgres", `CREATE ROLE "${user}" LOGIN PASSWORD 'Known0Password0123456789abcdefgh'`);
      const fake = new FakeSecretsManager();
      const arn = fake.create("trust-owner", { username: user, password: "Known0Password0123456789abcdefgh" });
      const config: RotationConfig = { databases: { main: rotationDatabase(db, arn) }, secrets: { "trust-owner": { strategy: "single-user", database: "main", user } }, tls: "off" };
      const h = harness(config, fake, new DriverDatabaseAccess("off"));
      const before = fake.at(arn, "AWSCURRENT");
      // WHEN a rotation runs THEN testSecret refuses to call the unproven password good
      await expect(h.rotate(arn)).rejects.toThrow(/without checking the password, so the pending password is unproven/);
      expect(fake.at(arn, "AWSCURRENT")).toEqual(before);
      // (a wrong password is "unchecked" there too, never "accepted")
      expect(await h.deps.access.login(config.databases.main!, { username: user, password: "wrong" })).toBe("unchecked");
    } finally {
      await db.drop();
      await dropUsers("postgres", [user]);
    }
  });
});

describe("verifiers instead of passwords", () => {
  test("the SCRAM-SHA-256 verifier matches the one PostgreSQL computes for the same password", async () => {
    const user = uniqueName("rot_scram");
    const password = generatePassword();
    try {
      await adminQuery("postgres", `CREATE ROLE "${user}" PASSWORD '${password}'`);
      const [row] = await adminQuery("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = $1", [user]);
      const stored = String(row!.rolpassword);
      expect(scramVerifierMatches(stored, password)).toBe(true);
      expect(scramVerifierMatches(stored, generatePassword())).toBe(false);
      // and one of ours, set through ALTER ROLE, is what the server stores
      const ours = scramSha256Verifier(password);
      await adminQuery("postgres", `ALTER ROLE "${user}" PASSWORD '${ours}'`);
      const [after] = await adminQuery("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = $1", [user]);
      expect(after!.rolpassword).toBe(ours);
    } finally {
      await dropUsers("postgres", [user]);
    }
  });

  test("the mysql_native_password hash is the server's PASSWORD()", async () => {
    const password = generatePassword();
    const [row] = await adminQuery("mysql", "SELECT PASSWORD(?) AS hash", [password]);
    expect(mysqlNativePasswordHash(password)).toBe(row!.hash);
  });

  test("generated passwords are 32 letters and digits, all different", () => {
    const passwords = Array.from({ length: 200 }, () => generatePassword());
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(passwords).size).toBe(200);
  });
});

describe("configuration", () => {
  const targets = {
    databases: { ledger: { engine: "postgres", host: "h", port: 5432, database: "ledger", masterSecretArn: "arn:m" } },
    secrets: { "x-ledger-master": { strategy: "single-user", database: "ledger", user: "dbadmin" }, "x-ledger-user-app": { strategy: "alternating-users", database: "ledger", user: "app", grant: "owner" } },
  };

  test("reads ROTATION_TARGETS, with TLS verified by default", () => {
    const config = readRotationConfig({ ROTATION_TARGETS: JSON.stringify(targets) });
    expect(config.tls).toBe("verify");
    expect(config.secrets["x-ledger-user-app"]).toEqual({ strategy: "alternating-users", database: "ledger", user: "app", grant: "owner" });
  });

  test("names the entry that is wrong", () => {
    const bad = structuredClone(targets) as any;
    bad.secrets["x-ledger-user-app"].grant = "admin";
    expect(() => parseRotationTargets(JSON.stringify(bad))).toThrow("secrets.x-ledger-user-app must be single-user, or alternating-users with a grant of read-only, read-write, owner");
    bad.secrets["x-ledger-user-app"] = { strategy: "single-user", database: "other", user: "a" };
    expect(() => parseRotationTargets(JSON.stringify(bad))).toThrow("secrets.x-ledger-user-app.database must name one of the databases");
    expect(() => readRotationConfig({})).toThrow("Missing required environment variable(s): ROTATION_TARGETS");
  });
});
