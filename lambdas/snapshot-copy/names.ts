/**
 * Names of the snapshots this function makes: `<source>-copy-<YYYYMMDD>-<HHmm>` for a copy (named
 * after its SOURCE snapshot's creation time, never the run's) and `<source>-snap-<YYYYMMDD>-<HHmm>`
 * for a manual snapshot taken in the source region. Both fit RDS's identifier rules (at most 63
 * characters, a letter first, letters, digits and single hyphens, no hyphen at the end): a source
 * identifier too long for the suffix is cut, and a hyphen left at the cut is dropped.
 *
 * Imported by the infrastructure too (`src/snapshots`), so the role's ARN patterns and the
 * function's names cannot drift apart.
 */

/** RDS's limit for DB snapshot and DB cluster snapshot identifiers. */
export const MAX_SNAPSHOT_IDENTIFIER_LENGTH = 63;

/** What a name is for: a copy in a destination, or a manual snapshot in the source region. */
export type NameRole = "copy" | "snap";

const TIME_LENGTH = "YYYYMMDD-HHmm".length;

/** `<source, cut to fit>-<role>-`: every name of that source and role starts with it. */
export function namePrefix(sourceIdentifier: string, role: NameRole): string {
  const room = MAX_SNAPSHOT_IDENTIFIER_LENGTH - (role.length + 2) - TIME_LENGTH;
  return `${sourceIdentifier.slice(0, room).replace(/-+$/, "")}-${role}-`;
}

/** The name for `time` (UTC, to the minute). */
export function snapshotName(sourceIdentifier: string, role: NameRole, time: Date): string {
  const iso = time.toISOString();
  return `${namePrefix(sourceIdentifier, role)}${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/**
 * The time encoded in `identifier` when it is exactly such a name of that source and role, else
 * `undefined` (manual snapshots with other names are never treated as the function's own).
 */
export function nameTime(sourceIdentifier: string, role: NameRole, identifier: string): Date | undefined {
  const prefix = namePrefix(sourceIdentifier, role);
  if (!identifier.startsWith(prefix)) return undefined;
  const match = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})$/.exec(identifier.slice(prefix.length));
  if (match === null) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const time = new Date(Date.UTC(year, month - 1, day, hour, minute));
  // Date.UTC rolls 20241340 over into 2025; only a round trip proves the digits were a real time.
  return snapshotName(sourceIdentifier, role, time) === identifier ? time : undefined;
}
