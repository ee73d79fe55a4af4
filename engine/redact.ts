/**
 * Removes secrets from text that leaves the engine: error messages, the history table's error
 * column, function logs, ledger items and events. A migration that creates a user carries its
 * password in the statement, and MySQL echoes part of a failing statement in its message
 * ("... near 'IDENTIFIED BY 'hunter2'' at line 1"); a connection URL may carry a password too.
 *
 * Two mechanisms, because a server's echo may start anywhere in the statement (MariaDB says
 * "near 'BY 'hunter2'' at line 1", without the keyword):
 * - patterns: a quoted value after a password keyword, and URL credentials, are hidden wherever they
 *   appear; a quote that is missing (a message may cut the statement short) hides to the end;
 * - known secrets: the password literals of every migration file the engine loads and the password
 *   of every connection it opens are remembered for the life of the process, and any text that
 *   contains one has it replaced, whatever surrounds it. The Lambdas run the engine in-process, so
 *   their logs, ledger items and events are covered too.
 */

export const REDACTED = "[redacted]";

/** A quoted literal (single, double or dollar quotes), possibly cut short by the end of the text. */
const QUOTED = String.raw`(?:'(?:[^'\\]|\\.|'')*(?:'|$)|"(?:[^"\\]|\\.|"")*(?:"|$)|\$([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\1\$|$))`;

/**
 * Keywords after which the next quoted literal is a password:
 * - MySQL / MariaDB: `IDENTIFIED BY '…'`, `IDENTIFIED WITH plugin BY '…'`, `IDENTIFIED BY PASSWORD '…'`,
 *   `IDENTIFIED VIA plugin USING '…'` / `USING PASSWORD('…')`, `SET PASSWORD … = '…'`, `PASSWORD('…')`;
 * - PostgreSQL: `[ENCRYPTED] PASSWORD '…'` in CREATE / ALTER USER / ROLE.
 */
const SECRET_LITERAL = new RegExp(
  String.raw`(\b(?:IDENTIFIED(?:\s+(?:WITH|VIA)\s+\S+?)?\s+(?:BY|USING)(?:\s+PASSWORD)?|PASSWORD(?:\s+FOR\s+\S+)?)(?:\s*=\s*(?:PASSWORD\s*)?\(?\s*|\s*\(\s*|\s+))` + QUOTED,
  "gi",
);

/** `scheme://user:password@host`: the password part, up to the last `@` before the host. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]*:)[^\s/'"]*(@)/gi;

/** Query-string credentials such as `?password=…` or `&sslpassword=…`. */
const URL_PARAMETER = /([?&](?:[a-z_]*password|secret|token)=)[^&\s'"]*/gi;

/**
 * Shorter values are not remembered: replacing every "abc" of every message would garble them, and
 * such a password is no protection anyway.
 */
export const MIN_REMEMBERED_SECRET = 4;
/** Bounds memory in a long-lived process that loads many files. */
const MAX_REMEMBERED_SECRETS = 1000;
const known = new Set<string>();

/** Remembers a secret value (a password) so that redactSecrets hides it wherever it appears. */
export function rememberSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_REMEMBERED_SECRET || known.has(value)) return;
  if (known.size >= MAX_REMEMBERED_SECRETS) known.delete(known.values().next().value!);
  known.add(value);
  // Servers echo a literal as written, so its escaped form is remembered too.
  const escaped = value.replace(/\\/g, "\\\\").replace(/'/g, "''");
  if (escaped !== value) known.add(escaped);
}

/** Remembers the password literals of a SQL text (see SECRET_LITERAL). */
export function rememberSecretsIn(sql: string): void {
  if (!/password|identified/i.test(sql)) return;
  for (const match of sql.matchAll(SECRET_LITERAL)) rememberSecret(unquote(match[0].slice(match[1]!.length)));
}

/** The text with every password literal, URL credential and remembered secret replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  // Cheap tests first: most messages hold no secret and are returned as they are.
  if (/password|identified|:\/\/|secret|token/i.test(out)) {
    out = out
      .replace(SECRET_LITERAL, (_match, prefix: string) => `${prefix}'${REDACTED}'`)
      .replace(URL_PASSWORD, `$1${REDACTED}$2`)
      .replace(URL_PARAMETER, `$1${REDACTED}`);
  }
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** The value of a quoted literal as SECRET_LITERAL matched it (quotes and doubled quotes removed). */
function unquote(literal: string): string {
  const dollar = /^\$(\w*)\$([\s\S]*?)(?:\$\1\$)?$/.exec(literal);
  if (dollar) return dollar[2]!;
  const quote = literal[0]!;
  const body = literal.endsWith(quote) && literal.length > 1 ? literal.slice(1, -1) : literal.slice(1);
  return body.split(quote + quote).join(quote).replace(/\\(.)/g, "$1");
}

/** A deep copy of a JSON-like value with every string redacted (objects, arrays; other values as they are). */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (depth > 16 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1)) as T;
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, depth + 1);
  return out as T;
}
