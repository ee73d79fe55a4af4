/**
 * Command line for the engine:
 *   npm run migrate -- [info|repair] --engine <postgres|mysql> --url <url> --dir <folder> [options]
 *   npm run data-sync -- --engine <postgres|mysql> --url <url> --dir <folder> [--prune [--allow-mass-prune]] [--dry-run]
 * Prints one line per file and a summary; exits 0 on success, 1 with a one-line reason on failure,
 * 2 on a usage error.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import type { ConnectionSettings } from "./database";
import type { EngineName } from "./dialects/types";
import { messageOf } from "./errors";
import { directorySource } from "./source";

const HELP = `Usage:
  npm run migrate -- [info | repair] --engine <postgres|mysql> --url <url> --dir <folder> [options]
  npm run data-sync -- --engine <postgres|mysql> --url <url> --dir <folder> [options]

migrate        applies pending V<version>__<description>.sql files in version order
migrate info   lists applied, pending and failed migrations
migrate repair resolves a failed migration (MySQL/MariaDB) after you fixed the database by hand:
               removes its record so the file runs again, or with --mark-applied records it as applied
data-sync      makes each table hold the rows of <table>.json / <table>.csv (upsert by primary key)

Options:
  --engine <postgres|mysql>  server type (mysql covers MariaDB and Aurora MySQL); default: from the URL scheme
  --url <url>                connection URL, e.g. postgres://user:pass@host:5432/db; default: $DATABASE_URL
  --dir <folder>             folder holding the files
  --lock-timeout <seconds>   wait at most this long for another run's lock (default 30)
  --dry-run                  migrate: list what would be applied; data-sync: report counts, then roll back
  --target <version>         migrate: stop after this version
  --allow-out-of-order       migrate: apply new files whose version is below the last applied one
  --history-table <name>     migrate: history table (default schema_migration_history)
  --applied-by <text>        migrate: who/where, recorded in the history (default user@hostname)
  --mark-applied             repair: record the failed migration as applied instead of removing it
  --prune                    data-sync: delete rows that are not in the file
  --allow-mass-prune         data-sync: let --prune delete more than half of a table's rows
  --batch-size <rows>        data-sync: rows per staging statement (default 20000)
  -h, --help                 show this help
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
  const url = values.url ?? process.env.DATABASE_URL;
  if (!url) throw new UsageError("--url is required (or set DATABASE_URL)");
  if (!values.dir) throw new UsageError("--dir is required");
  if (values.engine !== undefined && values.engine !== "postgres" && values.engine !== "mysql") {
    throw new UsageError(`--engine must be postgres or mysql, got ${values.engine}`);
  }
  const settings: ConnectionSettings & { lockTimeoutMs?: number } = {
    engine: values.engine as EngineName | undefined,
    connection: url,
    lockTimeoutMs: values["lock-timeout"] === undefined ? undefined : seconds(values["lock-timeout"]),
  };
  const source = directorySource(resolve(values.dir));
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
      historyTable: values["history-table"],
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
    const rows = await info({ ...settings, source, historyTable: values["history-table"] });
    for (const r of rows) {
      const when = r.appliedAt ? ` ${r.appliedAt.toISOString()} by ${r.appliedBy} (${r.durationMs} ms)` : "";
      const error = r.error ? ` error: ${r.error}` : "";
      console.log(`${r.state.padEnd(12)} ${r.version.padEnd(10)} ${r.script}${when}${error}`);
    }
    const count = (state: string) => rows.filter((r) => r.state === state).length;
    console.log(`${count("applied")} applied, ${count("pending")} pending, ${count("failed")} failed, ${count("out-of-order")} out of order, ${count("changed")} changed, ${count("missing")} missing`);
    return 0;
  }
  if (command === "migrate" && sub === "repair") {
    const { repair } = await import("./migrator");
    const result = await repair({ ...settings, source, historyTable: values["history-table"], markApplied: values["mark-applied"] });
    for (const v of result.removed) console.log(`removed the failed record of version ${v}: its file runs again on the next migrate`);
    for (const v of result.markedApplied) console.log(`recorded version ${v} as applied`);
    if (result.removed.length + result.markedApplied.length === 0) console.log("nothing to repair: no failed migration is recorded");
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
  throw new UsageError(`unknown command ${[command, sub].filter(Boolean).join(" ") || "(none)"}: use migrate, migrate info, migrate repair or data-sync`);
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`--lock-timeout must be a number of seconds, got ${text}`);
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
