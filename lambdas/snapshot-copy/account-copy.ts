/**
 * The copy into another account, for one database: shares its newest copy in the account copy's
 * region with that account and copies it there through that account's role.
 */
import type { AccountCopy } from "./config";
import { ownSnapshot, newestCopied, SOURCE_SNAPSHOT_TAG, type OwnSnapshot } from "./snapshots";
import type { DatabaseSummary, SourceRun } from "./source";

const HOUR_MS = 3_600_000;

/**
 * The copy into another account, after the destination `target.region` was processed: share the
 * newest available copy there (copy runs), then, with the role of that account, list its copies of
 * this database, copy the shared snapshot under the same name and that account's key unless it is
 * there (copy runs), expire its old ones (copy runs) and publish its age. Automated snapshots and
 * snapshots under the default aws/rds key cannot be shared; the copies in that region are manual
 * and encrypted with a key whose policy lets the account's role use it. Not written to the ledger:
 * the ledger keys copies by region only.
 */
export async function copyToAccount(run: SourceRun, target: AccountCopy, action: "copy" | "check"): Promise<void> {
  const copies = run.copiesIn(target.region);
  if (copies === undefined || run.deps.account === undefined) return;
  const summary = { region: target.region, accountId: target.accountId, started: 0, copied: 0, inProgress: 0, failed: 0, deleted: 0 } as NonNullable<DatabaseSummary["account"]>;
  run.summary.account = summary;
  const step = `account ${target.accountId} ${target.region}`;
  try {
    // Only a copy under the region's current key can be used by the other account: copies made
    // before the account copy was configured are under the DR key, which does not grant it.
    const regionKey = run.deps.config.destinations.find((d) => d.region === target.region)?.kmsKeyId;
    const shared = newestCopied(copies.filter((c) => c.kmsKeyId === undefined || c.kmsKeyId === regionKey));
    if (action === "copy" && shared !== undefined) {
      await run.api.share(run.deps.targets[target.region]!, shared.identifier, target.accountId);
      summary.shared = shared.identifier;
    }
    const listed = await run.api.list(run.deps.account, run.source.identifier, "manual");
    let theirs = listed.map((s) => ownSnapshot(run.source.identifier, "copy", run.deps.config.owner, s)).filter((c): c is OwnSnapshot => c !== undefined);
    if (action === "copy" && shared?.arn !== undefined && !theirs.some((c) => c.identifier === shared.identifier)) {
      // The same name as the shared copy: it encodes the source snapshot's time, so a second run finds it.
      const tags = { ...run.ownerTags, [SOURCE_SNAPSHOT_TAG]: shared.sourceSnapshotId };
      const reported = await run.api.copy(run.deps.account, { sourceArn: shared.arn, targetIdentifier: shared.identifier, kmsKeyId: target.kmsKeyId, tags });
      summary.started += 1;
      if (reported !== undefined) theirs = [...theirs, { identifier: shared.identifier, arn: reported.arn, status: reported.status, state: "started", createdAt: reported.createdAt ?? shared.createdAt, sourceSnapshotId: shared.sourceSnapshotId }];
      run.log.info("copy into the other account started", { accountId: target.accountId, region: target.region, copy: shared.identifier });
    }
    if (action === "copy") {
      const gone = new Set<string>();
      for (const copy of run.expired(theirs, newestCopied(theirs))) {
        await run.api.remove(run.deps.account, copy.identifier);
        gone.add(copy.identifier);
      }
      summary.deleted = gone.size;
      theirs = theirs.filter((c) => !gone.has(c.identifier));
    }
    const remaining = theirs.filter((c) => c.state !== "deleting");
    summary.copied = remaining.filter((c) => c.state === "copied").length;
    summary.inProgress = remaining.filter((c) => c.state === "started").length;
    summary.failed = remaining.filter((c) => c.state === "failed").length;
    const dimensions = { Database: run.source.name, DestinationRegion: target.region, DestinationAccount: target.accountId };
    const newest = newestCopied(remaining);
    if (newest !== undefined) run.deps.metrics.put("SnapshotCopyAgeHours", Math.round(((run.deps.clock.now() - newest.createdAt.getTime()) / HOUR_MS) * 100) / 100, "None", dimensions);
    run.deps.metrics.put("SnapshotCopiesFailed", summary.failed, "Count", dimensions);
  } catch (err) {
    run.fail(step, err);
  }
}
