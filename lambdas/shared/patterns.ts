/**
 * Glob/prefix matching for parameter keys (paths relative to an environment's config root,
 * e.g. "db/pool-size" for "/app/dev/config/db/pool-size").
 *
 * Pattern syntax:
 * - a pattern ending in "/" is a prefix: "endpoints/" matches everything below endpoints;
 * - otherwise a glob anchored at both ends: `*` matches within one path segment, `**` across
 *   segments, `?` one character; everything else is literal ("db/password" matches only itself).
 */

export function compilePattern(pattern: string): (key: string) => boolean {
  const normalized = pattern.replace(/^\/+/, "");
  if (normalized.endsWith("/") && !/[*?]/.test(normalized)) {
    return (key) => key.startsWith(normalized);
  }
  let source = "";
  for (let i = 0; i < normalized.length; i += 1) {
    const ch = normalized[i];
    if (ch === "*" && normalized[i + 1] === "*") {
      // "**/" also matches zero segments.
      if (normalized[i + 2] === "/") {
        source += "(?:.*/)?";
        i += 2;
      } else {
        source += ".*";
        i += 1;
      }
    } else if (ch === "*") {
      source += "[^/]*";
    } else if (ch === "?") {
      source += "[^/]";
    } else {
      source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  const regex = new RegExp(`^${source}$`);
  return (key) => regex.test(key);
}

/** A key filter: a key passes when it matches some allow pattern and no deny pattern. */
export interface KeyFilter {
  (key: string): boolean;
}

/**
 * Builds a filter. Deny always wins, so environment-specific keys listed in `deny` are neither
 * copied nor overwritten nor deleted.
 * @param allow patterns to include; an empty list includes everything
 * @param deny patterns to exclude
 */
export function keyFilter(allow: readonly string[], deny: readonly string[]): KeyFilter {
  const allowMatchers = allow.map(compilePattern);
  const denyMatchers = deny.map(compilePattern);
  return (key) => (allowMatchers.length === 0 || allowMatchers.some((m) => m(key))) && !denyMatchers.some((m) => m(key));
}
