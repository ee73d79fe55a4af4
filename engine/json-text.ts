/**
 * A JSON reader that loses no number. JSON.parse turns every number into a double, so a 64-bit key
 * such as 9007199254740993 or a decimal such as 0.1000000000000000055511151231257827 is silently
 * rounded, stored rounded, and reported unchanged on every later run. Here a number literal that a
 * double does not hold exactly becomes a JsonNumber holding its source text, which the server
 * converts for its column exactly as it converts a CSV cell; other numbers are plain numbers.
 * stringifyJson writes such values back as JSON with the numbers' digits intact.
 */

/** A number literal that a double does not hold exactly, as written. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  /** Where a JsonNumber reaches JSON.stringify, it keeps its digits (as a string). */
  toJSON(): string {
    return this.text;
  }
}

/** A syntax error, with the offset in the text where it was found. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}


const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses JSON text (RFC 8259); see the module comment for numbers. */
export function parseJsonText(text: string): unknown {
  let pos = 0;

  const fail = (what: string): never => {
    const found = pos >= text.length ? "the end of the text" : JSON.stringify(text[pos]);
    throw new JsonSyntaxError(`expected ${what}, found ${found}`, pos);
  };
  const skipSpace = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };

  const readString = (): string => {
    // pos is at the opening quote.
    let out = "";
    let start = ++pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos++);
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, pos);
        const e = text[pos + 1];
        if (e === "u") {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            pos += 2;
            fail("four hexadecimal digits after \\u");
          }
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          pos += 2;
        } else {
          pos++;
          fail("an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
        start = pos;
        continue;
      }
      if (Number.isNaN(c)) fail('a closing quote (")');
      if (c < 0x20) fail("no control character inside a string (escape it)");
      pos++;
    }
  };

  const readNumber = (): number | JsonNumber => {
    NUMBER.lastIndex = pos;
    const match = NUMBER.exec(text);
    if (!match) return fail("a value");
    const literal = match[0];
    pos += literal.length;
    const value = Number(literal);
    return isExact(literal, value) ? value : new JsonNumber(literal);
  };

  const readValue = (): unknown => {
    skipSpace();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const object: Record<string, unknown> = {};
      skipSpace();
      if (text[pos] === "}") pos++;
      else {
        for (;;) {
          skipSpace();
          if (text[pos] !== '"') fail("a property name in double quotes");
          const key = readString();
          skipSpace();
          if (text[pos] !== ":") fail('":" after a property name');
          pos++;
          const item = readValue();
          // Defining the property (not assigning it) keeps "__proto__" an ordinary key, as JSON.parse does.
          if (key === "__proto__") Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
          else object[key] = item;
          skipSpace();
          if (text[pos] === ",") {
            pos++;
            continue;
          }
          if (text[pos] === "}") {
            pos++;
            break;
          }
          fail('"," or "}"');
        }
      }
      return object;
    }
    if (c === "[") {
      pos++;
      const array: unknown[] = [];
      skipSpace();
      if (text[pos] === "]") pos++;
      else {
        for (;;) {
          array.push(readValue());
          skipSpace();
          if (text[pos] === ",") {
            pos++;
            continue;
          }
          if (text[pos] === "]") {
            pos++;
            break;
          }
          fail('"," or "]"');
        }
      }
      return array;
    }
    if (c === '"') return readString();
    if (c === "t" && text.startsWith("true", pos)) {
      pos += 4;
      return true;
    }
    if (c === "f" && text.startsWith("false", pos)) {
      pos += 5;
      return false;
    }
    if (c === "n" && text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    return readNumber();
  };

  const value = readValue();
  skipSpace();
  if (pos < text.length) fail("the end of the text");
  return value;
}

/**
 * JSON.stringify, except that a JsonNumber is written as its digits (a number, not a string). The
 * numbers go in through placeholders that no JSON string can spell (each call draws a new mark).
 */
export function stringifyJson(value: unknown): string {
  const numbers: string[] = [];
  const mark = `\u0000${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(value, function (this: unknown, key: string, item: unknown) {
    const original = (this as Record<string, unknown>)[key];
    if (original instanceof JsonNumber) {
      numbers.push(original.text);
      return `${mark}${numbers.length - 1}`;
    }
    return item;
  });
  if (numbers.length === 0) return text;
  // JSON.stringify escapes U+0000 as \u0000 inside the quotes.
  const escapedMark = JSON.stringify(mark).slice(1, -1).replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  return text.replace(new RegExp(`"${escapedMark}(\\d+)"`, "g"), (_m, i: string) => numbers[Number(i)]!);
}

/**
 * True when the double `value` is the number the decimal `literal` denotes. The double's shortest
 * decimal form (String(value)) is compared with the literal, both reduced to digits and exponent,
 * so that 1.50, 15e-1 and 1.5 are all exact and 9007199254740993 is not.
 */
export function isExact(literal: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  const text = String(value);
  if (text === literal) return true;
  const a = decimal(literal);
  const b = decimal(text);
  return a.digits === b.digits && a.exponent === b.exponent && (a.digits === "" || a.negative === b.negative);
}

/** A decimal literal as sign, significant digits (no leading or trailing zeros) and exponent. */
function decimal(literal: string): { negative: boolean; digits: string; exponent: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return { negative: false, digits: literal, exponent: NaN };
  const fraction = m[3] ?? "";
  let digits = (m[2]! + fraction).replace(/^0+/, "");
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const trailing = /0*$/.exec(digits)![0].length;
  if (trailing > 0) {
    digits = digits.slice(0, digits.length - trailing);
    exponent += trailing;
  }
  return { negative: m[1] === "-", digits, exponent: digits === "" ? 0 : exponent };
}
