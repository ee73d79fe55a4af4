import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { DOMParser, type Document, type Element } from "@xmldom/xmldom";
import { exampleRaw } from "../helpers/config";

/** Parses an SVG document strictly: a well-formedness error throws. */
export function parseSvg(svg: string): Document {
  const errors: string[] = [];
  const document = new DOMParser({ onError: (level, message) => void (level !== "warning" && errors.push(message)) }).parseFromString(svg, "image/svg+xml");
  if (errors.length > 0) throw new Error(`SVG is not well-formed XML: ${errors.join("; ")}`);
  return document;
}

/** Every element with `tag` and `class`, as attribute maps. */
export function elements(document: Document, tag: string, className: string): Record<string, string>[] {
  return Array.from(document.getElementsByTagName(tag) as ArrayLike<Element>)
    .filter((e) => e.getAttribute("class") === className)
    .map((e) => Object.fromEntries(Array.from({ length: e.attributes.length }, (_, i) => [e.attributes.item(i)!.name, e.attributes.item(i)!.value])));
}

/** A decoded 8-bit RGB or RGBA PNG (what Chromium's screenshots are). */
export interface Png {
  readonly width: number;
  readonly height: number;
  /** Red, green and blue of one pixel. */
  rgb(x: number, y: number): [number, number, number];
  /** Sum of red, green and blue of one pixel (0 for black), without allocating. */
  brightness(x: number, y: number): number;
}

/** Decodes a PNG: the size from its IHDR chunk, the pixels from its IDAT chunks with the scanline filters undone. */
export function decodePng(png: Buffer): Png {
  if (png.subarray(1, 4).toString("latin1") !== "PNG" || png.subarray(12, 16).toString("latin1") !== "IHDR") throw new Error("not a PNG");
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bitDepth = png[24];
  const colourType = png[25];
  if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6)) throw new Error(`unexpected PNG format: depth ${bitDepth}, colour type ${colourType}`);
  const channels = colourType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.subarray(offset + 4, offset + 8).toString("latin1") === "IDAT") idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const value = raw[y * (stride + 1) + 1 + i];
      const left = i >= channels ? pixels[y * stride + i - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const upLeft = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const predictor = filter === 0 ? 0 : filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : paeth(left, up, upLeft);
      pixels[y * stride + i] = (value + predictor) & 0xff;
    }
  }
  const at = (x: number, y: number) => y * stride + x * channels;
  return {
    width,
    height,
    brightness: (x, y) => pixels[at(x, y)] + pixels[at(x, y) + 1] + pixels[at(x, y) + 2],
    rgb: (x, y) => [pixels[y * stride + x * channels], pixels[y * stride + x * channels + 1], pixels[y * stride + x * channels + 2]],
  };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The Chromium binary the render tests use (Debian's `chromium`, installed by scripts/ensure-test-tools.sh). */
export function chromiumBinary(): string {
  const binary = process.env.CHROMIUM_BINARY ?? "/usr/bin/chromium";
  if (!existsSync(binary)) throw new Error(`${binary} not found: run \`bash scripts/ensure-test-tools.sh\` (installs Debian's chromium)`);
  return binary;
}

/** Runs headless Chromium on a local file with extra arguments; returns stdout. */
export function chromium(args: readonly string[], file: string): string {
  const result = spawnSync(chromiumBinary(), ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", ...args, `file://${file}`], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`chromium failed (${result.status ?? result.signal}): ${result.stderr}`);
  return result.stdout;
}

/** The built-in example grown to six environments in six accounts, for the wide picture. */
export function sixEnvironments(): any {
  const raw = exampleRaw();
  const names = ["dev", "test", "qa", "uat", "staging", "prod"];
  raw.promotionOrder = names;
  raw.environments = names.map((name, i) => {
    const template = structuredClone(raw.environments[0]);
    const octet = 10 + i * 10;
    return { ...template, name, accountId: String(111111111111 * (i + 1)), network: { cidrs: { "us-east-1": `10.${octet}.0.0/16`, "eu-west-1": `10.${octet + 1}.0.0/16` } } };
  });
  raw.stateBackend = { ...raw.stateBackend, accountId: raw.environments[5].accountId };
  raw.deployers = raw.deployers.map((d: string) => d.replace("333333333333", raw.environments[5].accountId));
  raw.appConfig = { settings: { "service/region": "us-east-1" } };
  return raw;
}
