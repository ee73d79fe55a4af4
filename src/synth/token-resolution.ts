import { DefaultTokenResolver, StringConcat, Token, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * cdktf's resolution of a value, without cdktf's per-node cost where a value holds no token.
 *
 * cdktf's resolver makes two closures and a copy of the key path for every node it visits, and runs
 * three regular expressions over every string, keys included, though most of a resource's attributes
 * are plain text, numbers and booleans. Here the walk over plain values is done directly, and every
 * value that holds (or may hold) a token, with everything below it, is handed to cdktf's resolver
 * whole, so tokens resolve exactly as cdktf resolves them. A value counts as plain only by checks
 * that are wider than cdktf's own (below): anything cdktf might change goes to cdktf.
 */

/**
 * cdktf's classes, read once: the synth app runs bundled (bin/synth-app.cjs), and there every use of
 * an imported name is a call of the getter esbuild's CommonJS interop puts there, which the checks
 * below, run for every value of every resource, paid for several times each.
 */
const TOKEN = Token;
const TOKENIZATION = Tokenization;
const { STRING_MAP_TOKEN_VALUE, ANY_MAP_TOKEN_VALUE, NUMBER_MAP_TOKEN_VALUE } = Token;

/** The resolver cdktf itself uses for synthesis (stateless: string parts joined as they are). */
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Every token cdktf encodes in a string (string, list and map tokens) contains this. */
const TOKEN_MARKER = "TfToken[";
/** Every list token cdktf encodes in a string contains this. */
const LIST_TOKEN_MARKER = "#{TfToken[";
/**
 * cdktf also looks for encoded numbers in every string, with a pattern that needs one of these
 * characters, then `e`, then another of them; a string without such a triple cannot match it.
 */
const NUMBER_LIKE = /[-|\d.+]e[-|\d.eE+]/;
/** Beyond this depth the value goes to cdktf, which stops cyclic structures with its own error. */
const MAX_DEPTH = 200;

/** The value cdktf's resolver gives, with the scope's context. */
export function cdktfResolve(scope: IConstruct, value: unknown): any {
  return Tokenization.resolve(value, { scope, preparing: false, resolver: RESOLVER });
}

function isPlainString(value: string): boolean {
  return !value.includes(TOKEN_MARKER) && !NUMBER_LIKE.test(value) && value !== STRING_MAP_TOKEN_VALUE && value !== ANY_MAP_TOKEN_VALUE;
}

/** Whether `value` is or holds a string token or a list token (which `Token.isUnresolved` does not see). */
export function isStringToken(value: string): boolean {
  return TOKEN.isUnresolved(value) || value.includes(LIST_TOKEN_MARKER);
}

/** Whether `value` is an object cdktf resolves by calling it (a token object). */
export function isResolvable(value: unknown): boolean {
  return TOKENIZATION.isResolvable(value);
}

/** Whether `value` is a number token or the element of a number list token (which `Token.isUnresolved` does not see). */
export function isNumberToken(value: number): boolean {
  return TOKEN.isUnresolved(value) || TOKENIZATION.reverseNumberList([value]) !== undefined;
}

function isPlainNumber(value: number): boolean {
  return value !== NUMBER_MAP_TOKEN_VALUE && !isNumberToken(value);
}

/** Whether cdktf would return `value` itself: a primitive that is no token. */
function isPlainScalar(value: unknown): boolean {
  switch (typeof value) {
    case "string":
      return isPlainString(value);
    case "number":
      return isPlainNumber(value);
    case "boolean":
    case "undefined":
      return true;
    default:
      return value === null;
  }
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !isResolvable(value);
}

function walk(scope: IConstruct, value: unknown, depth: number): any {
  if (isPlainScalar(value)) return value;
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return cdktfResolve(scope, value);
  if (Array.isArray(value)) {
    // An array with a list token or a token number in it is resolved by cdktf as a list, as a whole;
    // any other array element by element, as cdktf does, each token string by cdktf on its own.
    if (value.some((element) => (typeof element === "string" && element.includes(LIST_TOKEN_MARKER)) || (typeof element === "number" && !isPlainNumber(element)))) {
      return cdktfResolve(scope, value);
    }
    const resolved: unknown[] = [];
    for (const element of value) {
      const landed = walk(scope, element, depth + 1);
      if (landed !== undefined) resolved.push(landed);
    }
    return resolved;
  }
  // Token objects, class instances and maps with token keys: cdktf's, whole.
  if (!isPlainObject(value) || Object.keys(value).some((key) => !isPlainString(key))) return cdktfResolve(scope, value);
  const resolved: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const landed = walk(scope, member, depth + 1);
    if (landed !== undefined) resolved[key] = landed;
  }
  return resolved;
}

/** `value` resolved as cdktf resolves it for synthesis in `scope`. */
export function resolveTokens(scope: IConstruct, value: unknown): any {
  return walk(scope, value, 0);
}
