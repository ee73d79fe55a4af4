import * as path from "node:path";
import stableStringify = require("../../src/synth/stable-json");

/** json-stable-stringify's signature (the options are checked at run time: a test passes wrong ones). */
type Stringify = (value: unknown, options?: any) => string | undefined;

/** The package cdktf writes its JSON files with, as cdktf itself loads it (its own dependency). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktfStringify: Stringify = require(require.resolve("json-stable-stringify", { paths: [path.dirname(require.resolve("cdktf"))] }));

/** The text both write, or the error both throw, for `value` with `options`. */
function outcome(write: Stringify, value: unknown, options: unknown): { text?: string; error?: string } {
  try {
    return { text: write(value, options) };
  } catch (error) {
    return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

class WithToJson {
  constructor(private readonly inner: unknown) {}
  toJSON(): unknown {
    return this.inner;
  }
}

const shared = { b: [1, 2], a: "x" };
const cyclic: Record<string, unknown> = { name: "loop" };
cyclic.self = { back: cyclic };

const values: [string, unknown][] = [
  ["a resource document", { resource: { aws_s3_bucket: { b: { bucket: "artifacts", tags: { Name: "a", env: "dev" }, lifecycle: { prevent_destroy: true } } } }, "//": { metadata: { version: "0.21.0" } } }],
  ["keys sorted by code unit, integer-like ones as strings", { b: 1, B: 2, a: 3, "10": 4, "9": 5, _: 6, "é": 7, "": 8, " ": 9 }],
  ["empty objects and arrays, at the top and nested", { a: {}, b: [], c: [[], {}], d: { e: { f: [] } } }],
  ["an empty object alone", {}],
  ["an empty array alone", []],
  ["undefined, functions and symbols: left out of objects, null in arrays", { a: undefined, b: () => 1, c: Symbol("s"), d: [undefined, () => 1, Symbol("s"), null], e: 1 }],
  ["an object whose every member is left out", { a: undefined, b: undefined }],
  ["sparse arrays", [1, , 3]], // eslint-disable-line no-sparse-arrays
  ["numbers JSON.stringify writes its own way", [0, -0, 1.5, -2e-7, 1e21, 123456789012345680000, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity]],
  ["strings that need escapes", ['quote " and \\ backslash', "line\nbreak\ttab\r", "\u0000\u001f\u007f", "\u2028\u2029", "emoji 😀", "lone \ud800 surrogate", "${aws_s3_bucket.b.arn}"]],
  ["keys that need escapes", { 'a"b': 1, "line\nkey": 2, "\ud800": 3 }],
  ["booleans and null", { t: true, f: false, n: null }],
  ["scalars alone", "text"],
  ["null alone", null],
  ["undefined alone", undefined],
  ["toJSON called once, its result written (and not asked again)", { date: new Date(Date.UTC(2026, 0, 2)), custom: new WithToJson({ z: 1, a: new WithToJson("inner") }), gone: new WithToJson(undefined), list: [new WithToJson(undefined)] }],
  ["a value with toJSON at the top", new WithToJson({ b: 1, a: 2 })],
  ["one object in two places (not a cycle)", { first: shared, second: shared, list: [shared, shared] }],
  ["an object inside itself", cyclic],
  ["boxed primitives and class instances", { s: new String("ab"), n: new Number(3), m: new Map([["k", 1]]), set: new Set([1]), re: /x/g }],
  ["deep nesting", JSON.parse(`${"[".repeat(40)}{"k":[]}${"]".repeat(40)}`)],
];

const spaces: [string, unknown][] = [
  ["{ space: 2 } (what cdktf passes)", { space: 2 }],
  ["{ space: 4 }", { space: 4 }],
  ["{ space: '\\t' }", { space: "\t" }],
  ["{ space: 0 }", { space: 0 }],
  ["{} (no indentation)", {}],
  ["no options", undefined],
];

describe.each(spaces)("with %s", (_label, options) => {
  test.each(values)("%s: the same text as json-stable-stringify", (_name, value) => {
    expect(outcome(stableStringify, value, options)).toEqual(outcome(cdktfStringify, value, options));
  });
});

test("cyclic input is refused with json-stable-stringify's error", () => {
  expect(outcome(stableStringify, cyclic, { space: 2 })).toEqual({ error: "TypeError: Converting circular structure to JSON" });
});

/** A small deterministic generator (mulberry32), so a failure names a seed that reproduces it. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY_PARTS = ["a", "B", "_", "1", "10", "9", "-", "$", "é", "\n", '"', "aws_s3_bucket", "//", ""];
const SCALARS: unknown[] = ["", "x", "${var.v}", 'q"uote', "tab\t", 0, -1, 3.25, 1e-9, 2 ** 53, true, false, null, undefined];

function randomValue(random: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const roll = random();
  if (depth > 5 || roll < 0.45) return pick(SCALARS);
  if (roll < 0.7) return Array.from({ length: Math.floor(random() * 5) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 6); i > 0; i--) object[pick(KEY_PARTS) + pick(KEY_PARTS)] = randomValue(random, depth + 1);
  return object;
}

test("generated documents (500 seeds): the same text as json-stable-stringify", () => {
  const differing: number[] = [];
  for (let seed = 1; seed <= 500; seed++) {
    const value = randomValue(generator(seed), 0);
    if (stableStringify(value, { space: 2 }) !== cdktfStringify(value, { space: 2 })) differing.push(seed);
  }
  expect(differing).toEqual([]);
});

test.each<[string, unknown, RegExp]>([
  ["a comparator", (a: unknown, b: unknown) => (String(a) < String(b) ? 1 : -1), /comparator is not supported/],
  ["cmp", { space: 2, cmp: () => 0 }, /unsupported option\(s\) cmp/],
  ["replacer", { replacer: (_k: string, v: unknown) => v }, /unsupported option\(s\) replacer/],
  ["cycles and collapseEmpty", { cycles: true, collapseEmpty: true }, /unsupported option\(s\) cycles, collapseEmpty/],
])("an option cdktf does not pass (%s) is refused, not ignored", (_label, options, message) => {
  expect(() => (stableStringify as Stringify)({ a: 1 }, options)).toThrow(message);
});
