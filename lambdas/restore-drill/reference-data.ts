/**
 * The reference-data files a restored copy is compared with: the environment's data-sync folder of
 * the database (`<data prefix><db>/`), read from the DR-region copy of the artifacts bucket (the
 * `dr-copy` replication rule keeps every key as it is), so a drill needs nothing of the primary
 * region. Only files last modified at or before the snapshot was taken are compared: a file changed
 * later was not yet synced into the copy, and comparing it would report a difference the restore
 * did not cause. A replica's last-modified time is never earlier than its source's, so the filter
 * errs towards skipping a file, never towards comparing one the snapshot cannot hold.
 */
import type { FileSource } from "../../engine/source";
import type { S3FileSource } from "../shared/s3-source";

export interface ReferenceDataAsOf {
  /** The files to compare, as the engine's source. */
  readonly source: FileSource;
  /** Files left out because they changed after the snapshot was taken. */
  readonly skipped: readonly string[];
}

export async function referenceDataAsOf(folder: S3FileSource, takenAt: Date | undefined): Promise<ReferenceDataAsOf> {
  const files = await folder.objects();
  const current = (modified: Date | undefined) => takenAt === undefined || (modified !== undefined && modified.getTime() <= takenAt.getTime());
  const names = files.filter((f) => current(f.lastModified)).map((f) => f.name);
  const skipped = files.filter((f) => !current(f.lastModified)).map((f) => f.name);
  const source: FileSource = {
    description: `${folder.description} (as of ${takenAt?.toISOString() ?? "now"})`,
    list: async () => names,
    read: (name) => folder.read(name),
    readBytes: (name) => folder.readBytes(name),
  };
  return { source, skipped };
}
