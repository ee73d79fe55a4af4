/** Routes the mirror's triggers: a Parameter Store change event or a scheduled reconcile. */
import type { Logger } from "../shared/log";
import { mirrorChange, reconcile, type MirrorDeps, type Outcome, type ReconcileSummary } from "./mirror";

/** An EventBridge envelope, as delivered by a rule (change events, scheduled rules). */
interface EventBridgeEnvelope {
  readonly "detail-type"?: string;
  readonly source?: string;
  readonly time?: string;
  readonly detail?: { readonly name?: unknown; readonly operation?: unknown };
}

/** Scheduler payload we configure: `{"action":"reconcile"}`. */
interface ReconcileRequest {
  readonly action?: string;
}

export type MirrorResult = { readonly kind: "change"; readonly outcome: Outcome } | { readonly kind: "reconcile"; readonly summary: ReconcileSummary };

export async function handleMirrorEvent(event: unknown, deps: MirrorDeps, now: () => Date = () => new Date()): Promise<MirrorResult> {
  const envelope = (event ?? {}) as EventBridgeEnvelope & ReconcileRequest;
  if (envelope["detail-type"] === "Parameter Store Change") {
    const { name, operation } = envelope.detail ?? {};
    if (typeof name !== "string" || typeof operation !== "string") {
      throw new Error("Parameter Store Change event without detail.name/detail.operation; check the rule's input transformer.");
    }
    const outcome = await mirrorChange({ name, operation, time: envelope.time ?? now().toISOString() }, deps);
    return { kind: "change", outcome };
  }
  if (envelope["detail-type"] === "Scheduled Event" || envelope.action === "reconcile") {
    const summary = await reconcile(envelope.time ?? now().toISOString(), deps);
    if (summary.failed > 0) {
      // Surface as a Lambda error (alarms); the run is idempotent, so a retry is harmless.
      throw new Error(`Reconcile finished with ${summary.failed} failed parameter(s); see the log for names.`);
    }
    return { kind: "reconcile", summary };
  }
  logUnknown(deps.log, envelope);
  throw new Error(`Unsupported event for config-mirror (detail-type "${String(envelope["detail-type"])}"); expected "Parameter Store Change", "Scheduled Event" or {"action":"reconcile"}.`);
}

function logUnknown(log: Logger, envelope: EventBridgeEnvelope): void {
  log.error("unsupported event", { detailType: envelope["detail-type"], source: envelope.source });
}
