import { Fn, Token, type IResolvable, type IResolveContext } from "cdktf";
import { isNumberToken, isResolvable, isStringToken } from "./synth/token-resolution";

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
  if (!holdsTokens(value)) return JSON.stringify(value);
  const part = expressionPart(value);
  return part === undefined ? renderedByCdktf(value) : Token.asString(new JsonencodeExpression(value, part));
}

/*
 * Speed: cdktf renders a `jsonencode` argument by resolving, at every level of nesting, the whole
 * subtree below it again, so a policy or a dashboard costs a multiple of its size and depth (a 16 KB
 * dashboard with 36 references took 30 ms to resolve; the same as a JSON string with tokens, 2 ms).
 * So the expression is rendered here, each part once: the parts that hold no token into exactly the
 * text cdktf writes for them, and each token (a reference, or a string with references in it) by
 * cdktf itself, in the context cdktf gives a function's arguments. Values with parts whose rendering
 * is cdktf's quirk (an undefined list item, `${` in plain text, a key with a token, an object that is
 * not plain data) go to cdktf's `Fn.jsonencode` whole, with their token-free parts rendered here.
 * `__tests__/synth/json-attribute.test.ts` checks the text against cdktf's own rendering.
 */

/** A value inside `jsonencode(...)`, by how it is rendered. */
type ExpressionPart =
  /** A value without tokens, every part of it renderable here: its text is written when it is rendered. */
  | { readonly literal: unknown }
  | { readonly token: string | number }
  | { readonly items: readonly ExpressionPart[] }
  | { readonly entries: readonly (readonly [string, ExpressionPart])[] };

/** How `value` is rendered, or undefined when any part of it is left to cdktf (see classify). */
function expressionPart(value: unknown): ExpressionPart | undefined {
  const part = classify(value);
  return part === LITERAL ? { literal: value } : part;
}

/** classify's answer for a value that is literal throughout: the value itself is the part. */
const LITERAL = Symbol("literal");

/**
 * How `value` is rendered: LITERAL, a part, or undefined when any part of it is left to cdktf (see
 * above, and an undefined list item). One pass, which writes no text and allocates nothing for
 * literal values: a list or object whose parts are all literal is one literal, written once when
 * the expression is rendered (literalText).
 */
function classify(value: unknown): ExpressionPart | typeof LITERAL | undefined {
  if (typeof value === "string" || typeof value === "number") {
    if (holdsTokens(value)) return { token: value };
    return typeof value === "string" && value.includes("${") ? undefined : LITERAL;
  }
  if (typeof value === "boolean" || value === null) return LITERAL;
  if (Array.isArray(value)) {
    // The parts are kept only once one of them is not literal (most lists are literal throughout).
    let items: ExpressionPart[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const part = classify(value[i]);
      if (part === undefined) return undefined;
      if (items === undefined && part !== LITERAL) items = value.slice(0, i).map((item): ExpressionPart => ({ literal: item }));
      items?.push(part === LITERAL ? { literal: value[i] } : part);
    }
    return items === undefined ? LITERAL : { items };
  }
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype || isResolvable(value)) return undefined;
  let entries: (readonly [string, ExpressionPart])[] | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    const part = classify(item);
    if (part === undefined || key.includes("${") || isStringToken(key)) return undefined;
    if (entries === undefined && part !== LITERAL) entries = literalEntries(value as Record<string, unknown>, keys.slice(0, i));
    entries?.push([key, part === LITERAL ? { literal: item } : part]);
  }
  return entries === undefined ? LITERAL : { entries };
}

/** The entries of `value` at `keys` (all literal), as parts. */
function literalEntries(value: Record<string, unknown>, keys: readonly string[]): (readonly [string, ExpressionPart])[] {
  return keys.filter((key) => value[key] !== undefined).map((key) => [key, { literal: value[key] }] as const);
}

/**
 * The text cdktf writes for a literal part (see classify) inside a `jsonencode(...)`
 * expression: lists as `[a, b]`, objects as `{"key" = value}` without their undefined members,
 * scalars as scalarExpression writes them.
 */
function literalText(value: unknown): string {
  if (typeof value === "string" || typeof value === "number") return scalarExpression(value);
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) text += (i === 0 ? "" : ", ") + literalText(value[i]);
    return `${text}]`;
  }
  if (value === null || typeof value !== "object") return String(value);
  let text = "{";
  let first = true;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    text += `${first ? "" : ", "}"${key}" = ${literalText(item)}`;
    first = false;
  }
  return `${text}}`;
}

/** A string that is one string token and nothing else: cdktf writes its resolved value as it is. */
const SINGLE_TOKEN = /^\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}$/;

/** A token's rendering was not the shape cdktf gives a string or a number: cdktf renders the whole value. */
class UnexpectedRendering extends Error {}

/** The flags of a resolve context that cdktf sets while it renders a function's arguments. */
type RenderFlags = Pick<IResolveContext, "suppressBraces" | "ignoreEscapes" | "warnEscapes">;
const FUNCTION_ARGUMENT_FLAGS: RenderFlags = { suppressBraces: true, ignoreEscapes: true, warnEscapes: true };

function setFlags(context: IResolveContext, flags: RenderFlags): void {
  context.suppressBraces = flags.suppressBraces;
  context.ignoreEscapes = flags.ignoreEscapes;
  context.warnEscapes = flags.warnEscapes;
}

/** `jsonencode(value)`, rendered as cdktf's `Fn.jsonencode` renders it, each part once. */
class JsonencodeExpression implements IResolvable {
  readonly creationStack: string[] = [];

  constructor(
    private readonly value: unknown,
    private readonly part: ExpressionPart,
  ) {}

