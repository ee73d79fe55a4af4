import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack } from "cdktf";
import { RESOURCE_ACTIONS } from "../../src/bootstrap/resource-actions";
import { platform, synthJson } from "../helpers/platform";
import { parseJsonAttribute } from "../../src/json-attribute";

// The built-in example with the optional features that add resource types turned on, so the check
// sees every type any configuration can synthesize.
function everyFeature(raw: any) {
  raw.lambda = { ...raw.lambda, reservedConcurrency: 5 };
  for (const environment of raw.environments) {
    environment.disasterRecovery = true;
    environment.configMirror = { deletePolicy: "delete" };
    environment.databases[0].enhancedMonitoringInterval = 60;
    environment.databases[0].performanceInsights = true;
  }
}

/** A configuration from examples/ in place of the built-in example. */
const fromExample = (file: string) => (raw: any) => {
  for (const key of Object.keys(raw)) delete raw[key];
  Object.assign(raw, JSON.parse(readFileSync(join(__dirname, "..", "..", "examples", file), "utf8")));
};

// The examples turn on what the built-in example leaves off (snapshot copies of DB instances, more
// destination regions, more environments): their stacks are checked too.
const configurations: [string, (raw: any) => void][] = [
  ["built-in example, every feature", everyFeature],
  ["examples/four-environments.json", fromExample("four-environments.json")],
  ["examples/two-environments.json", fromExample("two-environments.json")],
];
const json = new Map<string, any>();
for (const [label, edit] of configurations) {
  const { app } = platform(edit);
  for (const stack of app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)) json.set(`${label}: ${stack.node.id}`, synthJson(stack));
}
const isBootstrap = (key: string) => /: (state-bootstrap|bootstrap-.*)$/.test(key);
const environmentStacks = [...json.keys()].filter((key) => !isBootstrap(key));

/** Every action the deployment role of a bootstrap stack allows (all its managed policies). */
function deploymentActions(bootstrap: any): Set<string> {
  const policies = Object.values(bootstrap.resource.aws_iam_policy ?? {}).filter((p: any) => p.name.startsWith("PlatformDeployment-"));
  return new Set(policies.flatMap((p: any) => parseJsonAttribute(p.policy).Statement.filter((s: any) => s.Effect === "Allow").flatMap((s: any) => [s.Action].flat())));
}

/** Resource and data source types of one synthesized stack, AWS provider only. */
function awsTypes(stack: any): string[] {
  return [...Object.keys(stack.resource ?? {}), ...Object.keys(stack.data ?? {}).map((t) => `data.${t}`)].filter((t) => /^(data\.)?aws_/.test(t));
}

describe("the deployment role can create, read and delete everything the environment stacks synthesize", () => {
  test("every AWS resource type of every environment stack has its calls listed (src/bootstrap/resource-actions.ts)", () => {
    const unknown = environmentStacks.flatMap((name) => awsTypes(json.get(name)).filter((t) => RESOURCE_ACTIONS[t] === undefined).map((t) => `${name}: ${t}`));
    expect(unknown).toEqual([]);
  });

  test.each(environmentStacks)("%s: the deployment role of its account allows each of those calls", (name) => {
    const stack = json.get(name);
    const account = stack.provider.aws.find((p: any) => p.alias === undefined).allowed_account_ids[0];
    const label = name.slice(0, name.lastIndexOf(": "));
    const bootstrap = [...json.entries()].find(([key, j]) => key.startsWith(`${label}: bootstrap-`) && j.provider.aws[0].allowed_account_ids[0] === account)?.[1];
    expect(bootstrap).toBeDefined();
    const allowed = deploymentActions(bootstrap);
    const missing = awsTypes(stack).flatMap((t) => (RESOURCE_ACTIONS[t] ?? []).filter((a) => !allowed.has(a)).map((a) => `${t}: ${a}`));
    expect([...new Set(missing)]).toEqual([]);
  });
});
