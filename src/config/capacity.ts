import { childPath, readNumber, readString, type Problems } from "./reader";
import type { DatabaseConfig, DatabaseEngine, ReaderScaling } from "./types";

/**
 * The oldest minor version of each Aurora PostgreSQL major that lets Serverless v2 scale to 0 ACUs
 * (automatic pause); every later major supports it. From the Aurora User Guide ("Scaling to Zero ACUs
 * with automatic pause and resume") and the AWS Database Blog announcement of November 2024.
 */
export const POSTGRES_ZERO_CAPACITY_MINORS: Readonly<Record<number, number>> = { 13: 15, 14: 12, 15: 7, 16: 3 };
/** Aurora MySQL supports 0 ACUs from 3.08.0 on. */
export const MYSQL_ZERO_CAPACITY_FROM = [3, 8, 0] as const;

/** AWS's bounds on `SecondsUntilAutoPause`, and the platform's default (AWS's smallest: 5 minutes). */
export const AUTO_PAUSE_SECONDS = { min: 300, max: 86_400, default: 300 } as const;

export const READER_SCALING: readonly ReaderScaling[] = ["with-writer", "independent"];

/** Whether the engine version lets a cluster scale to 0 ACUs; undefined when the version names no minor. */
export function supportsZeroCapacity(engine: DatabaseEngine, engineVersion: string): boolean | undefined {
  if (engine === "aurora-mysql") {
    const aurora = /mysql_aurora\.(\d+)\.(\d+)\.(\d+)$/.exec(engineVersion);
    if (!aurora) return undefined;
    const parts = aurora.slice(1).map(Number);
    for (let i = 0; i < parts.length; i++) if (parts[i] !== MYSQL_ZERO_CAPACITY_FROM[i]) return parts[i]! > MYSQL_ZERO_CAPACITY_FROM[i]!;
    return true;
  }
  const [major, minor] = engineVersion.split(".").map(Number);
  const from = POSTGRES_ZERO_CAPACITY_MINORS[major!];
  if (from === undefined) return major! > 16;
  return minor === undefined || Number.isNaN(minor) ? undefined : minor >= from;
}

function zeroCapacityVersions(engine: DatabaseEngine): string {
  return engine === "aurora-mysql"
    ? `8.0.mysql_aurora.${MYSQL_ZERO_CAPACITY_FROM[0]}.0${MYSQL_ZERO_CAPACITY_FROM[1]}.${MYSQL_ZERO_CAPACITY_FROM[2]} or later`
    : `${Object.entries(POSTGRES_ZERO_CAPACITY_MINORS).map(([major, minor]) => `${major}.${minor}`).join(", ")} or later minors, or 17 and later`;
}

type Capacity = Pick<DatabaseConfig, "minCapacity" | "maxCapacity" | "secondsUntilAutoPause" | "secondaryMinCapacity" | "readerScaling">;

export interface CapacityContext {
  readonly engine: DatabaseEngine | undefined;
  readonly engineVersion: string | undefined;
  /** The environment's `disasterRecovery`: its clusters are then members of an Aurora global database. */
  readonly disasterRecovery: boolean;
}

/**
 * The Serverless v2 capacity of one database: the primary cluster's floor and ceiling, automatic
 * pause at a floor of 0, the DR secondary's floor and how readers scale. Every problem is added to `p`
 * by its path. Defaults are today's: 0.5 to 1 ACU, the secondary at the primary's floor, readers with
 * the writer.
 */
export function readCapacity(p: Problems, path: string, raw: Record<string, unknown>, context: CapacityContext): Capacity {
  const at = (field: string) => childPath(path, field);
  const minCapacity = readNumber(p, at("minCapacity"), raw.minCapacity, { min: 0, max: 256, step: 0.5 }) ?? 0.5;
  const maxCapacity = readNumber(p, at("maxCapacity"), raw.maxCapacity, { min: 1, max: 256, step: 0.5 }) ?? 1;
  if (raw.minCapacity !== undefined || raw.maxCapacity !== undefined) {
    if (minCapacity > maxCapacity) p.add(at("minCapacity"), `must not exceed maxCapacity (${minCapacity} > ${maxCapacity})`);
  }

  if (minCapacity === 0) checkZeroCapacity(p, at("minCapacity"), context);
  const pause = readNumber(p, at("secondsUntilAutoPause"), raw.secondsUntilAutoPause, { integer: true, min: AUTO_PAUSE_SECONDS.min, max: AUTO_PAUSE_SECONDS.max });
  if (pause !== undefined && minCapacity !== 0) {
    p.add(at("secondsUntilAutoPause"), `only applies to a cluster that scales to 0 ACUs; set minCapacity to 0 or remove secondsUntilAutoPause`);
  }
  const secondsUntilAutoPause = minCapacity === 0 ? (pause ?? AUTO_PAUSE_SECONDS.default) : undefined;

  const secondary = readNumber(p, at("secondaryMinCapacity"), raw.secondaryMinCapacity, { min: 0.5, max: 256, step: 0.5 });
  if (secondary !== undefined && !context.disasterRecovery) {
    p.add(at("secondaryMinCapacity"), "only applies with disasterRecovery, which this environment has off; remove it or turn disasterRecovery on");
  } else if (secondary !== undefined && secondary > maxCapacity) {
    p.add(at("secondaryMinCapacity"), `must not exceed maxCapacity (${secondary} > ${maxCapacity})`);
  }
  const readerScaling = (readString(p, at("readerScaling"), raw.readerScaling, { oneOf: READER_SCALING }) as ReaderScaling | undefined) ?? "with-writer";
  return { minCapacity, maxCapacity, ...(secondsUntilAutoPause !== undefined ? { secondsUntilAutoPause } : {}), secondaryMinCapacity: secondary ?? minCapacity, readerScaling };
}

function checkZeroCapacity(p: Problems, path: string, context: CapacityContext): void {
  if (context.disasterRecovery) {
    p.add(path, "is 0, but this environment has disasterRecovery on and Aurora cannot pause a cluster of a global database; set minCapacity to 0.5 or more, or disasterRecovery to false");
    return;
  }
  if (context.engine === undefined || context.engineVersion === undefined) return;
  const supported = supportsZeroCapacity(context.engine, context.engineVersion);
  if (supported === true) return;
  const why = supported === undefined ? `engineVersion "${context.engineVersion}" names no minor version` : `engine version ${context.engineVersion} cannot scale to 0 ACUs`;
  p.add(path, `is 0, but ${why}; use ${zeroCapacityVersions(context.engine)}, or set minCapacity to 0.5 or more`);
}
