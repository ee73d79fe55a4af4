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

/** Width and height from a PNG's IHDR chunk, and how many of its decoded bytes are not white. */
export function pngFacts(png: Buffer): { width: number; height: number; inkRatio: number } {
  if (png.subarray(1, 4).toString("latin1") !== "PNG" || png.subarray(12, 16).toString("latin1") !== "IHDR") throw new Error("not a PNG");
  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.subarray(offset + 4, offset + 8).toString("latin1") === "IDAT") idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  // Filtered scanlines: a filter byte then RGB(A) bytes. Counting bytes that are not 0xff is enough to
  // tell a drawing from a blank page without undoing the filters (a white row filters to zeros).
  const raw = inflateSync(Buffer.concat(idat));
  let ink = 0;
  for (const byte of raw) if (byte !== 0xff && byte !== 0) ink++;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), inkRatio: ink / raw.length };
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
