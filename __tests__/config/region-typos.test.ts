import { readFileSync } from "node:fs";
import * as path from "node:path";
import { validateConfig } from "../../src/config/validate";
import { problemsOf } from "../helpers/config";

const problems = (raw: unknown) => problemsOf(validateConfig, raw);
/** An example whose regions are not the defaults (us-east-1, eu-west-1), so a default leaking into a message shows. */
const twoEnvironments = () => JSON.parse(readFileSync(path.join(__dirname, "../../examples/two-environments.json"), "utf8"));

describe("a mistyped region is one problem at its own path", () => {
  test.each([
    ["primaryRegion", "us-west-l", 'primaryRegion: is not a known AWS region: "us-west-l" (did you mean "us-west-1"?)'],
    ["drRegion", "us-east-l", 'drRegion: is not a known AWS region: "us-east-l" (did you mean "us-east-1"?)'],
    ["primaryRegion", "us-wesst-2", 'primaryRegion: is not a known AWS region: "us-wesst-2" (did you mean "us-west-2"?)'],
  ])("%s: %s", (field, value, message) => {
    // GIVEN a configuration whose VPC blocks are in us-west-2 and us-east-2
    const raw = twoEnvironments();
    // WHEN the region is mistyped
    raw[field] = value;
    // THEN only that field is reported: nothing about a default region the user never wrote, or its consequences
    expect(problems(raw)).toEqual([message]);
  });

  test("a region that is nothing like a known one gets no suggestion", () => {
    const raw = twoEnvironments();
    raw.drRegion = "mars-1";
    expect(problems(raw)).toEqual(['drRegion: is not a known AWS region: "mars-1" (regions look like us-east-1)']);
  });

  test("other problems are still reported beside the region", () => {
    const raw = twoEnvironments();
    raw.primaryRegion = "us-west-l";
    raw.environments[0].accountId = "4444";
    expect(problems(raw)).toEqual([
      'primaryRegion: is not a known AWS region: "us-west-l" (did you mean "us-west-1"?)',
      'environments[0].accountId: must be 12 digits, not "4444"',
    ]);
  });

  test("a VPC block under a mistyped region names the platform region it is closest to", () => {
    const raw = twoEnvironments();
    raw.environments[0].network.cidrs = { "us-west-2": "10.40.0.0/16", "us-eats-2": "10.41.0.0/16" };
    expect(problems(raw)).toContain(`environments[0].network.cidrs.us-eats-2: is not one of the platform's regions (us-west-2, us-east-2) (did you mean "us-east-2"?)`);
  });
});
