/** Routes the monitor's triggers: S3 replication notifications, Outposts EventBridge events, scheduled canaries. */
import type { S3Client } from "@aws-sdk/client-s3";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../shared/clock";
import { ledgerItems, type LedgerWriter } from "../shared/ledger";
import type { Logger } from "../shared/log";
import type { Metrics } from "../shared/metrics";
import { configRoot } from "../shared/ssm-hierarchy";
import { dynamodbProbe, runCanary, s3Probe, ssmProbe, type CanaryProbe, type CanaryResult } from "./canary";
import type { MonitorConfig } from "./config";
import { OUTPOSTS_REPLICATION_FAILED, incidentFromOutpostsEvent, incidentsFromNotification, isS3Notification, recordIncidents, type ReplicationIncident } from "./s3-events";

/** Clients per channel; a channel whose replica client is absent is not probed. */
export interface MonitorClients {
  readonly s3: S3Client;
  readonly s3Replica?: S3Client;
  readonly ssm: SSMClient;
  readonly ssmTarget?: SSMClient;
  readonly ledgerReplica?: DynamoDBDocumentClient;
}

export interface MonitorDeps {
  readonly config: MonitorConfig;
  readonly clients: MonitorClients;
  readonly ledger: LedgerWriter;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly remainingTimeMs: () => number;
}

export type MonitorResult = { readonly kind: "incidents"; readonly incidents: readonly ReplicationIncident[] } | { readonly kind: "canary"; readonly results: readonly CanaryResult[] };

interface EventBridgeEnvelope {
  readonly id?: string;
  readonly "detail-type"?: string;
  readonly source?: string;
  readonly time?: string;
  readonly detail?: Record<string, unknown>;
  readonly action?: string;
}

export async function handleMonitorEvent(event: unknown, deps: MonitorDeps): Promise<MonitorResult> {
  const incidentDeps = { environment: deps.config.environment, region: deps.config.region, ledger: deps.ledger, log: deps.log, metrics: deps.metrics };
  if (isS3Notification(event)) {
    const incidents = incidentsFromNotification(event);
    await recordIncidents(incidents, incidentDeps);
    return { kind: "incidents", incidents };
  }
  const envelope = (event ?? {}) as EventBridgeEnvelope;
  if (envelope["detail-type"] === OUTPOSTS_REPLICATION_FAILED) {
    const incident = incidentFromOutpostsEvent(envelope);
    const incidents = incident === undefined ? [] : [incident];
    await recordIncidents(incidents, incidentDeps);
    return { kind: "incidents", incidents };
  }
  if (envelope["detail-type"] === "Scheduled Event" || envelope.action === "canary") {
    // The scheduled event's id makes a redelivered invocation reuse the same markers and ledger keys.
    const runId = envelope.id ?? `run-${deps.clock.now()}`;
    const results = await runCanary(buildProbes(runId, deps), {
      runId,
      environment: deps.config.environment,
      region: deps.config.region,
      timeoutMs: deps.config.canaryTimeoutMs,
      pollIntervalMs: deps.config.canaryPollIntervalMs,
      clock: deps.clock,
      remainingTimeMs: deps.remainingTimeMs,
      ledger: deps.ledger,
      metrics: deps.metrics,
      log: deps.log,
    });
    return { kind: "canary", results };
  }
  throw new Error(`Unsupported event for replication-monitor (detail-type "${String(envelope["detail-type"])}"); expected S3 replication notifications, "Scheduled Event" or {"action":"canary"}.`);
}

/** One probe per configured channel. */
export function buildProbes(runId: string, deps: MonitorDeps): CanaryProbe[] {
  const { config, clients } = deps;
  const writtenAt = new Date(deps.clock.now()).toISOString();
  const probes: CanaryProbe[] = [];
  if (config.s3Replica !== undefined && clients.s3Replica !== undefined) {
    probes.push(
      s3Probe({
        source: clients.s3,
        replica: clients.s3Replica,
        bucket: config.artifactsBucket,
        replicaBucket: config.s3Replica.bucket,
        key: `canary/${config.environment}/${runId}.json`,
        body: JSON.stringify({ runId, environment: config.environment, writtenAt }),
      }),
    );
  }
  if (config.ledgerReplica !== undefined && clients.ledgerReplica !== undefined) {
    probes.push(
      dynamodbProbe({
        ledger: deps.ledger,
        replica: clients.ledgerReplica,
        replicaTableName: config.ledgerReplica.tableName,
        marker: ledgerItems.canary({ environment: config.environment, runId, record: "marker", occurredAt: writtenAt, originRegion: config.region }),
      }),
    );
  }
  if (config.ssmTarget !== undefined && clients.ssmTarget !== undefined) {
    probes.push(
      ssmProbe({
        source: clients.ssm,
        target: clients.ssmTarget,
        sourceName: configRoot(config.environment) + config.canaryParameterKey,
        targetName: configRoot(config.ssmTarget.environment) + config.canaryParameterKey,
        value: runId,
      }),
    );
  }
  if (probes.length === 0) {
    deps.log.warn("no canary channel configured; set CANARY_S3_REPLICA_BUCKET, LEDGER_REPLICA_REGION or TARGET_ENVIRONMENT");
  }
  return probes;
}
