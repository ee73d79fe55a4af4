import { validateConfig } from "../../src/config/validate";
import { exampleRaw, problemsOf } from "../helpers/config";

describe("deployers", () => {
  test("the built-in example names placeholder deployers in its placeholder accounts", () => {
    const config = validateConfig(exampleRaw());
    expect(config.deployers).toEqual([
      "arn:aws:iam::333333333333:role/github-actions-deploy",
      "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_PlatformAdmin_*",
    ]);
  });

  test("is required, so that nobody is trusted by accident", () => {
    // GIVEN a configuration without deployers
    const raw = exampleRaw();
    delete raw.deployers;
    // THEN
    expect(problemsOf(validateConfig, raw)).toEqual([expect.stringMatching(/^deployers: is required/)]);
  });

  test("an empty list is refused", () => {
    const raw = exampleRaw();
    raw.deployers = [];
    expect(problemsOf(validateConfig, raw)).toEqual([expect.stringMatching(/^deployers: must name at least one principal/)]);
  });

  test("each entry must be a role ARN or pattern in a named account, reported with its index", () => {
    const raw = exampleRaw();
    raw.deployers = [
      "arn:aws:iam::444444444444:role/ci",
      "arn:aws:iam::*:role/ci",
      "arn:aws:iam::444444444444:user/alice",
      "AWSReservedSSO_Admin",
      42,
      "arn:aws:iam::444444444444:role/ci",
    ];
    expect(problemsOf(validateConfig, raw)).toEqual([
      expect.stringMatching(/^deployers\[1\]: must be an IAM role ARN or pattern in a named 12-digit account.*not "arn:aws:iam::\*:role\/ci"$/),
      expect.stringMatching(/^deployers\[2\]: must be an IAM role ARN/),
      expect.stringMatching(/^deployers\[3\]: must be an IAM role ARN/),
      "deployers[4]: must be a string, not 42",
      'deployers[5]: repeats "arn:aws:iam::444444444444:role/ci"',
    ]);
  });
});

describe("stateBackend", () => {
  test("bootstrapped is off by default and must be a boolean", () => {
    expect(validateConfig(exampleRaw()).stateBackend.bootstrapped).toBe(false);
    const raw = exampleRaw();
    raw.stateBackend.bootstrapped = "yes";
    expect(problemsOf(validateConfig, raw)).toEqual(['stateBackend.bootstrapped: must be true or false, not "yes"']);
  });

  test("a lock table is refused with the reason, not silently ignored", () => {
    const raw = exampleRaw();
    raw.stateBackend.lockTable = "replica-tfstate-locks";
    expect(problemsOf(validateConfig, raw)).toEqual([expect.stringMatching(/^stateBackend\.lockTable: is no longer used: state is locked with S3 lock files \(use_lockfile\)/)]);
  });
});
