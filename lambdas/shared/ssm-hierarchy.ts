/**
 * The SSM configuration hierarchy `/app/<environment>/config/<key>`: path helpers and a
 * paginated reader. Values read here may be decrypted SecureStrings: never log them.
 */
import { GetParametersByPathCommand, type Parameter, type SSMClient } from "@aws-sdk/client-ssm";

/** Root of one environment's configuration, with a trailing slash. */
export function configRoot(environment: string): string {
  return `/app/${environment}/config/`;
}

/** The key relative to the environment root, or `undefined` if `name` is outside it. */
export function relativeKey(name: string, environment: string): string | undefined {
  const normalized = name.startsWith("/") ? name : `/${name}`;
  const root = configRoot(environment);
  return normalized.startsWith(root) && normalized.length > root.length ? normalized.slice(root.length) : undefined;
}

/** A parameter as we compare it: relative key, type, value and version. */
export interface ConfigParameter {
  readonly name: string;
  readonly key: string;
  readonly type: string;
  readonly value: string;
  readonly version?: number;
  readonly dataType?: string;
}

/**
 * Every parameter below the environment's root (recursive, all pages).
 * @param withDecryption decrypt SecureStrings (needs kms:Decrypt); otherwise their value is ciphertext
 */
export async function readHierarchy(client: SSMClient, environment: string, withDecryption: boolean): Promise<Map<string, ConfigParameter>> {
  const root = configRoot(environment);
  const out = new Map<string, ConfigParameter>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetParametersByPathCommand({ Path: root, Recursive: true, WithDecryption: withDecryption, MaxResults: 10, NextToken: nextToken }));
    for (const parameter of page.Parameters ?? []) {
      const parsed = toConfigParameter(parameter, environment);
      if (parsed !== undefined) {
        out.set(parsed.key, parsed);
      }
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return out;
}

export function toConfigParameter(parameter: Parameter, environment: string): ConfigParameter | undefined {
  if (parameter.Name === undefined || parameter.Type === undefined || parameter.Value === undefined) {
    return undefined;
  }
  const key = relativeKey(parameter.Name, environment);
  if (key === undefined) {
    return undefined;
  }
  return { name: parameter.Name, key, type: parameter.Type, value: parameter.Value, version: parameter.Version, dataType: parameter.DataType };
}
