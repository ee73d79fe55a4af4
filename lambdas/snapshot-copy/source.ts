/**
 * One database's part of a run, for one source (Aurora cluster or DB instance):
 * - `prepare` (copy runs): in manual mode take a manual snapshot when the newest is older than the
 *   interval, and expire old manual snapshots; pick the newest available snapshot to copy.
 * - `listCopies`: list this database's copies in a destination and write one ledger item per copy.
 * - `startCopy`: request the copy of the picked snapshot into a destination, unless it exists.
 * - `expire` and `measure`: delete copies past retention (never the newest available one, never a
 *   snapshot another party made), publish the age of the newest copy.
 * The copy into another account is `account-copy.ts`, on the same run.
 *
 * Ledger items are built only from what RDS reports about a copy (never from the time of the run),
 * so an unchanged copy yields a byte-identical item: DynamoDB then emits no stream record and the
 * stream processor announces nothing twice. A redelivered or overlapping run finds the copy it would
 * start (copies are named after their source snapshot) and starts nothing.
 *
 * An AWS call that throws is recorded in the summary's `errors` and the run goes on.
 */
import type { RDSClient } from "@aws-sdk/client-rds";
import type { Clock } from "../shared/clock";
import { ledgerItems, type LedgerWriter, type SnapshotStatus } from "../shared/ledger";
import { errorFields, type Logger } from "../shared/log";
import type { Metrics } from "../shared/metrics";
import type { CopiedSource, Destination, SnapshotCopyConfig } from "./config";
import { snapshotName } from "./names";
import { apiFor, type RdsSnapshot, type SnapshotApi } from "./rds-api";
import { copyArn, newestAvailable, newestCopied, OWNER_TAG, ownSnapshot, SOURCE_SNAPSHOT_TAG, type OwnSnapshot, type SourceSnapshot } from "./snapshots";

export interface SourceDeps {
  readonly config: SnapshotCopyConfig;
  /** RDS in SOURCE_REGION, where the databases and their snapshots are. */
  readonly source: RDSClient;
  /** RDS in each destination region: copies are requested, listed and deleted there. */
  readonly targets: Readonly<Record<string, RDSClient>>;
  /** RDS in the account copy's region, with the credentials of the role in that account (when `config.accountCopy` is set). */
  readonly account?: RDSClient;
  readonly ledger: LedgerWriter;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
}

export interface DestinationSummary {
  readonly region: string;
  /** Copies this run started (a copy another run started first counts too). */
  started: number;
  /** Copies that are available, after expiry. */
  copied: number;
  /** Copies still being created. */
  inProgress: number;
  /** Copies RDS reports as failed (or incompatible), after expiry. */
  failed: number;
  /** Copies this run deleted. */
  deleted: number;
  /** True when the copy waits for a later run: the region already had the most copies in flight. */
  deferred: boolean;
}

