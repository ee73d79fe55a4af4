import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLE_CONFIG } from "../config/example";

/** Each `accountId` field anywhere in a configuration, with its path (e.g. `environments[0].accountId`). */
export function accountIds(value: unknown, path = ""): { path: string; accountId: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => accountIds(item, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = path ? `${path}.${key}` : key;
    return key === "accountId" && typeof child === "string" ? [{ path: at, accountId: child }] : accountIds(child, at);
  });
}

/**
 * The documentation placeholder accounts, each with where it comes from: every account of the
 * built-in example and of the example files in `examplesDir`. No real deployment uses them.
 */
export function placeholderAccounts(examplesDir?: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const { accountId } of accountIds(EXAMPLE_CONFIG)) result.set(accountId, "the built-in example");
  const files = examplesDir ? safeList(examplesDir).filter((f) => f.endsWith(".json")).sort() : [];
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(examplesDir!, file), "utf8"));
    } catch {
      continue; // An unreadable example holds no accounts to refuse; its own tests cover it.
    }
    for (const { accountId } of accountIds(raw)) if (!result.has(accountId)) result.set(accountId, `examples/${file}`);
  }
  return result;
}

/** One line per account of the configuration that is a placeholder, naming its config path. */
export function placeholderProblems(config: unknown, placeholders: ReadonlyMap<string, string>): string[] {
  return accountIds(config)
    .filter((a) => placeholders.has(a.accountId))
    .map((a) => `${a.path}: ${a.accountId} is a placeholder account of ${placeholders.get(a.accountId)}`);
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
