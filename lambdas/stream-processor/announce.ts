/**
 * Which ledger changes are worth announcing on the central bus, and as what detail-type.
 * Returning `undefined` means "nothing to announce" (e.g. a pending migration, a canary marker,
 * a canary that succeeded: its lag is a metric, not news).
 */
import type { LedgerItem } from "../shared/ledger";
import type { ReplicationEvent } from "../shared/events";

/** Every detail-type the stream processor emits (source `platform.replication`). */
export const DETAIL_TYPES = {
  schemaApplied: "Schema Migration Applied",
  schemaFailed: "Schema Migration Failed",
  schemaRolledBack: "Schema Migration Rolled Back",
  dataSynced: "Reference Data Synchronized",
  dataFailed: "Reference Data Sync Failed",
  configMirrored: "Configuration Mirrored",
  configDeleted: "Configuration Deleted",
  configDeleteSkipped: "Configuration Deletion Skipped",
  snapshotCopied: "Snapshot Copied",
  snapshotFailed: "Snapshot Copy Failed",
  canaryTimedOut: "Replication Canary Timed Out",
  canaryFailed: "Replication Canary Failed",
  artifactReplicationFailed: "Artifact Replication Failed",
  artifactReplicationDelayed: "Artifact Replication Delayed",
  ledgerEntryDeleted: "Ledger Entry Deleted",
  databaseWriterMoved: "Database Writer Moved",
  databaseWriterMoveFailed: "Database Writer Move Failed",
  restoreDrillSucceeded: "Restore Drill Succeeded",
  restoreDrillFailed: "Restore Drill Failed",
} as const;

export function detailTypeFor(item: LedgerItem): string | undefined {
  switch (item.kind) {
    case "schema":
      return item.status === "applied"
        ? DETAIL_TYPES.schemaApplied
        : item.status === "failed"
          ? DETAIL_TYPES.schemaFailed
          : item.status === "rolled_back"
            ? DETAIL_TYPES.schemaRolledBack
            : undefined;
    case "data":
      return item.status === "succeeded" ? DETAIL_TYPES.dataSynced : DETAIL_TYPES.dataFailed;
    case "config":
      return item.action === "mirrored" ? DETAIL_TYPES.configMirrored : item.action === "deleted" ? DETAIL_TYPES.configDeleted : DETAIL_TYPES.configDeleteSkipped;
    case "snapshot":
      return item.status === "copied" ? DETAIL_TYPES.snapshotCopied : item.status === "failed" ? DETAIL_TYPES.snapshotFailed : undefined;
    case "canary":
      if (item.record !== "result") {
        return undefined;
      }
      return item.status === "timeout" ? DETAIL_TYPES.canaryTimedOut : item.status === "error" ? DETAIL_TYPES.canaryFailed : undefined;
    case "replication":
      return item.eventType === "failed" ? DETAIL_TYPES.artifactReplicationFailed : DETAIL_TYPES.artifactReplicationDelayed;
    case "dr":
      return item.status === "completed" ? DETAIL_TYPES.databaseWriterMoved : item.status === "failed" ? DETAIL_TYPES.databaseWriterMoveFailed : undefined;
    case "drill":
      return item.status === "succeeded" ? DETAIL_TYPES.restoreDrillSucceeded : item.status === "started" ? undefined : DETAIL_TYPES.restoreDrillFailed;
  }
}

/**
 * The event for a new or changed ledger item. The detail is the item itself (ledger items never
 * hold secret values) minus the TTL, plus `dedupeKey`: EventBridge delivery is at-least-once and a
 * retried stream batch can publish an event twice, so consumers de-duplicate on it.
 */
export function eventForItem(item: LedgerItem, resources: readonly string[]): ReplicationEvent | undefined {
  const detailType = detailTypeFor(item);
  if (detailType === undefined) {
    return undefined;
  }
  const { expiresAt: _ttl, ...detail } = item;
  void _ttl;
  const status = "status" in item ? item.status : "action" in item ? item.action : "";
  return {
    detailType,
    detail: { ...detail, dedupeKey: `${item.pk}|${item.sk}|${String(status)}|${item.occurredAt}` },
    resources,
    time: parseTime(item.occurredAt),
  };
}

/** The event for a ledger item deleted by something other than TTL (the ledger is append-only). */
export function eventForManualDelete(keys: { pk?: unknown; sk?: unknown; kind?: unknown; environment?: unknown }, principalId: string | undefined, resources: readonly string[]): ReplicationEvent {
  return {
    detailType: DETAIL_TYPES.ledgerEntryDeleted,
    detail: { pk: keys.pk, sk: keys.sk, kind: keys.kind, environment: keys.environment, principalId, dedupeKey: `${String(keys.pk)}|${String(keys.sk)}|deleted` },
    resources,
  };
}

function parseTime(iso: string): Date | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
