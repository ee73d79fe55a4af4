/**
 * Command line for the engine (installed as the package's `replica-engine` bin, or run with
 * `npm run migrate` / `npm run data-sync`):
 *   replica-engine migrate [info|validate|repair|baseline] --url <url> --dir <folder> [options]
 *   replica-engine data-sync --url <url> --dir <folder> [--prune [--allow-mass-prune]] [--dry-run]
 * Prints one line per file and a summary; exits 0 on success, 1 with a one-line reason on failure,
 * 2 on a usage error.
 */
import { parseArgs } from "node:util";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { MigrationSettings } from "./migrator";
import type { EngineName } from "./dialects/types";
import { messageOf } from "./errors";
import { directorySource } from "./source";

const HELP = `Usage:
  replica-engine migrate [info | validate | repair | baseline] --url <url> --dir <folder> [options]
  replica-engine data-sync --url <url> --dir <folder> [options]
  (in this repository: npm run migrate -- [info | validate | repair | baseline] ..., npm run data-sync -- ...)

Commands:
  migrate            applies pending V<version>__<description>.sql files in version order, then
                     R__<description>.sql files (repeatable) that are new or changed, in name order
  migrate info       lists every migration and its state (applied, pending, failed, unfinished,
                     changed, missing, out-of-order, outdated); always exits 0
  migrate validate   the CI gate: exits 1, naming the files, when an applied file changed or is
                     missing, or a failed or unfinished migration is not repaired; 0 otherwise
  migrate repair     resolves failed and unfinished migrations after you fixed the database by hand:
                     removes their record so the file runs again (or --mark-applied records them as
                     applied); --accept-checksums, --forget-missing: see below
  migrate baseline   adopts an existing database: records the files up to --version as applied
                     without running them (only on a database without migration history)
  data-sync          makes each table hold the rows of <table>.json / <table>.csv (upsert by primary key)

Options:
  --engine <postgres|mysql>     server type (mysql covers MariaDB and Aurora MySQL); default: from the URL scheme
  --url <url>                   connection URL, e.g. postgres://user:pass@host:5432/db; default: $DATABASE_URL
  --dir <folder>                folder holding the files, relative to the folder the command is run
                                in (under npm run: the folder npm was started in, $INIT_CWD)
  --lock-timeout <seconds>      wait at most this long for another run's lock, and for a free
                                connection while the server is full (default 30)
  --connect-timeout <seconds>   give up on one connection attempt after this long (default 10)
  --table-lock-timeout <seconds> migrate: a statement waits at most this long for a table or row
                                lock (PostgreSQL lock_timeout, MySQL lock_wait_timeout; default 10; 0: no limit)
  --statement-timeout <seconds> migrate: a statement runs at most this long (PostgreSQL
                                statement_timeout, MariaDB max_statement_time; default 900; 0: no limit)
  --dry-run                     migrate: list what would be applied; data-sync: report counts, then roll back
  --target <version>            migrate: stop after this version
  --allow-out-of-order          migrate: apply new files whose version is below the last applied one
  --history-table <name>        migrate: history table (default schema_migration_history)
  --applied-by <text>           migrate: who/where, recorded in the history (default user@hostname)
  --mark-applied                repair: record failed / unfinished migrations as applied instead of removing them
  --accept-checksums            repair: record the current checksum of applied files you edited on purpose
  --forget-missing              repair: remove the history rows of applied files that were deleted
  --version <version>           baseline: the last version the existing database already has
  --prune                       data-sync: delete rows that are not in the file
  --allow-mass-prune            data-sync: let --prune delete more than half of a table's rows
  --batch-size <rows>           data-sync: rows per staging statement (default 20000)
  -h, --help                    show this help
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      engine: { type: "string" },
      url: { type: "string" },
      dir: { type: "string" },
      "lock-timeout": { type: "string" },
      "dry-run": { type: "boolean" },
      target: { type: "string" },
      "allow-out-of-order": { type: "boolean" },
      "history-table": { type: "string" },
      "applied-by": { type: "string" },
      "mark-applied": { type: "boolean" },
      "accept-checksums": { type: "boolean" },
      "forget-missing": { type: "boolean" },
      version: { type: "string" },
      "connect-timeout": { type: "string" },
      "table-lock-timeout": { type: "string" },
      "statement-timeout": { type: "string" },
      prune: { type: "boolean" },
      "allow-mass-prune": { type: "boolean" },
      "batch-size": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, sub, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (values.version !== undefined && !(command === "migrate" && sub === "baseline")) {
    throw new UsageError("--version <version> belongs to migrate baseline (the last version the existing database already has)");
  }
  const url = values.url ?? process.env.DATABASE_URL;
  if (!url) throw new UsageError("--url is required (or set DATABASE_URL)");
  if (!values.dir) throw new UsageError("--dir is required");
  if (values.engine !== undefined && values.engine !== "postgres" && values.engine !== "mysql") {
    throw new UsageError(`--engine must be postgres or mysql, got ${values.engine}`);
  }
  const dir = resolve(process.env.INIT_CWD ?? process.cwd(), values.dir);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--dir ${values.dir}: ${dir} is not a folder`);
  const source = directorySource(dir);
  const settings: Omit<MigrationSettings, "source"> = {
    engine: values.engine as EngineName | undefined,
    connection: url,
    lockTimeoutMs: seconds("--lock-timeout", values["lock-timeout"]),
    connectTimeoutMs: seconds("--connect-timeout", values["connect-timeout"]),
    tableLockTimeoutMs: seconds("--table-lock-timeout", values["table-lock-timeout"]),
    statementTimeoutMs: seconds("--statement-timeout", values["statement-timeout"]),
    historyTable: values["history-table"],
  };
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(2)} s`;

  // Each command loads only its own modules: start-up time is part of every run.
  if (command === "migrate" && sub === undefined) {
    const { migrate } = await import("./migrator");
    const result = await migrate({
      ...settings,
      source,
      dryRun: values["dry-run"],
      target: values.target,
      allowOutOfOrder: values["allow-out-of-order"],
      appliedBy: values["applied-by"],
      onProgress: (e) => {
        if (e.type === "applied") console.log(`applied ${e.migration.script} (${e.durationMs} ms)`);
        if (e.type === "would-apply") console.log(`would apply ${e.migration.script}`);
      },
    });
    for (const warning of result.warnings) console.log(`warning: ${warning}`);
    const at = result.currentVersion === undefined ? "no version applied yet" : `version ${result.currentVersion}`;
    if (result.dryRun) console.log(`dry run: ${result.wouldApply.length} migration(s) would be applied; database at ${at}`);
    else console.log(`${result.applied.length} migration(s) applied in ${elapsed()}; database at ${at}`);
    return 0;
  }
  if (command === "migrate" && sub === "info") {
    const { info } = await import("./migrator");
    const rows = await info({ ...settings, source });
    for (const r of rows) {
      const when = r.appliedAt ? ` ${r.appliedAt.toISOString()} by ${r.appliedBy} (${r.durationMs} ms)` : "";
      const error = r.error ? ` error: ${r.error}` : "";
      console.log(`${r.state.padEnd(12)} ${r.version.padEnd(10)} ${r.script}${when}${error}`);
    }
    const count = (state: string) => rows.filter((r) => r.state === state).length;
    console.log(
      `${count("applied")} applied, ${count("pending")} pending, ${count("failed")} failed, ${count("unfinished")} unfinished, ` +
        `${count("out-of-order")} out of order, ${count("changed")} changed, ${count("missing")} missing, ${count("outdated")} outdated`,
    );
    return 0;
  }
  if (command === "migrate" && sub === "validate") {
    const { validate } = await import("./migrator");
    const problems = await validate({ ...settings, source });
    if (problems.length === 0) {
      console.log("validated: every applied migration matches its file, and none is failed or unfinished");
      return 0;
    }
    for (const p of problems) console.log(`${p.problem.padEnd(12)} ${p.message}`);
    console.error(`error: validation failed: ${problems.map((p) => `${p.script} ${p.problem}`).join(", ")}`);
    return 1;
  }
  if (command === "migrate" && sub === "baseline") {
    if (values.version === undefined) throw new UsageError("migrate baseline needs --version <version>: the last version the database already has");
    const { baseline } = await import("./migration-repair");
    const result = await baseline({ ...settings, source, version: values.version, appliedBy: values["applied-by"] });
    for (const m of result.recorded) console.log(`recorded ${m.script} as applied (baseline, not run)`);
    console.log(`baseline at version ${values.version}: ${result.recorded.length} migration(s) recorded`);
    return 0;
  }
  if (command === "migrate" && sub === "repair") {
    const { repair } = await import("./migration-repair");
    const result = await repair({
      ...settings,
      source,
      markApplied: values["mark-applied"],
      acceptChecksums: values["accept-checksums"],
      forgetMissing: values["forget-missing"],
    });
    for (const v of result.removed) console.log(`removed the failed record of version ${v}: its file runs again on the next migrate`);
    for (const v of result.markedApplied) console.log(`recorded version ${v} as applied`);
    for (const v of result.checksumsAccepted) console.log(`recorded the current checksum of version ${v}`);
    for (const v of result.forgotten) console.log(`removed the record of version ${v}: its file is gone`);
    const changes = result.removed.length + result.markedApplied.length + result.checksumsAccepted.length + result.forgotten.length;
    if (changes === 0) console.log("nothing to repair: no failed or unfinished migration is recorded");
    return 0;
  }
  if (command === "data-sync" && sub === undefined) {
    const { syncData } = await import("./data-sync");
    const batch = values["batch-size"];
    const result = await syncData({
      ...settings,
      source,
      prune: values.prune,
      allowMassPrune: values["allow-mass-prune"],
      dryRun: values["dry-run"],
      batchSize: batch === undefined ? undefined : Number(batch),
      onProgress: ({ result: t }) =>
        console.log(`${t.file} -> ${t.table}: ${t.rows} rows, ${t.inserted} inserted, ${t.updated} updated, ${t.unchanged} unchanged, ${t.deleted} deleted`),
    });
    const verb = result.dryRun ? "dry run, rolled back" : "committed";
    console.log(`${result.tables.length} table(s) synced in ${elapsed()} (${verb})`);
    return 0;
  }
  throw new UsageError(
    `unknown command ${[command, sub].filter(Boolean).join(" ") || "(none)"}: use migrate, migrate info, migrate validate, migrate repair, migrate baseline or data-sync`,
  );
}

/** A number of seconds from the command line, in milliseconds; undefined when the option is absent. */
function seconds(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new UsageError(`${option} must be a number of seconds, got ${text}`);
  return value * 1000;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`error: ${messageOf(error)}${usage ? " (see --help)" : ""}`);
    process.exitCode = usage ? 2 : 1;
  },
);
