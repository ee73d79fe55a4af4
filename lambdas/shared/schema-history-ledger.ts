/**
 * The ledger's schema items derived from the engine's history table, not from what one run
 * applied: a run that fails on a later file, or a function that dies between the commit and the
 * ledger write, leaves applied migrations unrecorded, and the next run fills the gap. Each write is
 * conditional on the version not being recorded as applied yet, so reruns never duplicate (the
 * stream processor announces only new items on the bus).
 */
import { info, type MigrationInfo, type MigrationSettings } from "../../engine";
import { ledgerItems, type LedgerWriter } from "./ledger";
import { sha256 } from "./promotion";

/** History states of a migration that ran successfully (changed: its file was edited since; missing: its file is gone). */
const APPLIED_STATES: ReadonlySet<MigrationInfo["state"]> = new Set(["applied", "changed", "missing"]);

export interface HistoryLedgerContext {
  readonly ledger: LedgerWriter;
  readonly environment: string;
  readonly database: string;
  readonly originRegion: string;
  /** The exact bytes of a file as the engine read it in this run, for the checksum. */
  readonly contentOf: (script: string) => Promise<string | undefined>;
}

export interface HistoryLedgerResult {
  /** Every migration recorded as applied in the history table, in version order. */
  readonly history: readonly MigrationInfo[];
  /** Versions this call wrote to the ledger (applied but not recorded before). */
  readonly recorded: readonly string[];
}

export async function recordHistoryInLedger(settings: MigrationSettings, context: HistoryLedgerContext): Promise<HistoryLedgerResult> {
  const history = (await info(settings)).filter((m) => APPLIED_STATES.has(m.state));
  const recorded: string[] = [];
  for (const m of history) {
    const content = m.state === "applied" ? await context.contentOf(m.script) : undefined;
    const item = ledgerItems.schema({
      environment: context.environment,
      database: context.database,
      version: m.version,
      status: "applied",
      checksum: content === undefined ? undefined : sha256(content),
      durationMs: m.durationMs,
      // The history's time, so the item is the same whichever run writes it.
      occurredAt: (m.appliedAt ?? new Date(0)).toISOString(),
      originRegion: context.originRegion,
    });
    if (await context.ledger.putOnce(item, "applied")) recorded.push(m.version);
  }
  return { history, recorded };
}
