import { Testing } from "cdktf";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { ManifestError, parseManifest, readManifest, type ManifestStack } from "../../src/deploy/manifest";
import { planOrder, selectStacks } from "../../src/deploy/selection";
import { buildPlatform } from "../../src/platform";

function stack(name: string, ...dependencies: string[]): ManifestStack {
  return { name, dependencies, workingDirectory: `stacks/${name}` };
}

/** The built-in example's shape, as cdktf writes it: next environment first, DR region first. */
const EXAMPLE = [
  stack("dev-eu-west-1", "staging-eu-west-1"),
  stack("dev-us-east-1", "dev-eu-west-1", "staging-us-east-1"),
  stack("prod-eu-west-1"),
  stack("prod-us-east-1", "prod-eu-west-1"),
  stack("staging-eu-west-1", "prod-eu-west-1"),
  stack("staging-us-east-1", "staging-eu-west-1", "prod-us-east-1"),
  stack("state-bootstrap"),
  stack("bootstrap-dev"),
];

const names = (order: readonly ManifestStack[]) => order.map((s) => s.name);

/** Asserts every stack comes after each of its dependencies that is also in the order. */
function expectDependenciesFirst(order: readonly ManifestStack[]) {
  const position = new Map(order.map((s, i) => [s.name, i]));
  for (const s of order) {
    for (const d of s.dependencies) if (position.has(d)) expect(position.get(d)).toBeLessThan(position.get(s.name)!);
  }
}

describe("selecting stacks", () => {
  test("all is every environment stack and no bootstrap stack", () => {
    expect([...selectStacks(EXAMPLE, ["all"])].sort()).toEqual(["dev-eu-west-1", "dev-us-east-1", "prod-eu-west-1", "prod-us-east-1", "staging-eu-west-1", "staging-us-east-1"]);
  });

  test("bootstrap is state-bootstrap and every bootstrap-* stack", () => {
    expect([...selectStacks(EXAMPLE, ["bootstrap"])].sort()).toEqual(["bootstrap-dev", "state-bootstrap"]);
  });

  test("an environment name selects its stacks in every region, and a stack name selects that stack", () => {
    expect([...selectStacks(EXAMPLE, ["staging", "dev-us-east-1"])].sort()).toEqual(["dev-us-east-1", "staging-eu-west-1", "staging-us-east-1"]);
  });

  test("an unknown target is refused with what is known", () => {
    expect(() => selectStacks(EXAMPLE, ["dev", "qa", "prod-us-west-2"])).toThrow(/unknown targets "qa", "prod-us-west-2": known are all, bootstrap, environments dev, prod, staging; stacks dev-eu-west-1/);
  });

  test("no target at all is refused", () => {
    expect(() => selectStacks(EXAMPLE, [])).toThrow(/no target given/);
  });
});

describe("ordering stacks", () => {
  test("all runs the next environment first and the DR region first, the same way every time", () => {
    const { order, assumedApplied } = planOrder(EXAMPLE, selectStacks(EXAMPLE, ["all"]));
    expect(names(order)).toEqual(["prod-eu-west-1", "prod-us-east-1", "staging-eu-west-1", "dev-eu-west-1", "staging-us-east-1", "dev-us-east-1"]);
    expect(assumedApplied).toEqual([]);
    const reversed = planOrder([...EXAMPLE].reverse(), selectStacks(EXAMPLE, ["all"]));
    expect(names(reversed.order)).toEqual(names(order));
  });

  test("dependencies outside the selection are listed with the stacks that need them", () => {
    const { order, assumedApplied } = planOrder(EXAMPLE, selectStacks(EXAMPLE, ["dev"]));
    expect(names(order)).toEqual(["dev-eu-west-1", "dev-us-east-1"]);
    expect(assumedApplied).toEqual([
      { stack: "staging-eu-west-1", neededBy: ["dev-eu-west-1"] },
      { stack: "staging-us-east-1", neededBy: ["dev-us-east-1"] },
    ]);
  });

  test("stacks are ordered through dependencies that are not selected", () => {
    // dev-us-east-1 needs prod-eu-west-1 only through staging and prod stacks left out of the selection.
    const { order } = planOrder(EXAMPLE, new Set(["dev-us-east-1", "prod-eu-west-1"]));
    expect(names(order)).toEqual(["prod-eu-west-1", "dev-us-east-1"]);
  });

  test("a dependency cycle is refused and named", () => {
    const cyclic = [stack("a", "c"), stack("b", "a"), stack("c", "b"), stack("d")];
    expect(() => planOrder(cyclic, new Set(["d"]))).toThrow("the stack dependencies form a cycle: a → c → b → a");
  });
});

describe("reading the manifest", () => {
  test("a dependency on a stack the manifest does not hold is refused by name", () => {
    const raw = { stacks: { a: { name: "a", dependencies: ["ghost"], workingDirectory: "stacks/a" } } };
    expect(() => parseManifest(raw, "m.json")).toThrow('m.json: stacks.a.dependencies names "ghost", which is not a stack in the manifest');
  });

  test("a stack without a working directory is refused by path", () => {
    expect(() => parseManifest({ stacks: { a: { dependencies: [] } } }, "m.json")).toThrow("m.json: stacks.a.workingDirectory must be a folder name");
  });

  test("a missing manifest says to synthesize", () => {
    const dir = mkdtempSync(join(tmpdir(), "deploy-manifest-"));
    try {
      expect(() => readManifest(dir)).toThrow(ManifestError);
      expect(() => readManifest(dir)).toThrow(/manifest\.json: cannot read it \(ENOENT\); run `npm run synth` first/);
      writeFileSync(join(dir, "manifest.json"), "{");
      expect(() => readManifest(dir)).toThrow(/manifest\.json: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("on a manifest synthesized from the built-in example", () => {
  const app = Testing.app();
  buildPlatform(app, validateConfig(EXAMPLE_CONFIG));
  app.synth();
  const stacks = readManifest(app.outdir);

  test("every environment stack is planned after the stacks it depends on", () => {
    const { order, assumedApplied } = planOrder(stacks, selectStacks(stacks, ["all"]));
    expect(order.length).toBe(stacks.filter((s) => s.name !== "state-bootstrap" && !s.name.startsWith("bootstrap-")).length);
    expect(order.length).toBeGreaterThanOrEqual(6);
    expectDependenciesFirst(order);
    // Upstream environments create the cross-account links, so prod goes before staging before dev.
    const first = (env: string) => names(order).findIndex((n) => n.startsWith(`${env}-`));
    expect(first("prod")).toBeLessThan(first("staging"));
    expect(first("staging")).toBeLessThan(first("dev"));
    expect(assumedApplied.every((a) => a.stack === "state-bootstrap" || a.stack.startsWith("bootstrap-"))).toBe(true);
  });

  test("one environment assumes the next environment's stacks applied", () => {
    const { order, assumedApplied } = planOrder(stacks, selectStacks(stacks, ["dev"]));
    expect(names(order)).toEqual(["dev-eu-west-1", "dev-us-east-1"]);
    expect(assumedApplied.map((a) => a.stack)).toEqual(expect.arrayContaining(["staging-eu-west-1", "staging-us-east-1"]));
  });
});
