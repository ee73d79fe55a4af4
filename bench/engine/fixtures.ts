import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EngineName } from "../../engine";

/** `count` small migrations, each creating a table and inserting a row. Returns the file names. */
export async function writeMigrations(dir: string, count: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `V${i}__create_t${i}.sql`;
    await writeFile(join(dir, name), migrationSql(i));
    names.push(name);
  }
  return names;
}

export function migrationSql(i: number): string {
  return `-- migration ${i}\nCREATE TABLE bench_t${i} (id int PRIMARY KEY, name varchar(50) NOT NULL);\nINSERT INTO bench_t${i} (id, name) VALUES (1, 'row ${i}');\n`;
}

/** The same migrations named the way node-pg-migrate expects (`0001_name.sql`). */
export async function writeNodePgMigrateFiles(dir: string, count: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 1; i <= count; i++) await writeFile(join(dir, `${String(i).padStart(4, "0")}_create_t${i}.sql`), migrationSql(i));
}

/** All migrations as one script for a single client session. */
export function concatenatedMigrations(count: number): string {
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) parts.push(migrationSql(i));
  return parts.join("\n");
}

export const REF_TABLE = "ref_item";

export function refTableDdl(engine: EngineName): string {
  const bool = engine === "postgres" ? "boolean" : "tinyint(1)";
  return `CREATE TABLE ${REF_TABLE} (
    id int PRIMARY KEY,
    code varchar(32) NOT NULL,
    name varchar(100) NOT NULL,
    price numeric(10,2),
    active ${bool} NOT NULL,
    created_on date,
    note text
  )`;
}

/**
 * `rows` reference rows as CSV (header first). Some notes hold commas, quotes and empty strings, and
 * some prices are NULL, so the parser does real work. `variant` changes every 100th name.
 */
export function refCsv(rows: number, variant = 0): string {
  const lines = ["id,code,name,price,active,created_on,note"];
  for (let i = 1; i <= rows; i++) {
    const name = variant > 0 && i % 100 === 0 ? `Item ${i} v${variant}` : `Item ${i}`;
    const price = i % 17 === 0 ? "" : ((i * 37) % 100000 / 100).toFixed(2);
    const day = String((i % 28) + 1).padStart(2, "0");
    const month = String((i % 12) + 1).padStart(2, "0");
    const note = i % 10 === 0 ? `"note, with ""quotes"" ${i}"` : i % 7 === 0 ? "" : `plain note ${i}`;
    lines.push(`${i},C${i.toString(36).toUpperCase()},${name},${price},${i % 3 === 0 ? 1 : 0},2024-${month}-${day},${note}`);
  }
  return `${lines.join("\n")}\n`;
}
