import { parseCsv, parseCsvData, type DataFile } from "./data-files";
import type { Database, MergeCounts, TableInfo } from "./dialects/types";

/** What a re-sync by lines did, and how to delete the table's rows that are not in the file. */
export interface LineResync extends MergeCounts {
  readonly prune: () => Promise<number>;
}

/**
 * Servers that cannot stage CSV text stage parsed rows, which costs far more per row: past this
 * fraction of the file's lines differing (and this many lines), the caller's own path
 * (bulk-loading new keys straight into the table) is cheaper.
 */
const MAX_DIFFERING_PARSED = 0.25;
const MIN_DIFFERING_PARSED = 1000;

/**
 * Re-syncs a plain CSV file (DataFile.plainRows) into a table that holds rows, without sending the
 * lines that did not change: the server prints each row as a CSV record by the file's own rules
 * (Database.readCsvLines), a file line equal to a row's text is that row unchanged (the key is part
 * of the line, and only types whose text is exact are compared this way), and only the other lines
 * are staged and merged by the server's comparison. A re-sync that changes 1% of a table stages
 * 1% of it and reads it once.
 *
 * A repeated key throws (the caller then syncs the file row by row, which names both rows): two
 * equal lines, two staged lines with the key of a row (which they hit twice) or with a new key
 * (which the insert refuses), or a staged line whose key is that of a row another line matched (the
 * rows the staged keys hit are read back). Returns undefined,
 * having written nothing, when the types need the server's comparison, when the table holds more
 * than `limit` rows, or when too many lines differ for a server that stages parsed rows; "empty",
 * having written nothing, when the table holds no rows (the caller's bulk load is then cheaper).
 */
export async function resyncByLines(
  db: Database,
  file: DataFile,
  table: TableInfo,
  index: number,
  limit: number,
  deleteKeys: (keys: readonly (readonly unknown[])[]) => Promise<number>,
): Promise<LineResync | "empty" | undefined> {
  const csvText = file.csvText!;
  const headerEnd = csvText.indexOf("\n") + 1;
  const header = csvText.slice(0, headerEnd);
  const firstEnd = csvText.indexOf("\n", headerEnd);
  const sample = parseCsv(csvText.slice(headerEnd, firstEnd === -1 ? csvText.length : firstEnd))[0]?.fields ?? [];
  const lines = await db.readCsvLines!(table, file.columns, sample, limit + 1);
  if (lines === undefined || lines.length > limit) return undefined;
  if (lines.length === 0) return "empty";
  const { matched, unmatched, differing } = matchLines(csvText, headerEnd, lines);
  if (!db.stageCsv && differing.length > MIN_DIFFERING_PARSED && differing.length > (file.plainRows ?? 0) * MAX_DIFFERING_PARSED) return undefined;

  let merged: MergeCounts = { inserted: 0, updated: 0 };
  // Rows a staged line's key hit: they are updated (or stay equal), not pruned.
  const hit = new Set<string>();
  if (differing.length > 0) {
    const text = `${header}${differing.join("\n")}\n`;
    const stage = db.stageCsv ? await db.stageCsv(table, file.columns, text, index, false) : await stageParsed(db, file, table, text, index);
    // Two staged lines with one key hit its row twice; with a new key, the insert breaks the primary key.
    const hits = await db.readCsvLines!(table, file.columns, sample, differing.length + 1, stage);
    if (hits === undefined) throw new Error("the rows of the staged keys could not be read");
    for (const line of hits) {
      // A row that no line matched is updated; one that a line matched has its key twice in the file.
      const at = unmatched.get(line);
      if (at === undefined || matched[at] === 1 || hit.has(line)) throw new Error("a key is repeated");
      hit.add(line);
    }
    merged = await db.merge(table, stage, file.columns);
  }
  return {
    ...merged,
    prune: async () => {
      const keyIndexes = table.primaryKey.map((k) => file.columns.indexOf(k));
      const missing: (string | null)[][] = [];
      for (const [line, i] of unmatched) {
        if (matched[i] === 1 || hit.has(line)) continue;
        const fields = parseCsv(line)[0]?.fields ?? [];
        missing.push(keyIndexes.map((k) => fields[k] ?? null));
      }
      return missing.length === 0 ? 0 : deleteKeys(missing);
    },
  };
}

/** The differing lines parsed and staged as rows, where the server does not stage CSV text. */
async function stageParsed(db: Database, file: DataFile, table: TableInfo, text: string, index: number): Promise<string> {
  const { rows } = parseCsvData(file.file, text);
  const stage = await db.createStage(table, file.columns, index);
  await db.loadStage(stage, table, file.columns, rows);
  return stage;
}

/** How far ahead in the table's rows a file line is looked for before it is left to the second pass. */
const LOOKAHEAD = 4;

/**
 * Pairs the file's lines (after the header) with the table's rows whose text they equal. Files and
 * tables usually list rows in the same order (a file sorted by key, a table read in key or load
 * order), so each line is first compared in place with the next few rows, without copying it; the
 * lines left over are looked up among the rows left over. `unmatched` maps the text of each row the
 * in-place pass did not match to its index (`matched` tells which of them the lookup then matched);
 * `differing` holds the lines no row equals. Two equal lines throw.
 */
function matchLines(
  csvText: string,
  headerEnd: number,
  lines: readonly string[],
): { matched: Uint8Array; unmatched: Map<string, number>; differing: string[] } {
  const matched = new Uint8Array(lines.length);
  const left: string[] = [];
  let next = 0;
  for (let pos = headerEnd; pos < csvText.length; ) {
    let end = csvText.indexOf("\n", pos);
    if (end === -1) end = csvText.length;
    const lineEnd = csvText.charCodeAt(end - 1) === 13 ? end - 1 : end;
    let found = -1;
    for (let at = next; at < next + LOOKAHEAD && at < lines.length; at++) {
      const row = lines[at]!;
      if (matched[at] === 0 && row.length === lineEnd - pos && csvText.startsWith(row, pos)) {
        found = at;
        break;
      }
    }
    if (found === -1) left.push(csvText.slice(pos, lineEnd));
    else {
      matched[found] = 1;
      next = found + 1;
    }
    pos = end + 1;
  }
  const unmatched = new Map<string, number>();
  lines.forEach((row, i) => {
    if (matched[i] === 0) unmatched.set(row, i);
  });
  const differing: string[] = [];
  for (const line of left) {
    const at = unmatched.get(line);
    if (at === undefined) differing.push(line);
    else if (matched[at] === 1) throw new Error("a line is repeated");
    else matched[at] = 1;
  }
  return { matched, unmatched, differing };
}
