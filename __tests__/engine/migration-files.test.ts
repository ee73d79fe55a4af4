import { createHash } from "node:crypto";
import { checksumOf, compareVersions, legacyChecksumOf, loadMigrations, loadMigrationSet, memorySource, parseMigrationName, parseRepeatableName } from "../../engine";

describe("migration file names and versions", () => {
  test("parses version and description from V<version>__<description>.sql", () => {
    expect(parseMigrationName("V1.10__add_orders_table.sql")).toEqual({ version: "1.10", description: "add orders table" });
    expect(parseMigrationName("V7__x.sql")).toEqual({ version: "7", description: "x" });
  });

  test.each(["V1_add.sql", "v1__lower.sql", "V1.__x.sql", "Vx__x.sql", "V1__x.txt", "R__repeatable.sql"])("rejects %s", (name) => {
    expect(parseMigrationName(name)).toBeUndefined();
  });

  test("compares numerically segment by segment: 1.10 > 1.9, 10 > 9, 1 = 1.0", () => {
    expect(compareVersions("1.10", "1.9")).toBeGreaterThan(0);
    expect(compareVersions("10", "9")).toBeGreaterThan(0);
    expect(compareVersions("1.2", "1.2.1")).toBeLessThan(0);
    expect(compareVersions("1", "1.0")).toBe(0);
    expect(compareVersions("20250101120000", "20250101115959")).toBeGreaterThan(0);
    expect(compareVersions("99999999999999999999", "99999999999999999998")).toBeGreaterThan(0);
  });

  test("checksum is the hex sha256 of the content", () => {
    expect(checksumOf("SELECT 1;")).toBe(createHash("sha256").update("SELECT 1;").digest("hex"));
  });

  test("checksum ignores CRLF / CR line endings and a UTF-8 BOM; the legacy checksum is of the raw content", () => {
    const unix = "SELECT 1;\nSELECT 2;\n";
    expect(checksumOf("\uFEFFSELECT 1;\r\nSELECT 2;\r\n")).toBe(checksumOf(unix));
    expect(checksumOf("SELECT 1;\rSELECT 2;\r")).toBe(checksumOf(unix));
    expect(checksumOf("SELECT 1;\nSELECT 3;\n")).not.toBe(checksumOf(unix));
    expect(legacyChecksumOf("SELECT 1;\r\n")).toBe(createHash("sha256").update("SELECT 1;\r\n").digest("hex"));
  });

  test("parses R__<description>.sql as a repeatable migration keyed by its name", () => {
    expect(parseRepeatableName("R__order_views.sql")).toEqual({ version: "R__order_views", description: "order views" });
    expect(parseRepeatableName("R_x.sql")).toBeUndefined();
  });
});

describe("loadMigrations", () => {
  test("sorts by version, not by name, and ignores files that are not .sql", async () => {
    const source = memorySource({ "V1.10__c.sql": "SELECT 3;", "V1.9__b.sql": "SELECT 2;", "V1__a.sql": "SELECT 1;", "README.md": "notes" });
    const files = await loadMigrations(source);
    expect(files.map((f) => f.script)).toEqual(["V1__a.sql", "V1.9__b.sql", "V1.10__c.sql"]);
    expect(files[0]!.checksum).toBe(checksumOf("SELECT 1;"));
  });

  test("an .sql file with another name is refused, naming the file and the pattern", async () => {
    await expect(loadMigrations(memorySource({ "V1__a.sql": "", "add_users.sql": "" }, "db/migrations"))).rejects.toThrow(
      /db\/migrations: add_users.sql does not follow V<version>__<description>.sql/,
    );
  });

  test("two files with the same version are refused", async () => {
    await expect(loadMigrations(memorySource({ "V1__a.sql": "", "V1.0__b.sql": "" }))).rejects.toThrow(/V1__a.sql and V1.0__b.sql have the same version/);
  });
});

describe("loadMigrationSet", () => {
  test("returns repeatable files in name order apart from the versioned ones, and reads the no-transaction line", async () => {
    const { versioned, repeatable } = await loadMigrationSet(
      memorySource({
        "R__b.sql": "CREATE VIEW b AS SELECT 1;",
        "R__a.sql": "\uFEFF-- migrate:no-transaction\r\nSELECT 1;",
        "V2__x.sql": "SELECT 2;",
        "V1__y.sql": "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);",
      }),
    );
    expect(versioned.map((f) => [f.script, f.kind, f.transactional])).toEqual([
      ["V1__y.sql", "versioned", false],
      ["V2__x.sql", "versioned", true],
    ]);
    expect(repeatable.map((f) => [f.script, f.version, f.kind, f.transactional])).toEqual([
      ["R__a.sql", "R__a", "repeatable", false],
      ["R__b.sql", "R__b", "repeatable", true],
    ]);
    expect(repeatable[0]!.sql.startsWith("-- migrate")).toBe(true);
    // loadMigrations (used by callers that compare versions) keeps returning versioned files only
    expect((await loadMigrations(memorySource({ "R__a.sql": "", "V1__a.sql": "" }))).map((f) => f.script)).toEqual(["V1__a.sql"]);
  });
});
