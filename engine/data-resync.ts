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
/** Staged lines are "few" (looked up by key) when the table holds this many times as many rows. */
const FEW_STAGED = 10;

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
  const printed = await db.readCsvLines!(table, file.columns, sample, limit + 1);
  if (printed === undefined) return undefined;
  const rows = lineStarts(printed);
  if (rows.length - 1 > limit) return undefined;
  if (rows.length === 1) return "empty";
  const { matched, unmatched, differing } = matchLines(Buffer.from(csvText, "utf8"), Buffer.byteLength(header, "utf8"), printed, rows);
  if (!db.stageCsv && differing.length > MIN_DIFFERING_PARSED && differing.length > (file.plainRows ?? 0) * MAX_DIFFERING_PARSED) return undefined;

  let merged: MergeCounts = { inserted: 0, updated: 0 };
  // Rows a staged line's key hit: they are updated (or stay equal), not pruned.
  const hit = new Set<string>();
  if (differing.length > 0) {
    const text = `${header}${differing.join("\n")}\n`;
    const stage = db.stageCsv ? await db.stageCsv(table, file.columns, text, index, false) : await stageParsed(db, file, table, text, index);
    // A few staged lines are looked up by key, not joined by hashing the whole table.
    const few = differing.length * FEW_STAGED < rows.length - 1 && db.preferKeyLookups !== undefined;
    if (few) await db.preferKeyLookups!(true);
    // Two staged lines with one key hit its row twice; with a new key, the insert breaks the primary key.
    const hits = await db.readCsvLines!(table, file.columns, sample, differing.length + 1, stage);
    if (hits === undefined) throw new Error("the rows of the staged keys could not be read");
    for (const line of hits.toString("utf8").split("\n").slice(0, -1)) {
      // A row that no line matched is updated; one that a line matched has its key twice in the file.
      const at = unmatched.get(line);
      if (at === undefined || matched[at] === 1 || hit.has(line)) throw new Error("a key is repeated");
      hit.add(line);
    }
    merged = await db.merge(table, stage, file.columns);
    if (few) await db.preferKeyLookups!(false);
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

/** Where each line of `bytes` starts, and one entry past the end (lines end in a line feed). */
function lineStarts(bytes: Buffer): Int32Array {
  let starts = new Int32Array(1024);
  let n = 1;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) {
    if (n === starts.length) {
      const grown = new Int32Array(starts.length * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[n++] = at + 1;
  }
  return starts.subarray(0, n);
}

/**
 * Pairs the file's lines (after the header) with the table's rows whose text they equal, comparing
 * bytes. Files and tables usually list rows in the same order (a file sorted by key, a table read
 * in key or load order): long stretches of equal lines are found as one equal run of bytes, a line
 * that breaks the run is compared in place with the next few rows, and the lines left over are
 * looked up among the rows left over. `unmatched` maps the
 * text of each row the in-place pass did not match to its index (`matched` tells which of them the
 * lookup then matched); `differing` holds the lines no row equals. Two equal lines throw.
 */
function matchLines(
  file: Buffer,
  headerEnd: number,
  printed: Buffer,
  rows: Int32Array,
): { matched: Uint8Array; unmatched: Map<string, number>; differing: string[] } {
  const count = rows.length - 1;
  const matched = new Uint8Array(count);
  const left: string[] = [];
  let next = 0;
  for (let pos = headerEnd; pos < file.length; ) {
    if (next < count) {
      // Every whole line of the stretch where the file's bytes equal the rows' is a matched row.
      const from = rows[next]!;
      const same = commonPrefix(printed, from, file, pos, Math.min(printed.length - from, file.length - pos));
      let row = next;
      while (row < count && rows[row + 1]! <= from + same) matched[row++] = 1;
      pos += rows[row]! - from;
      next = row;
      if (pos >= file.length) break;
    }
    let end = file.indexOf(10, pos);
    if (end === -1) end = file.length;
    const lineEnd = file[end - 1] === 13 ? end - 1 : end;
    const length = lineEnd - pos;
    let found = -1;
    for (let at = next; at < next + LOOKAHEAD && at < count; at++) {
      const start = rows[at]!;
      if (matched[at] === 0 && rows[at + 1]! - 1 - start === length && printed.compare(file, pos, lineEnd, start, start + length) === 0) {
        found = at;
        break;
      }
    }
    if (found === -1) left.push(file.toString("utf8", pos, lineEnd));
    else {
      matched[found] = 1;
      next = found + 1;
    }
    pos = end + 1;
  }
  const unmatched = new Map<string, number>();
  for (let i = 0; i < count; i++) if (matched[i] === 0) unmatched.set(printed.toString("utf8", rows[i]!, rows[i + 1]! - 1), i);
  const differing: string[] = [];
  for (const line of left) {
    const at = unmatched.get(line);
    if (at === undefined) differing.push(line);
    else if (matched[at] === 1) throw new Error("a line is repeated");
    else matched[at] = 1;
  }
  return { matched, unmatched, differing };
}

/**
 * How many bytes `a` from `aStart` and `b` from `bStart` have in common, up to `max`: growing blocks
 * compared natively, then a binary search inside the block that differs.
 */
function commonPrefix(a: Buffer, aStart: number, b: Buffer, bStart: number, max: number): number {
  const equal = (from: number, to: number) => a.compare(b, bStart + from, bStart + to, aStart + from, aStart + to) === 0;
  let same = 0;
  for (let block = 1024; same < max; block *= 2) {
    const to = Math.min(same + block, max);
    if (equal(same, to)) {
      same = to;
      continue;
    }
    let differs = to;
    while (differs - same > 16) {
      const mid = (same + differs) >> 1;
      if (equal(same, mid)) same = mid;
      else differs = mid;
    }
    while (same < differs && a[aStart + same] === b[bStart + same]) same++;
    return same;
  }
  return same;
}
