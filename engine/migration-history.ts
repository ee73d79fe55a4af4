import type { HistoryRow } from "./dialects/types";

/**
 * The `error` text of a history row written before a file that runs outside a transaction starts
 * (every MySQL file, PostgreSQL `-- migrate:no-transaction` files). The run replaces it when the
 * file finishes or fails; a row still holding it means the run stopped in the middle of the file
 * (killed, timed out, connection lost), so part of it may be applied.
 */
export const STARTED_NOTE =
  "started, not finished: the run stopped in the middle of this file (killed, timed out or lost its connection), so part of it may be applied";

/** A row of a file that was started outside a transaction and never finished. */
export function isUnfinished(row: Pick<HistoryRow, "success" | "error">): boolean {
  return !row.success && row.error === STARTED_NOTE;
}
