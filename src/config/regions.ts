import { closest, type Problems, readString } from "./reader";

/**
 * Commercial AWS regions the platform accepts. A typo such as `us-east1` fails validation
 * instead of surfacing minutes later as a provider error in one stack.
 */
export const AWS_REGIONS: ReadonlySet<string> = new Set([
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
]);

/**
 * Reads a region name: a string naming a known region. Anything else is one problem at `path`, with the
 * nearest known region when it is close enough to be a typo (`us-east-l` → `us-east-1`).
 */
export function readRegion(p: Problems, path: string, value: unknown): string | undefined {
  if (typeof value === "string" && !AWS_REGIONS.has(value)) {
    // Region names differ from each other by one or two characters, so only a near miss is a suggestion.
    const near = closest(value, [...AWS_REGIONS], 2);
    p.add(path, `is not a known AWS region: "${value}"${near ? ` (did you mean "${near}"?)` : " (regions look like us-east-1)"}`);
    return undefined;
  }
  return readString(p, path, value);
}
