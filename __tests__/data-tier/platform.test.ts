import { App, Testing } from "cdktf";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { EnvironmentStack } from "../../src/stacks/environment-stack";
import { addDataTier } from "../../src/stacks/data-tier";
import { buildPlatform } from "../../src/platform";
import { buildStacks, resources, synth } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

const example = (file: string) => JSON.parse(readFileSync(path.join(__dirname, "../../examples", file), "utf8"));

/** Synthesizes a whole platform (policy checks included) and returns every stack's JSON text. */
function synthAll(raw: unknown): Record<string, string> {
  const app = Testing.app();
  buildPlatform(app, validateConfig(raw));
  app.synth();
  const dir = path.join(app.outdir, "stacks");
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name, "cdk.tf.json"), "utf8")]));
}

/** Every key/value pair anywhere in a JSON value. */
function* entries(value: unknown, key = ""): Generator<[string, unknown]> {
  if (Array.isArray(value)) for (const item of value) yield* entries(item, key);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) {
    yield [k, v];
    yield* entries(v, k);
  }
}

describe("the default platform", () => {
  // GIVEN the built-in example WHEN every stack is synthesized (with the policy checks)
  let stacks: Record<string, string>;
  test("synthesis passes the policy checks", () => {
    expect(() => (stacks = synthAll(EXAMPLE_CONFIG))).not.toThrow();
    expect(Object.keys(stacks)).toHaveLength(10); // 6 environment stacks, state-bootstrap, bootstrap-<env> per account
  });

  test("no stack has a master_password argument or a literal password value", () => {
    for (const [name, text] of Object.entries(stacks)) {
      for (const [key, value] of entries(parseJsonAttribute(text))) {
        expect(`${name}: ${key}`).not.toBe(`${name}: master_password`);
        if (/password/i.test(key) && typeof value === "string") {
          // Only references (write-only inputs from the ephemeral resource) may carry a password.
          expect(`${name}: ${key}=${value}`).toMatch(/=\$\{(ephemeral|jsonencode)/);
        }
      }
      expect(text).not.toMatch(/"master_password"\s*:/);
    }
  });

  test("write-only values come only from ephemeral resources", () => {
    for (const text of Object.values(stacks)) {
      for (const [key, value] of entries(parseJsonAttribute(text))) {
        if (key.endsWith("_wo")) expect(String(value)).toMatch(/ephemeral\.aws_secretsmanager_random_password\./);
      }
    }
  });
});

test("the two-environment example synthesizes with peering in both regions and DR for live", () => {
  // GIVEN examples/two-environments.json
  const stacks = buildStacks(() => {}, example("two-environments.json"));
  // THEN test peers with live in each region, and live's databases are global
  expect([...stacks.keys()].sort()).toEqual(["live-us-east-2", "live-us-west-2", "test-us-east-2", "test-us-west-2"]);
  for (const region of ["us-west-2", "us-east-2"]) {
    expect(resources(synth(stacks.get(`test-${region}`)!), "aws_vpc_peering_connection")).toHaveLength(1);
  }
  const live = synth(stacks.get("live-us-west-2")!);
  expect(resources(live, "aws_rds_global_cluster")).toHaveLength(2);
  expect(resources(live, "aws_subnet")).toHaveLength(3);
  expect(resources(live, "aws_rds_cluster_instance").filter((i) => i.identifier.startsWith("shop-live-orders-") && !i.provider)).toHaveLength(3);
});

test("the two-environment example passes the policy checks", () => {
  expect(() => synthAll(example("two-environments.json"))).not.toThrow();
});

test("the four-environment example chains peering dev→qa→staging→prod and passes the policy checks", () => {
  const stacks = buildStacks(() => {}, example("four-environments.json"));
  const peers = ["dev", "qa", "staging"].map((env) => synth(stacks.get(`${env}-eu-central-1`)!).data.aws_vpc);
  expect(peers.map((p) => (Object.values(p) as any[]).find((v) => v.provider === "aws.next").tags.Name)).toEqual(["ledger-qa-eu-central-1-vpc", "ledger-staging-eu-central-1-vpc", "ledger-prod-eu-central-1-vpc"]);
  expect(resources(synth(stacks.get("prod-eu-central-1")!), "aws_vpc_peering_connection").filter((c) => c.peer_region === undefined)).toHaveLength(0);
  // staging turned DR on explicitly, so it has global databases too
  expect(resources(synth(stacks.get("staging-eu-central-1")!), "aws_rds_global_cluster")).toHaveLength(2);
  expect(() => synthAll(example("four-environments.json"))).not.toThrow();
});

test("addDataTier on a standalone environment stack returns what the replication fabric needs", () => {
  // GIVEN one environment stack built directly
  const config = validateConfig(EXAMPLE_CONFIG);
  const stack = new EnvironmentStack(new App({ outdir: Testing.app().outdir }), { platform: config, environment: config.environments[2], region: "us-east-1" });
  // WHEN the data tier is added
  const tier = addDataTier(stack);
  // THEN it exposes the network, the security groups and both databases with their global secondaries
  expect(tier.privateSubnetIds).toHaveLength(2);
  expect(tier.lambdaSecurityGroupId).toMatch(/TOKEN/);
  expect(tier.databases.map((d) => [d.name, d.engine, d.port])).toEqual([
    ["ledger", "aurora-postgresql", 5432],
    ["catalog", "aurora-mysql", 3306],
  ]);
  expect(tier.databases[0].parameterPath).toBe("/app/prod/db/ledger/");
  expect(tier.databases[0].global?.secondaryRegion).toBe("eu-west-1");
  expect(tier.peeringConnectionIdToNext).toBeUndefined();
});
