import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { directorySource, EngineError, memorySource, migrate } from "../../engine";
import { loadDataFiles } from "../../engine/data-files";
import { loadMigrations } from "../../engine/migration-files";
import { decodeUtf8, firstInvalidUtf8 } from "../../engine/source";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** "Zürich" as Latin-1 (ISO-8859-1): 0xFC is not valid UTF-8. */
const latin1 = (text: string) => Buffer.from(text, "latin1");

describe("every file is read as strict UTF-8", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "eng-enc-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (files: Record<string, Buffer | string>) => {
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    return directorySource(dir);
  };

  test("a CSV file in Latin-1 is refused, naming the file, line and byte offset", async () => {
    const source = await write({ "city.csv": latin1("id,name\n1,Bern\n2,Zürich\n") });
    const error = await loadDataFiles(source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe("INVALID_ENCODING");
    expect((error as Error).message).toBe(
      "city.csv line 3 (byte offset 18, 0xFC): not valid UTF-8; save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
    );
  });

  test("a JSON file and a migration file in Latin-1 are refused the same way", async () => {
    const data = await write({ "city.json": latin1('[\n  {"id": 1, "name": "Zürich"}\n]') });
    await expect(loadDataFiles(data)).rejects.toThrow(/^city.json line 2 \(byte offset 24, 0xFC\): not valid UTF-8/);
    await rm(join(dir, "city.json"));
    const migrations = await write({ "V1__city.sql": latin1("CREATE TABLE city (id int);\n-- Zürich\n") });
    await expect(loadMigrations(migrations)).rejects.toThrow(/^V1__city.sql line 2 \(byte offset 32, 0xFC\): not valid UTF-8/);
  });

  test("a truncated multi-byte character at the end is refused; valid UTF-8 of every length is read", () => {
    expect(() => decodeUtf8("a.csv", Buffer.from([0x61, 0xe2, 0x82]))).toThrow(/^a.csv line 1 \(byte offset 1, 0xE2\)/);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // an encoded surrogate
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0); // an overlong "/"
    expect(decodeUtf8("a.csv", Buffer.from("é€😀", "utf8"))).toBe("é€😀");
  });

  test("a byte-order mark is not part of the first column name", async () => {
    const source = await write({ "city.csv": Buffer.concat([BOM, Buffer.from("id,name\n1,Bern\n")]), "town.json": Buffer.concat([BOM, Buffer.from('[{"id": 1}]')]) });
    const [city, town] = await loadDataFiles(source);
    expect(city!.columns).toEqual(["id", "name"]);
    expect(city!.csvText?.charCodeAt(0)).toBe("i".charCodeAt(0));
    expect(town!.columns).toEqual(["id"]);
  });

  test("memory sources holding bytes are checked too", async () => {
    await expect(loadDataFiles(memorySource({ "city.csv": latin1("id,name\n2,Zürich\n") }))).rejects.toThrow(/^city.csv line 2 \(byte offset 11, 0xFC\)/);
  });
});

describe.each(ENGINES)("a migration with a byte-order mark on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
  });
  afterEach(async () => {
    await db.drop();
  });

  test("applies: the mark is not part of the first statement", async () => {
    const sql = Buffer.concat([BOM, Buffer.from("CREATE TABLE city (id int PRIMARY KEY);\nINSERT INTO city VALUES (1);\n")]);
    const result = await migrate({ engine, connection: db.url, source: memorySource({ "V1__city.sql": sql }), appliedBy: "t" });
    expect(result.applied.map((m) => m.script)).toEqual(["V1__city.sql"]);
    expect(await db.query("SELECT id FROM city")).toEqual([{ id: 1 }]);
  });
});
