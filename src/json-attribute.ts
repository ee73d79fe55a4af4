import { Fn, Token, Tokenization, type IResolvable } from "cdktf";

/*
 * JSON-valued Terraform arguments (policies, event patterns, templates, dashboards, Lambda settings)
 * ------------------------------------------------------------------------------------------------
 * `JSON.stringify` around a value that holds tokens (ARNs, endpoints) writes a JSON string with
 * `${...}` interpolations inside. Terraform JSON accepts that, but cdktf's HCL renderer
 * (`cdktf synth --hcl`) leaves the quotes of such a string unescaped, so every one of them is invalid
 * HCL; and a referenced value holding a quote would break the JSON at apply time. Terraform's own
 * `jsonencode` has neither problem, so a value with tokens is written as `jsonencode({...})` (cdktf
 * renders `Fn.jsonencode` as an object expression in both outputs). A value without tokens stays a
 * plain JSON string: it renders correctly in both outputs and keeps the JSON readable.
 *
 * `parseJsonAttribute` reads either form back, with each reference as its `${...}` interpolation,
 * exactly as `JSON.parse` of the old string form gave it: the policy checks and the tests use it.
 */

/** A JSON-valued argument: `jsonencode(value)` when the value holds tokens, else its JSON text. */
export function jsonAttribute(value: unknown): string {
  return holdsTokens(value) ? Fn.jsonencode(withRenderedLiterals(value)) : JSON.stringify(value);
}

/*
 * Speed: cdktf renders a `jsonencode` argument by resolving, at every level of nesting, the whole
 * subtree below it again, so a policy or a dashboard costs a multiple of its size (a 16 KB dashboard
 * with 36 references took 30 ms to resolve; the same as a JSON string with tokens, 2 ms). The parts
 * of the value that hold no token are therefore rendered here, once, into exactly the text cdktf
 * writes for them, and handed to cdktf as already-resolved expressions (cdktf inserts the value of
 * a resolvable argument as it is); cdktf walks only the parts that hold tokens.
 * `__tests__/synth/json-attribute.test.ts` checks the text against cdktf's own rendering.
 */

/** `value` with every subtree that holds no token replaced by its rendered expression. */
function withRenderedLiterals(value: unknown): unknown {
  if (!holdsTokens(value)) {
    const text = literalExpression(value);
    return text === undefined ? value : renderedExpression(text);
  }
  if (Array.isArray(value)) return value.map(withRenderedLiterals);
  if (value !== null && typeof value === "object" && !Tokenization.isResolvable(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withRenderedLiterals(item)]));
  }
  return value;
}

/**
 * The text cdktf writes for a value without tokens inside a `jsonencode(...)` expression, or
 * undefined where its rendering is left to cdktf (undefined array items, `${` in a string, anything
 * that is not JSON data).
 */
function literalExpression(value: unknown): string | undefined {
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    if (value.includes("${")) return undefined;
    // cdktf escapes only line breaks here, and leaves a value that is already in quotes as it is.
    const escaped = value.replace(/\n/g, "\\n");
    return value !== '"' && value.startsWith('"') && value.endsWith('"') ? escaped : `"${escaped}"`;
  }
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      const text = item === undefined ? undefined : literalExpression(item);
      if (text === undefined) return undefined;
      items.push(text);
    }
    return `[${items.join(", ")}]`;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries: string[] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined) continue;
      const text = literalExpression(item);
      if (text === undefined || key.includes("${")) return undefined;
      entries.push(`"${key}" = ${text}`);
    }
    return `{${entries.join(", ")}}`;
  }
  return undefined;
}

function renderedExpression(text: string): IResolvable {
  return { creationStack: [], resolve: () => text, toString: () => text };
}

function holdsTokens(value: unknown): boolean {
  if (typeof value === "string" || typeof value === "number") return Token.isUnresolved(value);
  if (Array.isArray(value)) return value.some(holdsTokens);
  if (value !== null && typeof value === "object") return Object.values(value).some(holdsTokens);
  return false;
}

const JSONENCODE = /^\$\{jsonencode\(([\s\S]*)\)\}$/;