export interface DatabaseSummary {
  readonly database: string;
  readonly kind: CopiedSource["kind"];
  readonly identifier: string;
  /** The manual snapshot this run started (manual mode), if any. */
  manualSnapshot?: string;
  /** Manual snapshots this run deleted in the source region (manual mode). */
  manualSnapshotsDeleted: number;
  readonly destinations: DestinationSummary[];
  /** The copies in the other account (`accountCopy`), when configured. `shared`: the copy this run shared with it. */
  account?: Omit<DestinationSummary, "deferred"> & { accountId: string; shared?: string };
  /** AWS calls that threw, as `<step>: <error name>: <message>`; empty when the database went through. */
  readonly errors: string[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export class SourceRun {
  readonly summary: DatabaseSummary;
  readonly api: SnapshotApi;
  readonly log: Logger;
  /** The snapshot to copy, once `prepare` found one. */
  private candidate: SourceSnapshot | undefined;
  /** This database's copies per destination region, as listed (plus the ones this run started); absent when the listing failed. */
  private readonly copies = new Map<string, OwnSnapshot[]>();
  private readonly written = new Set<string>();

  constructor(
    readonly source: CopiedSource,
    readonly deps: SourceDeps,
  ) {
    this.api = apiFor(source.kind);
    this.log = deps.log.child({ database: source.name, kind: source.kind, identifier: source.identifier });
    this.summary = {
      database: source.name,
      kind: source.kind,
      identifier: source.identifier,
      manualSnapshotsDeleted: 0,
      destinations: deps.config.destinations.map((d) => ({ region: d.region, started: 0, copied: 0, inProgress: 0, failed: 0, deleted: 0, deferred: false })),
      errors: [],
    };
  }

  /** Records a failed step in the summary (the run goes on) and logs it. */
  fail(step: string, err: unknown): void {
    const { errorName, errorMessage } = errorFields(err);
    this.summary.errors.push(`${step}: ${errorName}: ${errorMessage}`);
    this.log.error(`snapshot copy step "${step}" failed`, { step, errorName, errorMessage });
  }

  private destination(region: string): DestinationSummary {
    return this.summary.destinations.find((d) => d.region === region)!;
  }

  get ownerTags(): Record<string, string> {
    return { [OWNER_TAG]: this.deps.config.owner };
  }

  /** Finds the snapshot to copy; in manual mode takes a new manual snapshot when due and expires old ones. */
  async prepare(): Promise<void> {
    try {
      if (this.source.mode === "automated") {
        const automated = await this.api.list(this.deps.source, this.source.identifier, "automated");
        this.candidate = newestAvailable(automated);
        if (this.candidate === undefined) this.log.warn("no available automated snapshot; nothing to copy for this database", { automatedSnapshots: automated.length });
        return;
      }
      const manual = await this.api.list(this.deps.source, this.source.identifier, "manual");
      const owned = manual.filter((s) => ownSnapshot(this.source.identifier, "snap", this.deps.config.owner, s) !== undefined);
      this.candidate = newestAvailable(owned);
      await this.takeManualSnapshotIfDue(owned);
      await this.expireManualSnapshots(owned);
    } catch (err) {
      this.fail("prepare", err);
    }
  }

  private async takeManualSnapshotIfDue(owned: readonly RdsSnapshot[]): Promise<void> {
    const { config, clock } = this.deps;
    const mine = owned.map((s) => ownSnapshot(this.source.identifier, "snap", config.owner, s)!).filter((s) => s.state === "copied" || s.state === "started");
    const newest = Math.max(...mine.map((s) => s.createdAt.getTime()), Number.NEGATIVE_INFINITY);
    if (clock.now() - newest < config.manualSnapshotIntervalHours * HOUR_MS) {
      this.log.info("manual snapshot not due", { newest: new Date(newest).toISOString(), intervalHours: config.manualSnapshotIntervalHours });
      return;
    }
    const identifier = snapshotName(this.source.identifier, "snap", new Date(clock.now()));
    // No waiting here: the snapshot is copied by a later run once RDS reports it available.
    const created = await this.api.create(this.deps.source, this.source.identifier, identifier, this.ownerTags);
    this.summary.manualSnapshot = identifier;
    this.log.info(created === undefined ? "a concurrent run took this manual snapshot first" : "manual snapshot started", { snapshot: identifier });
  }

  private async expireManualSnapshots(owned: readonly RdsSnapshot[]): Promise<void> {
    const mine = owned.map((s) => ownSnapshot(this.source.identifier, "snap", this.deps.config.owner, s)!);
    const keep = newestCopied(mine);
    for (const snapshot of this.expired(mine, keep)) {
      try {
        await this.api.remove(this.deps.source, snapshot.identifier);
        this.summary.manualSnapshotsDeleted += 1;
        this.log.info("expired manual snapshot deleted", { snapshot: snapshot.identifier, createdAt: snapshot.createdAt.toISOString() });
      } catch (err) {
        this.fail(`expire ${snapshot.identifier}`, err);
      }
    }
  }

  /** Available or failed snapshots created before the retention cutoff, except `keep` (the newest available one). */
  expired(snapshots: readonly OwnSnapshot[], keep: OwnSnapshot | undefined): OwnSnapshot[] {
    const cutoff = this.deps.clock.now() - this.deps.config.retentionDays * DAY_MS;
    return snapshots.filter((s) => s !== keep && (s.state === "copied" || s.state === "failed") && s.createdAt.getTime() < cutoff);
  }

  /** Lists this database's copies in the destination and records each in the ledger; false when the listing failed. */
  async listCopies(destination: Destination): Promise<boolean> {
    try {
      const listed = await this.api.list(this.deps.targets[destination.region]!, this.source.identifier, "manual");
      const copies = listed.map((s) => ownSnapshot(this.source.identifier, "copy", this.deps.config.owner, s)).filter((c): c is OwnSnapshot => c !== undefined);
      for (const copy of copies) {
        if (copy.state !== "deleting") await this.record(destination.region, copy, copy.state);
      }
      this.copies.set(destination.region, copies);
      this.log.info("copies recorded", { region: destination.region, copies: copies.map(({ identifier, status }) => ({ identifier, status })) });
      return true;
    } catch (err) {
      this.fail(`progress ${destination.region}`, err);
      return false;
    }
  }

  /** This database's copies in the region as listed this run (plus those it started); `undefined` when the listing failed. */
  copiesIn(region: string): readonly OwnSnapshot[] | undefined {
    return this.copies.get(region);
  }

  /** This database's copies being made in the destination (they count against RDS's limit on concurrent copies). */
  inFlight(region: string): number {
    return (this.copies.get(region) ?? []).filter((c) => c.state === "started").length;
  }

  /** True when there is a snapshot to copy and the destination (listed) has no copy of it yet. */
  needsCopy(region: string): boolean {
    const copies = this.copies.get(region);
    if (this.candidate === undefined || copies === undefined) return false;
    const name = snapshotName(this.source.identifier, "copy", this.candidate.createdAt);
    return !copies.some((c) => c.identifier === name);
  }

  defer(region: string): void {
    this.destination(region).deferred = true;
    this.log.warn("copy deferred to a later run: the region has the most copies in flight", { region, snapshot: this.candidate?.identifier });
  }

  /** Requests the copy; true when a copy is now being made (by this run or, first, by a concurrent one). */
  async startCopy(destination: Destination): Promise<boolean> {
    const source = this.candidate!;
    const targetIdentifier = snapshotName(this.source.identifier, "copy", source.createdAt);
    try {
      const tags = { ...this.ownerTags, [SOURCE_SNAPSHOT_TAG]: source.identifier };
      const reported = await this.api.copy(this.deps.targets[destination.region]!, { sourceArn: source.arn, targetIdentifier, kmsKeyId: destination.kmsKeyId, tags });
      this.destination(destination.region).started += 1;
      if (reported === undefined) {
        // That run recorded it; the next listing records it again from what RDS reports.
        this.log.info("a concurrent run started this copy first", { region: destination.region, sourceSnapshot: source.identifier, copy: targetIdentifier });
        return true;
      }
      // What RDS reported, completed with what a later listing reads, so that both write the same item.
      const copy: OwnSnapshot = {
        identifier: targetIdentifier,
        arn: reported.arn ?? copyArn(source.arn, destination.region, this.api.arnResource, targetIdentifier),
        status: reported.status,
        state: "started",
        createdAt: reported.createdAt ?? source.createdAt,
        sourceSnapshotId: source.identifier,
        kmsKeyId: destination.kmsKeyId,
      };
      this.copies.get(destination.region)!.push(copy);
      await this.record(destination.region, copy, "started");
      this.log.info("copy started", { region: destination.region, sourceSnapshot: source.identifier, sourceCreatedAt: source.createdAt.toISOString(), copy: targetIdentifier });
      return true;
    } catch (err) {
      this.fail(`copy ${destination.region}`, err);
      return false;
    }
  }

  /** Deletes this database's copies in the destination that are past retention. */
  async expire(region: string): Promise<void> {
    const copies = this.copies.get(region);
    if (copies === undefined) return;
    const gone = new Set<string>();
    for (const copy of this.expired(copies, newestCopied(copies))) {
      try {
        await this.api.remove(this.deps.targets[region]!, copy.identifier);
        await this.record(region, copy, "deleted");
        gone.add(copy.identifier);
        this.log.info("expired copy deleted", { region, copy: copy.identifier, status: copy.status, createdAt: copy.createdAt.toISOString(), retentionDays: this.deps.config.retentionDays });
      } catch (err) {
        this.fail(`expire ${region} ${copy.identifier}`, err);
      }
    }
    this.destination(region).deleted = gone.size;
    this.copies.set(region, copies.filter((c) => !gone.has(c.identifier)));
  }

  /** Publishes the age of the newest copy (none while there is none: the alarm treats missing data as breaching) and the failed count. */
  measure(region: string): void {
    const copies = this.copies.get(region);
    if (copies === undefined) return;
    const remaining = copies.filter((c) => c.state !== "deleting");
    const summary = this.destination(region);
    summary.copied = remaining.filter((c) => c.state === "copied").length;
    summary.inProgress = remaining.filter((c) => c.state === "started").length;
    summary.failed = remaining.filter((c) => c.state === "failed").length;
    const dimensions = { Database: this.source.name, DestinationRegion: region };
    const newest = newestCopied(remaining);
    if (newest !== undefined) {
      const ageHours = Math.round(((this.deps.clock.now() - newest.createdAt.getTime()) / HOUR_MS) * 100) / 100;
      this.deps.metrics.put("SnapshotCopyAgeHours", ageHours, "None", dimensions);
    }
    this.deps.metrics.put("SnapshotCopiesFailed", summary.failed, "Count", dimensions);
  }

  /** Writes a copy's ledger item, skipping an item identical to one this run already wrote. */
  private async record(region: string, copy: OwnSnapshot, status: SnapshotStatus): Promise<void> {
    const { config } = this.deps;
    const item = ledgerItems.snapshot({
      environment: config.environment,
      database: this.source.name,
      snapshotId: copy.sourceSnapshotId,
      sourceRegion: config.sourceRegion,
      targetRegion: region,
      targetSnapshotArn: copy.arn,
      status,
      error: status === "failed" ? copy.status : undefined,
      occurredAt: copy.createdAt.toISOString(),
      originRegion: config.sourceRegion,
    });
    const serialized = JSON.stringify(item);
    if (this.written.has(serialized)) return;
    await this.deps.ledger.put(item);
    this.written.add(serialized);
  }
}