  resolve(context: IResolveContext): string {
    const outer: RenderFlags = { suppressBraces: context.suppressBraces, ignoreEscapes: context.ignoreEscapes, warnEscapes: context.warnEscapes };
    let body: string | undefined;
    try {
      setFlags(context, FUNCTION_ARGUMENT_FLAGS);
      body = this.render(context, this.part, outer);
    } catch (error) {
      if (!(error instanceof UnexpectedRendering)) throw error;
    } finally {
      setFlags(context, outer);
    }
    if (body === undefined) return context.resolve(renderedByCdktf(this.value));
    return outer.suppressBraces ? `jsonencode(${body})` : `\${jsonencode(${body})}`;
  }

  toString(): string {
    return Token.asString(this);
  }

  private render(context: IResolveContext, part: ExpressionPart, outer: RenderFlags): string {
    if ("literal" in part) return literalText(part.literal);
    if ("token" in part) return renderToken(context, part.token, outer);
    if ("items" in part) return `[${part.items.map((item) => this.render(context, item, outer)).join(", ")}]`;
    return `{${part.entries.map(([key, item]) => `"${key}" = ${this.render(context, item, outer)}`).join(", ")}}`;
  }
}

/** What cdktf writes for `jsonencode([x])`, with or without braces, around x's rendering. */
const ONE_ITEM_CALL = /^(?:\$\{jsonencode\(\[([\s\S]*)\]\)\}|jsonencode\(\[([\s\S]*)\]\))$/;

/**
 * A token as cdktf writes it inside a function's arguments (`context` has those flags set). A string
 * that is one token alone is written as its value; anything else (text around references, a number
 * token, a token that resolves to a structure) is rendered by cdktf as the one item of a list, in the
 * context the value itself is resolved in (`outer`), as cdktf renders a function call. A list token
 * comes back without that list's brackets (cdktf writes the list itself there), so the value goes to
 * cdktf whole.
 */
function renderToken(context: IResolveContext, token: string | number, outer: RenderFlags): string {
  if (typeof token === "string" && SINGLE_TOKEN.test(token)) {
    const resolved = context.resolve(token);
    if (typeof resolved === "string") return resolved;
  }
  setFlags(context, outer);
  const rendered = context.resolve(Fn.jsonencode([token]));
  setFlags(context, FUNCTION_ARGUMENT_FLAGS);
  const match = typeof rendered === "string" ? ONE_ITEM_CALL.exec(rendered) : null;
  if (!match) throw new UnexpectedRendering();
  return (match[1] ?? match[2])!;
}

/** cdktf's `Fn.jsonencode` of `value`, with the parts that hold no token rendered here. */
function renderedByCdktf(value: unknown): string {
  return Fn.jsonencode(withRenderedLiterals(value));
}

/** `value` with every subtree that holds no token replaced by its rendered expression. */
function withRenderedLiterals(value: unknown): unknown {
  if (!holdsTokens(value)) return classify(value) === LITERAL ? renderedExpression(literalText(value)) : value;
  if (Array.isArray(value)) return value.map(withRenderedLiterals);
  if (value !== null && typeof value === "object" && !isResolvable(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withRenderedLiterals(item)]));
  }
  return value;
}

/**
 * The text cdktf writes for a plain string or number inside a `jsonencode(...)` expression (a
 * string with `${` in it is left to cdktf: see classify).
 */
function scalarExpression(value: string | number): string {
  if (typeof value === "number") return String(value);
  // cdktf escapes only line breaks here, and leaves a value that is already in quotes as it is.
  const escaped = value.replace(/\n/g, "\\n");
  return value !== '"' && value.startsWith('"') && value.endsWith('"') ? escaped : `"${escaped}"`;
}

function renderedExpression(text: string): IResolvable {
  return { creationStack: [], resolve: () => text, toString: () => text };
}

/** Whether `value` holds a token: a string, list or number token, or a resolvable object. */
function holdsTokens(value: unknown): boolean {
  if (typeof value === "string") return isStringToken(value);
  if (typeof value === "number") return isNumberToken(value);
  if (Array.isArray(value)) return value.some(holdsTokens);
  if (value !== null && typeof value === "object") return isResolvable(value) || Object.values(value).some(holdsTokens);
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

/** A bare object key (sticky: matched where the reader is). */
const IDENTIFIER = /[A-Za-z_][\w-]*/y;
/** The characters a template's plain text ends at: its end, an escape, and a possible interpolation. */
const TEMPLATE_SPECIAL = /["\\$]/g;

/** What `/\s/` matches, without a regular expression per character for the common (ASCII) ones. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(String.fromCharCode(code)));
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
    IDENTIFIER.lastIndex = this.at;
    const name = IDENTIFIER.exec(this.text)?.[0];
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
      // Plain text up to the next character that means something here, in one piece.
      TEMPLATE_SPECIAL.lastIndex = this.at;
      const special = TEMPLATE_SPECIAL.exec(this.text);
      const end = special ? special.index : this.text.length;
      out += this.text.slice(this.at, end);
      this.at = end;
      const c = this.text[this.at];
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c === "\\") {
        const next = this.text[this.at + 1];
        out += next === "n" ? "\n" : next === "t" ? "\t" : next === "r" ? "\r" : next;
        this.at += 2;
      } else if (c === "$" && this.text[this.at + 1] === "{") {
        const start = this.at;
        this.at += 2;
        this.skipBalanced("}");
        out += this.text.slice(start, this.at);
      } else if (c !== undefined) {
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
    while (this.at < this.text.length && isSpace(this.text.charCodeAt(this.at))) this.at++;
  }

  private fail(message: string): never {
    throw new Error(`jsonencode expression, at ${this.at}: ${message}: ${this.text.slice(Math.max(0, this.at - 40), this.at + 40)}`);
  }
}
