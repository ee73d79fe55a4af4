/**
 * The writer of every synthesized JSON file: what `json-stable-stringify` (1.x) writes, faster.
 *
 * cdktf writes each stack's `cdk.tf.json` and the manifest with `json-stable-stringify` and
 * `{ space: 2 }`: keys sorted, two-space indentation. That package builds each level through a
 * closure, an array and a join, and repeats the indentation string character by character for every
 * value, so writing the files was about an eighth of each added environment's synth time. The synth
 * app's bundle puts this module in its place (bin/synth-app.cjs), so cdktf writes through it.
 *
 * The text is that package's, byte for byte, for every input: keys sorted by code unit, `undefined`,
 * functions and symbols left out of objects and written as `null` in arrays, `toJSON` called once,
 * scalars written by `JSON.stringify`, an empty object or array written across two lines (`{` and `}`
 * at its own indentation), and an object inside itself refused with the same TypeError.
 * `__tests__/synth/stable-json.test.ts` compares the two. The options cdktf does not pass (`cmp`,
 * `replacer`, `cycles`, `collapseEmpty`) are refused, so that a cdktf that starts to pass one fails
 * at once instead of writing other text.
 */

/** The only option cdktf passes: the indentation of each level, as a string or a count of spaces. */
interface StableStringifyOptions {
  readonly space?: string | number;
}

const SUPPORTED_OPTIONS = new Set(["space"]);

function spaceOf(options: unknown): string {
  if (options === undefined || options === null) return "";
  if (typeof options !== "object") throw new TypeError("stable-json: options must be an object of the form { space }: a comparator is not supported");
  const unsupported = Object.keys(options).filter((key) => !SUPPORTED_OPTIONS.has(key));
  if (unsupported.length > 0) throw new TypeError(`stable-json: unsupported option(s) ${unsupported.join(", ")}: only space is supported`);
  const space = (options as StableStringifyOptions).space;
  // The package's own reading: a falsy space is none, a number is that many spaces.
  if (!space) return "";
  return typeof space === "number" ? " ".repeat(space) : String(space);
}

/** A value `JSON.stringify` would leave out of an object (and write as null in an array). */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** The value written for `value`: its `toJSON()` where it has one, as the package calls it (once, without a key). */
function prepared(value: unknown): unknown {
  return value && typeof (value as { toJSON?: unknown }).toJSON === "function" ? (value as { toJSON: () => unknown }).toJSON() : value;
}

/** A character `JSON.stringify` writes escaped in a string: a quote, a backslash, a control character or a surrogate. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(text)`, without the call where nothing in `text` needs an escape (most keys and values). */
function quoted(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function stableStringify(value: unknown, options?: StableStringifyOptions): string | undefined {
  const space = spaceOf(options);
  const colon = space ? ": " : ":";
  /** The line break and indentation before a value at each depth (none without a space). */
  const indents: string[] = [];
  const indentAt = (level: number): string => (indents[level] ??= space ? `\n${space.repeat(level)}` : "");
  /** The objects being written, outermost first: one met again inside itself is a cycle. */
  const ancestors: object[] = [];
  let out = "";

  /** Appends `node` (already prepared, not omitted) at `level`. */
  function write(node: unknown, level: number): void {
    if (typeof node === "string") {
      out += quoted(node);
      return;
    }
    if (typeof node !== "object" || node === null) {
      out += JSON.stringify(node);
      return;
    }
    const inner = indentAt(level + 1);
    if (Array.isArray(node)) {
      out += "[";
      for (let i = 0; i < node.length; i++) {
        out += i === 0 ? inner : `,${inner}`;
        const item = prepared(node[i]);
        if (isOmitted(item)) out += "null";
        else write(item, level + 1);
      }
      out += `${indentAt(level)}]`;
      return;
    }
    if (ancestors.includes(node)) throw new TypeError("Converting circular structure to JSON");
    ancestors.push(node);
    const keys = Object.keys(node).sort();
    out += "{";
    let first = true;
    for (const key of keys) {
      const item = prepared((node as Record<string, unknown>)[key]);
      if (isOmitted(item)) continue;
      out += `${first ? "" : ","}${inner}${quoted(key)}${colon}`;
      first = false;
      write(item, level + 1);
    }
    ancestors.pop();
    out += `${indentAt(level)}}`;
  }

  const root = prepared(value);
  if (isOmitted(root)) return undefined;
  write(root, 0);
  return out;
}

export = stableStringify;
