import { TerraformElement, TerraformOutput, TerraformStack, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";
import { cdktfResolve, resolveTokens } from "./token-resolution";

/**
 * A stack's Terraform JSON, resolved once.
 *
 * cdktf's `TerraformStack.toTerraform` resolves every element, merges the results, adds the stack's
 * overrides and then resolves the whole merged document again. Only the overrides can hold tokens at
 * that point, so the second pass walks every attribute of every resource (three regular expressions
 * per string, keys included) to change nothing, a cost that grows with every resource. Here each
 * element is resolved once (src/synth/token-resolution.ts: cdktf's resolver for every value that holds
 * a token), and the overrides are resolved where they land, which gives the same document in one pass.
 * `__tests__/synth/stack-assembly.test.ts` holds this to cdktf's own result for every stack of the examples.
 */

type Json = Record<string, any>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** The stack's elements in construct order, without those of nested stacks (cdktf's order, so the output's key order is its). */
function stackElements(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (!TerraformStack.isStack(child)) stackElements(child, into);
  }
  return into;
}

/** `target[key]` as an object to merge into, replacing anything else there (as cdktf's merge does). */
function objectAt(target: Json, key: string): Json {
  if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
  return target[key];
}

/**
 * Merges resolved `source` into `target` the way cdktf merges stack fragments: objects key by key,
 * arrays appended to an array already there, `undefined` removing the key, anything else replacing.
 * An object lands as it is where `target` has nothing to merge it into (where objectAt would put a
 * new one): resolved values are new objects that nothing else holds, and hold no `undefined`
 * (resolution drops it), so nothing tells that from a copy, and no resource is copied once more.
 */
function mergeResolved(target: Json, source: Json): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (isObject(value)) {
      if (typeof target[key] === "object" && target[key] !== null) mergeResolved(target[key], value);
      else target[key] = value;
    } else if (Array.isArray(value)) {
      target[key] = Array.isArray(target[key]) ? [...target[key], ...value] : value;
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}

/**
 * Applies the stack's raw overrides to the resolved document with the effect cdktf's merge-then-resolve
 * has: plain objects merge key by key (keys resolved too); any other value (a string with tokens, a
 * token object, an array) replaces what is there, or extends an array already there, and is resolved
 * as it lands; a value that resolves to nothing removes the key, as cdktf's final pass would.
 */
function applyOverrides(scope: IConstruct, target: Json, overrides: Json): void {
  for (const rawKey of Object.keys(overrides)) {
    const key = cdktfResolve(scope, rawKey) as string;
    const value = overrides[rawKey];
    if (isObject(value) && !Tokenization.isResolvable(value)) {
      applyOverrides(scope, objectAt(target, key), value);
      continue;
    }
    const landed = cdktfResolve(scope, Array.isArray(value) && Array.isArray(target[key]) ? [...target[key], ...value] : value);
    if (landed === undefined) delete target[key];
    else target[key] = landed;
  }
}

/** Output identifiers by construct path, as cdktf writes them under `//.outputs`. */
function outputIds(elements: readonly TerraformElement[]): Json {
  const outputs: Json = {};
  for (const element of elements) {
    if (!TerraformOutput.isTerraformOutput(element)) continue;
    const parts = element.node.path.split("/");
    let node = outputs;
    for (const part of parts.slice(0, -1)) node = isObject(node[part]) ? node[part] : (node[part] = {});
    node[parts[parts.length - 1]!] = element.friendlyUniqueId;
  }
  return outputs;
}

/**
 * What `TerraformStack.toTerraform` returns for `stack`, with each value resolved once.
 * `cdktfVersion` and `overrides` are the stack's own (cdktf keeps them private).
 */
export function assembleStack(stack: TerraformStack, cdktfVersion: string, overrides: Json): Json {
  const overridden = Object.keys(overrides);
  const metadata: Json = {
    version: cdktfVersion,
    stackName: stack.node.id,
    backend: "local", // a backend element's metadata replaces it
    cloud: undefined, // so does a cloud or remote backend's
    ...(overridden.length > 0 ? { overrides: { stack: overridden } } : {}),
  };
  const elements = stackElements(stack);
  for (const element of elements) mergeResolved(metadata, resolveTokens(stack, element.toMetadata()));
  for (const key of Object.keys(metadata)) if (metadata[key] === undefined) delete metadata[key];

  const document: Json = { "//": { metadata, outputs: outputIds(elements) } };
  for (const element of elements) mergeResolved(document, resolveTokens(stack, element.toTerraform()));
  applyOverrides(stack, document, overrides);
  return document;
}
