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

test("a YAML file is refused by name, with JSON as the way out", () => {
  for (const name of ["platform.yaml", "platform.yml"]) {
    const target = file(name, "project: other\n");
    expect(() => loadConfig({ PLATFORM_CONFIG: target })).toThrow(`PLATFORM_CONFIG: ${target} is YAML, which is not supported; use JSON`);
  }
});

test("a relative PLATFORM_CONFIG is found from the folder npm was run in (INIT_CWD), not the package folder", () => {
  const raw = exampleRaw();
  raw.project = "fromcwd";
  file("relative.json", JSON.stringify(raw));
  expect(loadConfig({ PLATFORM_CONFIG: "relative.json", INIT_CWD: dir }).project).toBe("fromcwd");
  expect(() => loadConfig({ PLATFORM_CONFIG: "relative.json" })).toThrow(`cannot read ${path.resolve("relative.json")}: ENOENT`);
});

test("without INIT_CWD a relative PLATFORM_CONFIG is taken from the current folder", () => {
  const raw = exampleRaw();
  raw.project = "plaincwd";
  const target = file("plain.json", JSON.stringify(raw));
  expect(loadConfig({ PLATFORM_CONFIG: path.relative(process.cwd(), target) }).project).toBe("plaincwd");
});

test("a missing file is a configuration error naming the file", () => {
  const target = path.join(dir, "missing.json");
  expect(() => loadConfig({ PLATFORM_CONFIG: target })).toThrow(`PLATFORM_CONFIG: cannot read ${target}: ENOENT`);
});
