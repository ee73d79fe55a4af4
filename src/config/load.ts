import { readFileSync } from "node:fs";
import { EXAMPLE_CONFIG } from "./example";
import type { PlatformConfig } from "./types";
import { ConfigError, validateConfig } from "./validate";

/**
 * Reads the platform configuration: the JSON file named by `PLATFORM_CONFIG`, or the built-in example.
 * @throws ConfigError when the file cannot be read or parsed, or the configuration is invalid.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const file = env.PLATFORM_CONFIG;
  if (!file) return validateConfig(EXAMPLE_CONFIG);
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
