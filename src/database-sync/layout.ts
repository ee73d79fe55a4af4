/**
 * Where migrations and reference data live in the artifacts buckets, and where each environment
 * copies them for the next one. The only place that knows the layout: the wiring gives each
 * function its read prefix (what it listens on and reads) and its promotion prefix from here.
 *
 * S3 replication keeps keys as they are, and does not replicate replicas again, so every hop writes
 * a fresh object whose key the next environment reads unchanged:
 *
 *   first environment (dev) reads      migrations/<db>/V3__x.sql             (written by people / CI)
 *   dev copies a clean file to         <dev promotionPrefix>staging/migrations/<db>/V3__x.sql
 *     → replicated as is into the staging bucket, where staging reads it
 *   staging copies a clean file to     <staging promotionPrefix>prod/migrations/<db>/V3__x.sql
 *     → replicated as is into the prod bucket, where prod reads it (prod promotes nothing)
 *
 * The next environment's name in the key keeps every environment's read folder and copy folder
 * apart even when all environments use the same promotion prefix (`promote/`): a function never
 * receives events for its own copies, and a copy never overwrites the file it was made from.
 */
import type { EnvironmentConfig, PlatformConfig } from "../config/types";

/** What a database-sync function handles: schema migrations or reference data. */
export type SyncKind = "schema" | "data";

/** The top folder of each kind, as written by people in the first environment. */
export const KIND_FOLDERS: Readonly<Record<SyncKind, string>> = { schema: "migrations/", data: "reference-data/" };

/** The folder an environment reads files of `kind` from (and listens on): `<db>/<file>` below it. */
export function readPrefix(platform: PlatformConfig, environment: EnvironmentConfig, kind: SyncKind): string {
  const previous = neighbour(platform, environment, -1);
  return previous === undefined ? KIND_FOLDERS[kind] : inbound(previous, environment, kind);
}

/** The folder an environment copies clean files of `kind` into; undefined in the last environment. */
export function promotionPrefix(platform: PlatformConfig, environment: EnvironmentConfig, kind: SyncKind): string | undefined {
  const next = neighbour(platform, environment, 1);
  return next === undefined ? undefined : inbound(environment, next, kind);
}

/** Keys `from` writes for `to`: under `from`'s replicated promotion prefix, then `to`'s name. */
function inbound(from: EnvironmentConfig, to: EnvironmentConfig, kind: SyncKind): string {
  return `${from.artifacts.promotionPrefix}${to.name}/${KIND_FOLDERS[kind]}`;
}

function neighbour(platform: PlatformConfig, environment: EnvironmentConfig, step: 1 | -1): EnvironmentConfig | undefined {
  const position = platform.promotionOrder.indexOf(environment.name);
  if (position === -1) throw new Error(`Environment ${environment.name} is not in the promotion order ${platform.promotionOrder.join(", ")}.`);
  const name = platform.promotionOrder[position + step];
  return name === undefined ? undefined : platform.environments.find((e) => e.name === name);
}
