import { memorySource, migrate, syncData, type EngineName } from "../../engine";
import { verifyRestoredDatabase } from "../../lambdas/restore-drill/verify";
import { createTestDatabase, ENGINES, type TestDatabase } from "../engine/helpers/databases";

// GIVEN a database as the platform leaves it: migrations applied, reference data synced from files
const migrations = memorySource({
  "V1__countries.sql": "CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(64) NOT NULL);",
  "V2__currencies.sql": "CREATE TABLE currencies (code CHAR(3) PRIMARY KEY, name VARCHAR(64) NOT NULL);",
});
const referenceData = memorySource({
  "countries.csv": "code,name\nDE,Germany\nFR,France\n",
  "currencies.json": JSON.stringify([{ code: "EUR", name: "Euro" }]),
});

describe.each(ENGINES)("verification of a restored copy on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine, "drill");
    await migrate({ engine, connection: db.url, source: migrations });
    await syncData({ engine, connection: db.url, source: referenceData, prune: true });
  });
  afterEach(() => db.drop());

  test("passes when the schema version and every reference table match", async () => {
    const result = await verifyRestoredDatabase({ engine, connection: db.url, expectedSchemaVersion: "2", referenceData });
    expect(result).toEqual({ ok: true, schemaVersion: "2", expectedSchemaVersion: "2", problems: [], tables: expect.arrayContaining([expect.objectContaining({ table: "countries", differing: 0 }), expect.objectContaining({ table: "currencies", differing: 0 })]) });
  });

  test("fails when the copy is behind the source's schema", async () => {
    const result = await verifyRestoredDatabase({ engine, connection: db.url, expectedSchemaVersion: "3", referenceData });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(["schema history's latest version is 2, the source had 3"]);
  });

  test("fails when a reference table differs from its file, and changes nothing", async () => {
    await db.query("UPDATE countries SET name = 'Frankreich' WHERE code = 'FR'");
    await db.query("DELETE FROM currencies");
    const result = await verifyRestoredDatabase({ engine, connection: db.url, expectedSchemaVersion: "2", referenceData });
    expect(result.problems).toEqual(["countries differs from countries.csv in 1 row(s)", "currencies differs from currencies.json in 1 row(s)"]);
    expect(await db.query("SELECT name FROM countries WHERE code = 'FR'")).toEqual([{ name: "Frankreich" }]);
  });

  test("a row the file lacks is no difference: data sync from the bucket never prunes, so the source holds it too", async () => {
    await db.query("INSERT INTO countries (code, name) VALUES ('IT', 'Italy')");
    const result = await verifyRestoredDatabase({ engine, connection: db.url, expectedSchemaVersion: "2", referenceData });
    expect(result.ok).toBe(true);
    expect(await db.query("SELECT code FROM countries WHERE code = 'IT'")).toEqual([{ code: "IT" }]);
  });

  test("a copy with no schema history at all is reported, not thrown", async () => {
    const empty = await createTestDatabase(engine, "drill");
    try {
      const result = await verifyRestoredDatabase({ engine, connection: empty.url, expectedSchemaVersion: "2" });
      expect(result.problems).toEqual(["schema history's latest version is none, the source had 2"]);
    } finally {
      await empty.drop();
    }
  });
});
