import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** Every file below `dir` with its bytes (base64), keyed by its path relative to `dir`. */
export function fileTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = readFileSync(full).toString("base64");
    }
  };
  walk(dir);
  return files;
}
