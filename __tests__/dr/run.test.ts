import { FailoverGlobalClusterCommand, RemoveFromGlobalClusterCommand, SwitchoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import type { DrAction, DrItem } from "../../lambdas/shared/ledger";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { runMove, type RunOptions } from "../../src/dr/run";
import { describeState, readGlobalDatabase } from "../../src/dr/state";
import { drEnvironment, DrTargetError, selectDatabases } from "../../src/dr/targets";
import { fakeClients, fakeWorld, type FakeWorld } from "./fake-global-database";

// GIVEN prod of the example: global databases ledger and catalog, writer in us-east-1, secondary in eu-west-1
const platform = validateConfig(structuredClone(EXAMPLE_CONFIG));
const target = drEnvironment(platform, "prod");
const PRIMARY = "us-east-1";
const DR = "eu-west-1";

function setup(edit: (world: FakeWorld) => void = () => {}) {
  const world = fakeWorld(target.databases);
  edit(world);
  const { clientsFor, rds } = fakeClients(world, [PRIMARY, DR]);
  const recorded: DrItem[] = [];
  const printed: string[] = [];
  let clock = Date.parse("2026-12-02T04:00:00Z");
  const deps = {
    clientsFor,
    record: async (item: DrItem) => void recorded.push(item),
    confirm: jest.fn(async () => true),
    print: (line: string) => void printed.push(line),
    sleep: async (ms: number) => void (clock += ms),
    now: () => new Date(clock),
  };
  const run = (action: DrAction, overrides: Partial<RunOptions> = {}) =>
    runMove({ environment: "prod", databases: target.databases, action, toRegion: DR, maxLagMs: 10_000, force: false, yes: false, pollIntervalMs: 1000, waitTimeoutMs: 60_000, operator: "arn:aws:sts::333333333333:assumed-role/Admin/ops", ...overrides }, deps);
  const calls = (region: string, command: any) => rds[region].commandCalls(command).map((c) => c.args[0].input);
  return { world, deps, run, recorded, printed, calls };
}

describe("the targets come from the configuration's names", () => {
  test("each database's global cluster and members, with ARNs in the environment's account", () => {
    const ledger = target.databases.find((d) => d.name === "ledger")!;
    expect(ledger).toEqual({
      name: "ledger",
      engine: "aurora-postgresql",
      globalClusterIdentifier: "replica-prod-ledger-global",
      primary: { region: PRIMARY, clusterIdentifier: "replica-prod-ledger", arn: "arn:aws:rds:us-east-1:333333333333:cluster:replica-prod-ledger" },
      secondary: { region: DR, clusterIdentifier: "replica-prod-ledger-eu-west-1", arn: "arn:aws:rds:eu-west-1:333333333333:cluster:replica-prod-ledger-eu-west-1" },
    });
    expect(target.roleArn).toBe("arn:aws:iam::333333333333:role/PlatformDeployment");
  });

  test("an environment without disaster recovery, or an unknown database, is refused by name", () => {
    expect(() => drEnvironment(platform, "dev")).toThrow(new DrTargetError("dev has no disaster recovery (disasterRecovery is off), so it has no global databases to switch over"));
    expect(() => selectDatabases(target, "orders")).toThrow(/prod has no database "orders" \(known: ledger, catalog\)/);
  });
});

describe("status", () => {
  test("shows the writer region, each member's health, synchronization and lag", async () => {
    const { deps } = setup();
    const text = describeState(await readGlobalDatabase(target.databases[0], deps.clientsFor, deps.now));
    expect(text).toContain("writer in us-east-1, available");
    expect(text).toContain("us-east-1: replica-prod-ledger writer (available)");
    expect(text).toContain("eu-west-1: replica-prod-ledger-eu-west-1 secondary (available, connected, lag 400 ms)");
  });

  test("still answers when the primary region is down, from the DR region", async () => {
    const { deps } = setup((w) => w.unreachable.add(PRIMARY));
    const state = await readGlobalDatabase(target.databases[0], deps.clientsFor, deps.now);
    expect(state.writerRegion).toBe(PRIMARY);
    expect(state.primary.unreachable).toMatch(/ETIMEDOUT/);
    expect(state.secondary.clusterStatus).toBe("available");
  });
});

describe("switchover", () => {
  test("switches every database to the DR region, watches RDS finish, and records started and completed", async () => {
    const { run, calls, recorded, world, deps } = setup();
    await expect(run("switchover")).resolves.toBe("done");
    expect(calls(DR, SwitchoverGlobalClusterCommand)).toEqual(target.databases.map((d) => ({ GlobalClusterIdentifier: d.globalClusterIdentifier, TargetDbClusterIdentifier: d.secondary.arn })));
    for (const d of target.databases) expect(world.globals.get(d.globalClusterIdentifier)!.writerArn).toBe(d.secondary.arn);
    expect(recorded.map((r) => `${r.database}:${r.status}`)).toEqual(["ledger:started", "ledger:completed", "catalog:started", "catalog:completed"]);
    expect(recorded[0]).toEqual(expect.objectContaining({ pk: "DR#prod", kind: "dr", action: "switchover", fromRegion: PRIMARY, toRegion: DR, lagMs: 400, operator: "arn:aws:sts::333333333333:assumed-role/Admin/ops" }));
    expect(recorded[1].sk).toMatch(/^ledger#2026-12-02T04:00:00\.000Z#switchover#completed$/);
    expect(deps.confirm).toHaveBeenCalledTimes(1);
  });

  test("asks once and does nothing when the operator declines", async () => {
    const { run, calls, recorded, deps } = setup();
    deps.confirm.mockResolvedValueOnce(false);
    await expect(run("switchover")).resolves.toBe("declined");
    expect(calls(DR, SwitchoverGlobalClusterCommand)).toEqual([]);
    expect(recorded).toEqual([]);
  });

  test("--yes does not ask", async () => {
    const { run, deps } = setup();
    await expect(run("switchover", { yes: true })).resolves.toBe("done");
    expect(deps.confirm).not.toHaveBeenCalled();
  });

  test("refuses when the lag is above the bound, for every database, unless forced", async () => {
    const { run, calls, printed, recorded } = setup((w) => (w.globals.get("replica-prod-catalog-global")!.lagMs["replica-prod-catalog-eu-west-1"] = 12_000));
    await expect(run("switchover")).resolves.toBe("refused");
    expect(calls(DR, SwitchoverGlobalClusterCommand)).toEqual([]); // not even ledger, whose lag was fine
    expect(recorded).toEqual([]);
    expect(printed.join("\n")).toContain("replication lag of replica-prod-catalog-eu-west-1 is 12000 ms, above disasterRecovery.maxSwitchoverLagSeconds (10000 ms); pass --force");

    const forced = setup((w) => (w.globals.get("replica-prod-catalog-global")!.lagMs["replica-prod-catalog-eu-west-1"] = 12_000));
    await expect(forced.run("switchover", { force: true })).resolves.toBe("done");
    expect(forced.recorded.find((r) => r.database === "catalog" && r.status === "started")!.forced).toBe(true);
  });

  test("refuses without lag data unless forced", async () => {
    const { run } = setup((w) => (w.globals.get("replica-prod-ledger-global")!.lagMs["replica-prod-ledger-eu-west-1"] = undefined));
    await expect(run("switchover")).resolves.toBe("refused");
  });

  test("an unavailable or unsynchronized secondary is refused even with --force", async () => {
    const busy = setup((w) => (w.globals.get("replica-prod-ledger-global")!.clusterStatus[target.databases[0].secondary.arn] = "modifying"));
    await expect(busy.run("switchover", { force: true })).resolves.toBe("refused");
    expect(busy.printed.join("\n")).toContain("replica-prod-ledger-eu-west-1 is modifying, not available");
    const resync = setup((w) => (w.globals.get("replica-prod-ledger-global")!.syncStatus = "pending-resync"));
    await expect(resync.run("switchover", { force: true })).resolves.toBe("refused");
    expect(resync.calls(DR, SwitchoverGlobalClusterCommand)).toEqual([]);
  });

  test("needs both regions: with the primary down it points to failover", async () => {
    const { run, printed } = setup((w) => w.unreachable.add(PRIMARY));
    await expect(run("switchover", { force: true })).resolves.toBe("refused");
    expect(printed.join("\n")).toMatch(/a switchover needs both regions; in an outage use failover/);
  });

  test("re-run after an interruption: watches the move in progress instead of starting another", async () => {
    const { run, calls, recorded, world } = setup((w) => {
      const ledger = w.globals.get("replica-prod-ledger-global")!;
      ledger.moving = { toArn: ledger.database.secondary.arn, status: "switching-over", ticksLeft: 3, dataLoss: false };
      ledger.status = "switching-over";
    });
    await expect(run("switchover", { databases: [target.databases[0]] })).resolves.toBe("done");
    expect(calls(DR, SwitchoverGlobalClusterCommand)).toEqual([]);
    expect(recorded.map((r) => r.status)).toEqual(["resumed", "completed"]);
    expect(world.globals.get("replica-prod-ledger-global")!.writerArn).toBe(target.databases[0].secondary.arn);
  });

  test("re-run after it finished: nothing to do, nothing recorded", async () => {
    const { run, calls, recorded, printed } = setup((w) => {
      for (const g of w.globals.values()) g.writerArn = g.database.secondary.arn;
    });
    await expect(run("switchover")).resolves.toBe("done");
    expect(calls(DR, SwitchoverGlobalClusterCommand)).toEqual([]);
    expect(recorded).toEqual([]);
    expect(printed.join("\n")).toContain("nothing to do: the writer is already replica-prod-ledger-eu-west-1 in eu-west-1");
  });

  test("switching back is the same command with --to the primary region", async () => {
    const { run, calls } = setup((w) => {
      for (const g of w.globals.values()) {
        g.writerArn = g.database.secondary.arn;
        g.lagMs = { [g.database.primary.clusterIdentifier]: 300, [g.database.secondary.clusterIdentifier]: undefined };
      }
    });
    await expect(run("switchover", { toRegion: PRIMARY })).resolves.toBe("done");
    expect(calls(PRIMARY, SwitchoverGlobalClusterCommand).map((c) => c.TargetDbClusterIdentifier)).toEqual(target.databases.map((d) => d.primary.arn));
  });

  test("a failure half-way: the call for the second database fails, the first stays done, the failure is recorded and the run stops", async () => {
    const rejecting = setup();
    const dr = rejecting.deps.clientsFor(DR).rds;
    const send = dr.send.bind(dr);
    (dr as any).send = async (command: any) => {
      if (command instanceof SwitchoverGlobalClusterCommand && command.input.GlobalClusterIdentifier === "replica-prod-catalog-global") {
        throw Object.assign(new Error("Global cluster replica-prod-catalog-global is not in a valid state"), { name: "InvalidGlobalClusterStateFault" });
      }
      return send(command);
    };
    await expect(rejecting.run("switchover")).resolves.toBe("failed");
    expect(rejecting.recorded.map((r) => `${r.database}:${r.status}`)).toEqual(["ledger:started", "ledger:completed", "catalog:failed"]);
    expect(rejecting.recorded[2].error).toContain("not in a valid state");
    expect(rejecting.world.globals.get("replica-prod-ledger-global")!.writerArn).toBe(target.databases[0].secondary.arn);
  });

  test("a move RDS accepted but dropped is reported as failed after the grace polls", async () => {
    const { run, recorded } = setup((w) => (w.dropMoves = true));
    await expect(run("switchover", { databases: [target.databases[0]] })).resolves.toBe("failed");
    expect(recorded.map((r) => r.status)).toEqual(["started", "failed"]);
    expect(recorded[1].error).toBe("RDS shows no move in progress and the writer has not moved");
  });

  test("watching gives up at the timeout without calling it a failure; a re-run resumes", async () => {
    const slow = setup((w) => (w.moveTicks = 1000));
    await expect(slow.run("switchover", { databases: [target.databases[0]], waitTimeoutMs: 5000 })).resolves.toBe("timed-out");
    expect(slow.recorded.map((r) => r.status)).toEqual(["started"]);
    expect(slow.printed.join("\n")).toContain("run the same command again to keep watching");
  });

  test("a ledger that cannot be written is a warning, not a failure", async () => {
    const s = setup();
    s.deps.record = async () => {
      throw new Error("ResourceNotFoundException: table not found");
    };
    await expect(s.run("switchover", { databases: [target.databases[0]] })).resolves.toBe("done");
    expect(s.printed.join("\n")).toContain('warning: could not record "started" in the ledger: ResourceNotFoundException');
  });
});

describe("failover", () => {
  test("managed failover with AllowDataLoss works with the primary region down", async () => {
    const { run, calls, recorded, world } = setup((w) => w.unreachable.add(PRIMARY));
    await expect(run("failover", { databases: [target.databases[0]] })).resolves.toBe("done");
    expect(calls(DR, FailoverGlobalClusterCommand)).toEqual([{ GlobalClusterIdentifier: "replica-prod-ledger-global", TargetDbClusterIdentifier: target.databases[0].secondary.arn, AllowDataLoss: true }]);
    expect(world.globals.get("replica-prod-ledger-global")!.writerArn).toBe(target.databases[0].secondary.arn);
    expect(recorded.map((r) => `${r.action}:${r.status}`)).toEqual(["failover:started", "failover:completed"]);
  });

  test("detach-and-promote removes the DR cluster from the global database and waits until it stands alone", async () => {
    const { run, calls, recorded, world } = setup((w) => w.unreachable.add(PRIMARY));
    await expect(run("detach-and-promote", { databases: [target.databases[0]] })).resolves.toBe("done");
    expect(calls(DR, RemoveFromGlobalClusterCommand)).toEqual([{ GlobalClusterIdentifier: "replica-prod-ledger-global", DbClusterIdentifier: target.databases[0].secondary.arn }]);
    expect(world.globals.get("replica-prod-ledger-global")!.members).toEqual([target.databases[0].primary.arn]);
    expect(recorded.map((r) => r.status)).toEqual(["started", "completed"]);
  });

  test("detach-and-promote re-run: a cluster already standing alone is done", async () => {
    const { run, calls } = setup((w) => {
      const g = w.globals.get("replica-prod-ledger-global")!;
      g.members = [g.database.primary.arn];
    });
    await expect(run("detach-and-promote", { databases: [target.databases[0]] })).resolves.toBe("done");
    expect(calls(DR, RemoveFromGlobalClusterCommand)).toEqual([]);
  });
});
