import { baseline, checksumOf, info, legacyChecksumOf, memorySource, migrate, repair, validate, type EngineName } from "../../engine";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

const HISTORY = "schema_migration_history";

describe.each(ENGINES)("Flyway-style commands on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
  });
  afterEach(async () => {
    await db.drop();
  });
  const settings = (files: Record<string, string>) => ({ engine, connection: db.url, source: memorySource(files) });
  const base = { "V1__a.sql": "CREATE TABLE a (id int);", "V2__b.sql": "CREATE TABLE b (id int);" };

  describe("validate", () => {
    test("passes when every applied file is unchanged, even with files pending", async () => {
      await migrate(settings(base));
      expect(await validate(settings({ ...base, "V3__c.sql": "CREATE TABLE c (id int);" }))).toEqual([]);
    });

    test("names a changed and a missing applied file", async () => {
      await migrate(settings(base));
      const problems = await validate(settings({ "V1__a.sql": "CREATE TABLE a (id bigint);" }));
      expect(problems.map((p) => [p.script, p.problem])).toEqual([
        ["V1__a.sql", "changed"],
        ["V2__b.sql", "missing"],
      ]);
      expect(problems[0]!.message).toMatch(/^V1__a.sql \(version 1\) changed after being applied/);
    });

    test("names a failed entry until it is repaired", async () => {
      const broken = { ...base, "V3__bad.sql": engine === "postgres" ? "-- migrate:no-transaction\nINSERT INTO nope VALUES (1);" : "INSERT INTO nope VALUES (1);" };
      await expect(migrate(settings(broken))).rejects.toThrow(/V3__bad.sql/);
      expect((await validate(settings(broken))).map((p) => [p.script, p.problem])).toEqual([["V3__bad.sql", "failed"]]);
      await repair(settings(broken));
      expect(await validate(settings(broken))).toEqual([]);
    });
  });

  describe("baseline", () => {
    test("records the files up to the version without running them; later files run", async () => {
      // GIVEN a database that already has the schema of V1 and V2 (made before the engine was used)
      await db.query("CREATE TABLE a (id int)");
      await db.query("CREATE TABLE b (id int)");
      const files = { ...base, "V3__c.sql": "CREATE TABLE c (id int);" };
      // WHEN it is baselined at 2
      const result = await baseline({ ...settings(files), version: "2", appliedBy: "ops" });
      // THEN V1 and V2 are recorded (not run: running them would fail, the tables exist) and V3 runs
      expect(result.recorded.map((m) => m.script)).toEqual(["V1__a.sql", "V2__b.sql"]);
      expect((await migrate(settings(files))).applied.map((m) => m.script)).toEqual(["V3__c.sql"]);
      expect(await db.query(`SELECT version, applied_by FROM ${HISTORY} ORDER BY version`)).toEqual([
        { version: "1", applied_by: "ops (baseline)" },
        { version: "2", applied_by: "ops (baseline)" },
        { version: "3", applied_by: expect.any(String) },
      ]);
    });

    test("is refused on a database that already has a history", async () => {
      await migrate(settings(base));
      await expect(baseline({ ...settings(base), version: "2" })).rejects.toThrow(/already records 2 migration\(s\); baseline only adopts a database that has no migration history/);
    });
  });

  describe("repeatable migrations", () => {
    const view = (n: number) => `CREATE OR REPLACE VIEW v_a AS SELECT id, ${n} AS n FROM a;`;

    test("run after the versioned files, in name order, and again only when their content changes", async () => {
      const files = { ...base, "R__z_view.sql": view(1), "R__b_view.sql": "CREATE OR REPLACE VIEW v_b AS SELECT id FROM b;" };
      const first = await migrate(settings(files));
      expect(first.applied.map((m) => m.script)).toEqual(["V1__a.sql", "V2__b.sql", "R__b_view.sql", "R__z_view.sql"]);
      expect(first.currentVersion).toBe("2");
      expect((await migrate(settings(files))).applied).toEqual([]);

      const changed = await migrate(settings({ ...files, "R__z_view.sql": view(2), "V3__c.sql": "CREATE TABLE c (id int);" }));
      expect(changed.applied.map((m) => m.script)).toEqual(["V3__c.sql", "R__z_view.sql"]);
      expect(changed.currentVersion).toBe("3");
      await db.query("INSERT INTO a VALUES (7)");
      expect(await db.query("SELECT id, n FROM v_a")).toEqual([{ id: 7, n: 2 }]);
      expect(await db.query(`SELECT count(*) AS n FROM ${HISTORY} WHERE version = 'R__z_view'`)).toEqual([{ n: engine === "postgres" ? "1" : 1 }]);
    });

    test("info shows a changed repeatable file as outdated; validate does not fail on it", async () => {
      await migrate(settings({ ...base, "R__view.sql": view(1) }));
      const rows = await info(settings({ ...base, "R__view.sql": view(2) }));
      expect(rows.map((r) => [r.script, r.state])).toEqual([
        ["V1__a.sql", "applied"],
        ["V2__b.sql", "applied"],
        ["R__view.sql", "outdated"],
      ]);
      expect(await validate(settings({ ...base, "R__view.sql": view(2) }))).toEqual([]);
    });
  });

  describe("checksums", () => {
    test("ignore line endings and a UTF-8 BOM", async () => {
      const unix = { "V1__a.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n" };
      await migrate(settings(unix));
      const windows = { "V1__a.sql": "\uFEFFCREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n" };
      expect(await validate(settings(windows))).toEqual([]);
      expect((await migrate(settings(windows))).applied).toEqual([]);
    });

    test("a row written by the previous engine (checksum of the raw bytes) still matches and is upgraded", async () => {
      // GIVEN a database migrated from a Windows checkout by the previous engine version
      const windows = { "V1__a.sql": "CREATE TABLE a (id int);\r\n" };
      await migrate(settings(windows));
      await db.query(`UPDATE ${HISTORY} SET checksum = '${legacyChecksumOf(windows["V1__a.sql"])}'`);
      expect(await validate(settings(windows))).toEqual([]);
      // WHEN this engine runs on that checkout
      expect((await migrate(settings(windows))).applied).toEqual([]);
      // THEN the row holds the new checksum, so a Unix checkout matches as well
      expect(await db.query(`SELECT checksum FROM ${HISTORY}`)).toEqual([{ checksum: checksumOf("CREATE TABLE a (id int);\n") }]);
      expect(await validate(settings({ "V1__a.sql": "CREATE TABLE a (id int);\n" }))).toEqual([]);
    });
  });

  describe("repair", () => {
    test("--accept-checksums records the current checksum of an applied file edited on purpose", async () => {
      await migrate(settings(base));
      const edited = { ...base, "V1__a.sql": "-- creates a\nCREATE TABLE a (id int);" };
      await expect(migrate(settings(edited))).rejects.toMatchObject({ code: "CHECKSUM_MISMATCH", message: expect.stringMatching(/repair --accept-checksums/) });
      const result = await repair({ ...settings(edited), acceptChecksums: true });
      expect(result.checksumsAccepted).toEqual(["1"]);
      expect(await validate(settings(edited))).toEqual([]);
      expect((await migrate(settings(edited))).applied).toEqual([]);
    });

    test("--forget-missing removes the rows of files that were removed", async () => {
      await migrate(settings(base));
      const remaining = { "V1__a.sql": base["V1__a.sql"] };
      const plain = await repair(settings(remaining));
      expect(plain.forgotten).toEqual([]);
      const result = await repair({ ...settings(remaining), forgetMissing: true });
      expect(result.forgotten).toEqual(["2"]);
      expect(await validate(settings(remaining))).toEqual([]);
      expect(await db.query(`SELECT version FROM ${HISTORY}`)).toEqual([{ version: "1" }]);
    });
  });
});
