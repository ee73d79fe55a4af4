import { parseArgs } from "node:util";
import type { DrAction } from "../../lambdas/shared/ledger";

export const USAGE = `usage:
  npm run dr -- status     <env> [<db>]
  npm run dr -- switchover <env> [<db>] [--to <region>] [--force] [--yes]
  npm run dr -- failover   <env> [<db>] [--to <region>] [--detach] [--force] [--yes]

Operates the Aurora global databases of an environment with disasterRecovery (docs/disaster-recovery.md),
with the operator's credentials assuming the environment's deployment role. Without <db>: every database.

  status       writer region, secondary health, synchronization and replication lag of each database
  switchover   planned move of the writer, no data loss (SwitchoverGlobalCluster); both regions must be up
  failover     region outage: managed failover allowing data loss (FailoverGlobalCluster, AllowDataLoss),
               or with --detach: RemoveFromGlobalCluster, which promotes the target to a standalone cluster

options:
  --to <region>       region that should hold the writer (default: the configured drRegion; the
                      primaryRegion to switch back)
  --force             go ahead although the replication lag is above disasterRecovery.maxSwitchoverLagSeconds
                      or unknown (never overrides an unavailable target)
  --yes               do not ask for confirmation (needed when not run from a terminal)
  --detach            failover: detach-and-promote instead of the managed failover
  --wait-minutes <n>  stop watching after n minutes (default 30); RDS carries on, a re-run keeps watching
  -h, --help          this text

Safe to re-run: each run reads what RDS reports and only watches a move already in progress, or says
there is nothing to do. Exit status: 0 done, 1 refused / declined / failed / still in progress, 2 usage.`;

export type DrArguments =
  | { readonly command: "help" }
  | { readonly command: "status"; readonly environment: string; readonly database?: string }
  | {
      readonly command: "move";
      readonly action: DrAction;
      readonly environment: string;
      readonly database?: string;
      readonly toRegion?: string;
      readonly force: boolean;
      readonly yes: boolean;
      readonly waitMinutes: number;
    };

export class UsageError extends Error {}

export function parseDrArguments(argv: readonly string[]): DrArguments {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help") return { command: "help" };
  if (command !== "status" && command !== "switchover" && command !== "failover") {
    throw new UsageError(`expected status, switchover or failover, got ${command === undefined ? "nothing" : `"${command}"`}`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        to: { type: "string" },
        force: { type: "boolean" },
        yes: { type: "boolean" },
        detach: { type: "boolean" },
        "wait-minutes": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError(`${command} takes <env> and optionally <db>, got ${positionals.length} argument(s)`);
  const [environment, database] = positionals;
  if (command === "status") {
    const misplaced = (["to", "force", "yes", "detach", "wait-minutes"] as const).find((o) => values[o] !== undefined);
    if (misplaced) throw new UsageError(`--${misplaced} is not an option of status`);
    return { command: "status", environment, database };
  }
  if (values.detach && command !== "failover") throw new UsageError("--detach is an option of failover only");
  const waitMinutes = values["wait-minutes"] === undefined ? 30 : Number(values["wait-minutes"]);
  if (!Number.isInteger(waitMinutes) || waitMinutes < 1) throw new UsageError(`--wait-minutes must be a whole number of minutes, 1 or more, not ${values["wait-minutes"]}`);
  const action: DrAction = command === "switchover" ? "switchover" : values.detach ? "detach-and-promote" : "failover";
  return { command: "move", action, environment, database, toRegion: values.to, force: values.force === true, yes: values.yes === true, waitMinutes };
}
