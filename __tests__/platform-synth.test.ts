import { Testing } from "cdktf";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { EXAMPLE_CONFIG } from "../src/config/example";
import { validateConfig } from "../src/config/validate";
import { buildPlatform } from "../src/platform";
import { parseJsonAttribute } from "../src/json-attribute";

// One full synthesis of the built-in example, shared by the tests below.
const app = Testing.app();
buildPlatform(app, validateConfig(EXAMPLE_CONFIG));
app.synth();
const stacksDir = path.join(app.outdir, "stacks");
const stackNames = readdirSync(stacksDir).sort();
const stackJson = (name: string) => readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

test("the default platform synthesizes every stack", () => {
  expect(stackNames).toEqual([
    "bootstrap-dev", "bootstrap-prod", "bootstrap-staging",
    "dev-eu-west-1", "dev-us-east-1", "prod-eu-west-1", "prod-us-east-1", "staging-eu-west-1", "staging-us-east-1", "state-bootstrap",
  ]);
});

test("no synthesized stack holds an absolute path", () => {
  for (const name of stackNames) {
    const json = stackJson(name);
    expect(json).not.toContain(process.cwd());
    expect(json).not.toMatch(/"\/(work|home|root|tmp|Users)\//);
  }
});

test("every path a stack references lies inside its own folder", () => {
  // The primary-region stacks package Lambda bundles; their archives must read from the stack folder.
  expect(stackJson("dev-us-east-1")).toMatch(/"source_dir": "\$\{path\.module\}\/assets\//);
  for (const name of stackNames) {
    const references = [...stackJson(name).matchAll(/\$\{path\.module\}\/([^"}]+)/g)].map((m) => m[1]);
    for (const reference of references.filter((r) => !r.endsWith(".zip"))) {
      expect(statSync(path.join(stacksDir, name, reference)).isDirectory() || statSync(path.join(stacksDir, name, reference)).isFile()).toBe(true);
    }
  }
});

test("no synthesized file holds a database password", () => {
  for (const file of filesUnder(stacksDir).filter((f) => f.endsWith(".json"))) {
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/"master_password"\s*:/);
    expect(text).not.toMatch(/"password"\s*:\s*"[^$]/i);
  }
});

test("the database sync functions are watched like the fabric's: errors, throttles and dead letters alarm", () => {
  const alarms = Object.values(parseJsonAttribute(stackJson("staging-us-east-1")).resource.aws_cloudwatch_metric_alarm) as any[];
  const names = alarms.map((alarm) => alarm.alarm_name);
  expect(names).toEqual(
    expect.arrayContaining([
      "replica-staging-schema-sync-errors",
      "replica-staging-schema-sync-throttles",
      "replica-staging-data-sync-errors",
      "replica-staging-data-sync-throttles",
      "replica-staging-schema-sync-dlq-depth",
      "replica-staging-database-sync-events-dlq-depth",
    ]),
  );
});
