import { readFileSync } from "node:fs";
import * as path from "node:path";
import { EXAMPLE_CONFIG } from "./example";
import type { PlatformConfig } from "./types";
import { ConfigError, validateConfig } from "./validate";

/**
 * Reads the platform configuration: the JSON file named by `PLATFORM_CONFIG` (a relative path is taken from
 * the folder the command was run in: `INIT_CWD` under npm, else the current folder), or the built-in example.
 * @throws ConfigError when the file cannot be read or parsed, or the configuration is invalid.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const named = env.PLATFORM_CONFIG;
  if (!named) return validateConfig(EXAMPLE_CONFIG);
  // npm runs scripts from the package folder; INIT_CWD is where the user typed the command, which is
  // what a relative path means to them.
  const file = path.resolve(env.INIT_CWD ?? process.cwd(), named);
  if (/\.ya?ml$/i.test(file)) {
    throw new ConfigError([`PLATFORM_CONFIG: ${file} is YAML, which is not supported; use JSON (the same fields, see docs/configuration.md)`]);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([`PLATFORM_CONFIG: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`PLATFORM_CONFIG: ${file} is not valid JSON: ${(error as Error).message}`]);
  }
  return validateConfig(raw);
}
