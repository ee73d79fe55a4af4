import { parseDrArguments, UsageError } from "../../src/dr/arguments";

test("status takes an environment and optionally a database", () => {
  expect(parseDrArguments(["status", "prod"])).toEqual({ command: "status", environment: "prod", database: undefined });
  expect(parseDrArguments(["status", "prod", "ledger"])).toEqual({ command: "status", environment: "prod", database: "ledger" });
});

test("switchover and failover default to asking, no force, 30 minutes of watching", () => {
  expect(parseDrArguments(["switchover", "prod", "ledger"])).toEqual({ command: "move", action: "switchover", environment: "prod", database: "ledger", toRegion: undefined, force: false, yes: false, waitMinutes: 30 });
  expect(parseDrArguments(["failover", "prod", "--yes", "--force", "--to", "us-east-1"])).toEqual(expect.objectContaining({ action: "failover", yes: true, force: true, toRegion: "us-east-1" }));
  expect(parseDrArguments(["failover", "prod", "--detach"])).toEqual(expect.objectContaining({ action: "detach-and-promote" }));
});

test.each([
  [[], /expected status, switchover or failover, got nothing/],
  [["promote", "prod"], /got "promote"/],
  [["status"], /takes <env> and optionally <db>, got 0/],
  [["status", "prod", "--yes"], /--yes is not an option of status/],
  [["switchover", "prod", "--detach"], /--detach is an option of failover only/],
  [["failover", "prod", "--wait-minutes", "0"], /--wait-minutes must be a whole number/],
  [["failover", "prod", "--bogus"], /Unknown option '--bogus'/],
])("usage errors: %j", (argv, message) => {
  expect(() => parseDrArguments(argv as string[])).toThrow(UsageError);
  expect(() => parseDrArguments(argv as string[])).toThrow(message);
});
