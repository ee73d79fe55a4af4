import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../src/config/load";
import { ConfigError } from "../../src/config/validate";
import { exampleRaw } from "../helpers/config";

const dir = mkdtempSync(path.join(tmpdir(), "platform-config-"));
const file = (name: string, content: string) => {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
};

test("without PLATFORM_CONFIG the built-in example is used", () => {
  expect(loadConfig({}).environments.map((e) => e.name)).toEqual(["dev", "staging", "prod"]);
});

test("PLATFORM_CONFIG selects another configuration file", () => {
  const raw = exampleRaw();
  raw.project = "other";
  expect(loadConfig({ PLATFORM_CONFIG: file("other.json", JSON.stringify(raw)) }).project).toBe("other");
});

test("a file that is not JSON is a configuration error naming the file", () => {
  const target = file("broken.json", "{ project: ");
  expect(() => loadConfig({ PLATFORM_CONFIG: target })).toThrow(ConfigError);
  expect(() => loadConfig({ PLATFORM_CONFIG: target })).toThrow(`PLATFORM_CONFIG: ${target} is not valid JSON`);
});

test("a missing file is a configuration error naming the file", () => {
  const target = path.join(dir, "missing.json");
  expect(() => loadConfig({ PLATFORM_CONFIG: target })).toThrow(`PLATFORM_CONFIG: cannot read ${target}: ENOENT`);
});
