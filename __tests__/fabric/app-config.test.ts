import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { ConfigError, validateConfig } from "../../src/config/validate";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { exampleWith, SynthStack, synthPlatform } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

// GIVEN the built-in example's settings (log-level debug, prod warn; region; feature on, prod off)
// plus a secure payments API key with a secret per environment.
const SECURE_SETTING = {
  secure: true,
  secretArn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:replica/dev/payments-api-key-AbCdEf",
  overrides: {
    staging: { secretArn: "arn:aws:secretsmanager:us-east-1:222222222222:secret:replica/staging/payments-api-key-GhIjKl" },
    prod: { secretArn: "arn:aws:secretsmanager:us-east-1:333333333333:secret:replica/prod/payments-api-key-MnOpQr" },
  },
};
let platform: Map<string, SynthStack> | undefined;
const stackOf = (name: string): SynthStack => {
  platform ??= synthPlatform(exampleWith({ root: { appConfig: { settings: { ...EXAMPLE_CONFIG.appConfig.settings, "integrations/payments/api-key": SECURE_SETTING } } } }));
  return platform.get(name)!;
};
const text = (name: string) => JSON.stringify(stackOf(name).json);
/** Parameters under /app/<env>/config/ (the data tier writes connection parameters under /app/<env>/db/). */
const configParameters = (stack: SynthStack) => Object.values(stack.resources("aws_ssm_parameter")).filter((p: any) => /^\/app\/[a-z0-9]+\/config\//.test(p.name));
const parameterNames = (name: string) => configParameters(stackOf(name)).map((p: any) => p.name).sort();
const vars = (stack: SynthStack, fn: string) => stack.resource("aws_lambda_function", `${fn}/function/function`).environment.variables;

describe("application settings: the parameters each environment writes", () => {
  test("the first environment writes every setting under /app/dev/config/, plain ones as String", () => {
    expect(text("dev-us-east-1")).toHaveResourceWithProperties(SsmParameter, { name: "/app/dev/config/service/log-level", type: "String", value: "debug", tier: "Standard" });
    expect(text("dev-us-east-1")).toHaveResourceWithProperties(SsmParameter, { name: "/app/dev/config/service/region", type: "String", value: "us-east-1" });
    expect(parameterNames("dev-us-east-1")).toEqual([
      "/app/dev/config/feature/new-checkout",
      "/app/dev/config/integrations/payments/api-key",
      "/app/dev/config/service/log-level",
      "/app/dev/config/service/region",
    ]);
  });

  test("a secure setting is a SecureString with the environment key whose value comes from the secret, never from state", () => {
    const dev = stackOf("dev-us-east-1");
    const parameter = dev.resource("aws_ssm_parameter", "app-config/integrations_payments_api-key");
    expect(parameter).toMatchObject({
      type: "SecureString",
      key_id: `\${${dev.address("aws_kms_key", "key/key")}.arn}`,
      value_wo: "${ephemeral.aws_secretsmanager_secret_version.app-setting-dev-integrations_payments_api-key.secret_string}",
      value_wo_version: 1,
    });
    expect(parameter.value).toBeUndefined();
    expect(dev.json.ephemeral.aws_secretsmanager_secret_version["app-setting-dev-integrations_payments_api-key"]).toEqual({
      secret_id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:replica/dev/payments-api-key-AbCdEf",
    });
  });

  test("a later environment writes only what it overrides, and what follows an override; the mirror brings the rest", () => {
    // staging overrides only the secret; prod overrides log-level, feature and the secret.
    expect(parameterNames("staging-us-east-1")).toEqual(["/app/staging/config/integrations/payments/api-key"]);
    expect(parameterNames("prod-us-east-1")).toEqual(["/app/prod/config/feature/new-checkout", "/app/prod/config/integrations/payments/api-key", "/app/prod/config/service/log-level"]);
    expect(text("prod-us-east-1")).toHaveResourceWithProperties(SsmParameter, { name: "/app/prod/config/service/log-level", value: "warn" });
    expect(stackOf("prod-us-east-1").json.ephemeral.aws_secretsmanager_secret_version["app-setting-prod-integrations_payments_api-key"].secret_id).toContain(":333333333333:");
  });

  test("an environment after an override gets the first environment's value written back, since the override stays local", () => {
    const raw = exampleWith({ root: { appConfig: { settings: { "service/log-level": { value: "debug", overrides: { staging: "info" } } } } } });
    const stacks = synthPlatform(raw);
    const prod = stacks.get("prod-us-east-1")!;
    expect(configParameters(prod).map((p: any) => [p.name, p.value])).toEqual([["/app/prod/config/service/log-level", "debug"]]);
    // staging's mirror leaves prod's copy alone; dev's leaves staging's override alone.
    expect(parseJsonAttribute(vars(stacks.get("staging-us-east-1")!, "config-mirror").DENY_PATTERNS)).toEqual(["service/log-level"]);
    expect(parseJsonAttribute(vars(stacks.get("dev-us-east-1")!, "config-mirror").DENY_PATTERNS)).toEqual(["service/log-level"]);
  });

  test("the DR-region stacks write no settings", () => {
    expect(configParameters(stackOf("dev-eu-west-1"))).toEqual([]);
  });
});

describe("application settings: mirroring and validation", () => {
  test("each mirror denies exactly the keys the next environment writes itself, on top of the configured deny list", () => {
    expect(parseJsonAttribute(vars(stackOf("dev-us-east-1"), "config-mirror").DENY_PATTERNS)).toEqual(["integrations/payments/api-key"]);
    expect(parseJsonAttribute(vars(stackOf("staging-us-east-1"), "config-mirror").DENY_PATTERNS).sort()).toEqual(["feature/new-checkout", "integrations/payments/api-key", "service/log-level"]);
  });

  test("the validator does not report overridden settings as drift", () => {
    expect(parseJsonAttribute(vars(stackOf("staging-us-east-1"), "config-validator").IGNORE_PATTERNS).sort()).toEqual(["feature/new-checkout", "integrations/payments/api-key", "service/log-level"]);
  });
});

describe("appConfig: bad input, each listed by path", () => {
  const problems = (settings: Record<string, unknown>): string[] => {
    try {
      validateConfig(exampleWith({ root: { appConfig: { settings } } }));
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    return [];
  };

  test("a key outside the charset", () => {
    expect(problems({ "bad key!": "x" })).toEqual(['appConfig.settings.bad key!: is not a valid key: use letters, digits, "_", "." and "-" in segments separated by "/" (no leading or trailing "/")']);
    expect(problems({ "/leading": "x" })).toHaveLength(1);
  });

  test("a key deeper than SSM allows below /app/<env>/config/", () => {
    const key = Array.from({ length: 13 }, (_, i) => `l${i}`).join("/");
    expect(problems({ [key]: "x" })).toEqual([`appConfig.settings.${key}: is 13 levels deep; SSM allows 15 levels and /app/<env>/config/ takes 3, so at most 12`]);
    expect(problems({ [Array.from({ length: 12 }, (_, i) => `l${i}`).join("/")]: "x" })).toEqual([]);
  });

  test("a value over the standard parameter size", () => {
    expect(problems({ big: "x".repeat(4097) })).toEqual(["appConfig.settings.big.value: is 4097 bytes; a standard SSM parameter holds at most 4096"]);
    expect(problems({ big: "x".repeat(4096) })).toEqual([]);
    expect(problems({ big: { value: "ok", overrides: { prod: "é".repeat(2049) } } })).toEqual(["appConfig.settings.big.overrides.prod.value: is 4098 bytes; a standard SSM parameter holds at most 4096"]);
  });

  test("an override for an unknown environment, or for the first one", () => {
    expect(problems({ "service/log-level": { value: "info", overrides: { qa: "debug" } } })).toEqual(['appConfig.settings.service/log-level.overrides.qa: names an unknown environment "qa" (known: dev, staging, prod)']);
    expect(problems({ "service/log-level": { value: "info", overrides: { dev: "debug" } } })).toEqual(['appConfig.settings.service/log-level.overrides.dev: overrides the first environment, whose value is "value" itself; set value instead']);
  });

  test("a secure value written in plain text, in the value or an override", () => {
    expect(problems({ "db/password": { secure: true, value: "hunter2" } })).toEqual([
      "appConfig.settings.db/password.value: is a secure value written in plain text; do not embed it: put it in a Secrets Manager secret and refer to it with secretArn",
    ]);
    expect(problems({ "db/password": { secure: true } })).toEqual(["appConfig.settings.db/password.secretArn: is required for a secure setting (the secret the value is copied from at deploy)"]);
    const arn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf";
    expect(problems({ "db/password": { secure: true, secretArn: arn, overrides: { staging: "hunter2", prod: "hunter3" } } })).toEqual([
      "appConfig.settings.db/password.overrides.staging.value: is a secure value written in plain text; do not embed it: put it in a Secrets Manager secret and refer to it with secretArn",
      "appConfig.settings.db/password.overrides.prod.value: is a secure value written in plain text; do not embed it: put it in a Secrets Manager secret and refer to it with secretArn",
    ]);
  });

  test("a plain value under a key that names a secret", () => {
    expect(problems({ "db/password": "hunter2" })).toEqual([
      'appConfig.settings.db/password.value: looks like a secret ("db/password") written in plain text; make the setting "secure": true and refer to a Secrets Manager secret with secretArn',
    ]);
  });

  test("a secret of another account, and an environment after a secure override without its own secret", () => {
    expect(problems({ "db/password": { secure: true, secretArn: "arn:aws:secretsmanager:us-east-1:333333333333:secret:db-AbCdEf" } })).toEqual([
      "appConfig.settings.db/password.secretArn: must be a secret of dev's account 111111111111 in us-east-1 (the stack that writes the parameter reads it), not of 333333333333 in us-east-1",
    ]);
    const dev = "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf";
    const staging = "arn:aws:secretsmanager:us-east-1:222222222222:secret:db-AbCdEf";
    expect(problems({ "db/password": { secure: true, secretArn: dev, overrides: { staging: { secretArn: staging } } } })).toEqual([
      "appConfig.settings.db/password.overrides.prod: is missing: an earlier environment overrides this secure setting, so prod needs its own secretArn (the first environment's secret is in another account)",
    ]);
  });

  test("every problem at once", () => {
    expect(problems({ "a b": "x", big: "x".repeat(5000), "db/token": "t", k: { value: "v", overrides: { qa: "w" } } })).toHaveLength(4);
  });
});

describe("appConfig: problems elsewhere are not reported twice", () => {
  test("an override for an environment that is declared but invalid reports only that environment's own problem", () => {
    const raw = exampleWith({ environment: "prod", set: { accountId: "3" } });
    let problems: readonly string[] = [];
    try {
      validateConfig(raw);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual(['environments[2].accountId: must be 12 digits, not "3"']);
  });
});