/** True when a synthesized string is a `jsonencode(...)` expression (see the note at the top). */
export function isJsonencodeExpression(text: string): boolean {
  return JSONENCODE.test(text);
}

/**
 * The value of a synthesized JSON-valued argument: its JSON text, or the `${jsonencode(...)}`
 * expression cdktf wrote for it. References come back as `"${<expression>}"` strings.
 * @throws when the text is neither
 */
export function parseJsonAttribute(text: string): any {
  const match = JSONENCODE.exec(text);
  if (!match) return JSON.parse(text);
  const reader = new ExpressionReader(match[1]);
  const value = reader.value();
  reader.end();
  return value;
}

/** Reads the subset of HCL that cdktf writes inside `jsonencode(...)`: objects, tuples, literals, references. */
class ExpressionReader {
  private at = 0;

  constructor(private readonly text: string) {}

  value(): unknown {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.tuple();
    if (c === '"') return this.template();
    return this.bare();
  }

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) this.fail("unexpected text after the value");
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.at++;
    for (this.skipSpace(); this.text[this.at] !== "}"; this.skipSpace()) {
      const key = this.text[this.at] === '"' ? this.template() : this.identifier();
      this.skipSpace();
      if (this.text[this.at] !== "=" && this.text[this.at] !== ":") this.fail("expected = after an object key");
      this.at++;
      result[key] = this.value();
      this.separator("}");
    }
    this.at++;
    return result;
  }

  private tuple(): unknown[] {
    const result: unknown[] = [];
    this.at++;
    for (this.skipSpace(); this.text[this.at] !== "]"; this.skipSpace()) {
      result.push(this.value());
      this.separator("]");
    }
    this.at++;
    return result;
  }

  private identifier(): string {
    const name = /^[A-Za-z_][\w-]*/.exec(this.text.slice(this.at))?.[0];
    if (!name) this.fail("expected an object key");
    this.at += name.length;
    return name;
  }

  private separator(close: string): void {
    this.skipSpace();
    if (this.text[this.at] === ",") this.at++;
    else if (this.text[this.at] !== close) this.fail(`expected , or ${close}`);
  }

  /** A quoted template; interpolations are kept as written, escapes are undone. */
  private template(): string {
    let out = "";
    this.at++;
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c === "\\") {
        const next = this.text[this.at + 1];
        out += next === "n" ? "\n" : next === "t" ? "\t" : next === "r" ? "\r" : next;
        this.at += 2;
      } else if (this.text.startsWith("${", this.at)) {
        const start = this.at;
        this.at += 2;
        this.skipBalanced("}");
        out += this.text.slice(start, this.at);
      } else {
        out += c;
        this.at++;
      }
    }
    return this.fail("unterminated string");
  }

  /** A number, `true`/`false`/`null`, or a reference or call, returned as its interpolation. */
  private bare(): unknown {
    const start = this.at;
    while (this.at < this.text.length && !",}]".includes(this.text[this.at])) {
      const c = this.text[this.at++];
      if (c === "(" || c === "[" || c === "{") this.skipBalanced(c === "(" ? ")" : c === "[" ? "]" : "}");
      else if (c === '"') {
        this.at--;
        this.template();
      }
    }
    const expression = this.text.slice(start, this.at).trim();
    if (expression === "") this.fail("expected a value");
    if (expression === "true" || expression === "false" || expression === "null") return JSON.parse(expression);
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(expression)) return Number(expression);
    return `\${${expression}}`;
  }

  /** Moves past the bracket that closes an opened one, skipping nested brackets and strings. */
  private skipBalanced(close: string): void {
    const pairs: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (c === close) {
        this.at++;
        return;
      }
      if (c === '"') this.template();
      else if (pairs[c]) {
        this.at++;
        this.skipBalanced(pairs[c]);
      } else this.at++;
    }
    this.fail(`missing ${close}`);
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.at] ?? "")) this.at++;
  }

  private fail(message: string): never {
    throw new Error(`jsonencode expression, at ${this.at}: ${message}: ${this.text.slice(Math.max(0, this.at - 40), this.at + 40)}`);
  }
}
