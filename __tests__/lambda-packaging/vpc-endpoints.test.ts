import { Testing, TerraformStack } from "cdktf";
import { buildSync } from "esbuild";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { validateConfig } from "../../src/config/validate";
import { BundledFunction } from "../../src/lambda-packaging/bundled-function";
import { buildPlatform } from "../../src/platform";
import { exampleRaw } from "../helpers/config";

/**
 * A function in a private subnet reaches AWS only through the VPC's endpoints. This test reads the
 * SDK clients each VPC function's bundled code really imports (not the list the function declares)
 * and fails when the function's stack lacks the endpoint one of them needs.
 */

const ROOT = path.resolve(__dirname, "..", "..");

/** The endpoint service each SDK package calls; `null`: a package that makes no calls of its own. */
const SDK_PACKAGE_SERVICES: Readonly<Record<string, string | null>> = {
  "@aws-sdk/client-s3": "s3",
  "@aws-sdk/client-dynamodb": "dynamodb",
  "@aws-sdk/lib-dynamodb": "dynamodb",
  "@aws-sdk/util-dynamodb": null,
  "@aws-sdk/client-secrets-manager": "secretsmanager",
  "@aws-sdk/client-ssm": "ssm",
  "@aws-sdk/client-sts": "sts",
  "@aws-sdk/client-eventbridge": "events",
  "@aws-sdk/client-rds": "rds",
  "@aws-sdk/client-cloudwatch": "monitoring",
  "@aws-sdk/client-cloudwatch-logs": "logs",
  "@aws-sdk/client-kms": "kms",
  "@aws-sdk/client-sqs": "sqs",
  "@aws-sdk/client-sns": "sns",
  "@aws-sdk/client-lambda": "lambda",
};

const importedServices = new Map<string, string[]>();

/** The services a handler's bundle calls, from the AWS SDK packages left in its output by esbuild. */
function servicesCalledBy(handler: string): string[] {
  const known = importedServices.get(handler);
  if (known) return known;
  const result = buildSync({
    entryPoints: [path.join(ROOT, "lambdas", handler, "index.ts")],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "cjs",
    outdir: path.join(ROOT, ".build", "endpoint-check"),
    external: ["@aws-sdk/*", "pg-native"],
    logLevel: "error",
  });
  const packages = new Set<string>();
  for (const output of Object.values(result.metafile!.outputs)) {
    for (const imported of output.imports) if (imported.external && imported.path.startsWith("@aws-sdk/")) packages.add(imported.path);
  }
  const services = [...packages].map((pkg) => {
    if (!(pkg in SDK_PACKAGE_SERVICES)) throw new Error(`${handler} imports ${pkg}: add the endpoint service it calls to SDK_PACKAGE_SERVICES`);
    return SDK_PACKAGE_SERVICES[pkg];
  });
  const called = [...new Set(services.filter((s): s is string => s !== null))].sort();
  importedServices.set(handler, called);
  return called;
}

interface VpcFunctionCheck {
  readonly stack: string;
  readonly handler: string;
  readonly missing: string[];
}

/** Every function placed in a VPC, with the services its code calls that its stack has no endpoint for. */
function checkVpcFunctions(raw: unknown): VpcFunctionCheck[] {
  const app = Testing.app();
  buildPlatform(app, validateConfig(raw));
  const checks: VpcFunctionCheck[] = [];
  for (const stack of app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)) {
    const functions = stack.node.findAll().filter((c): c is BundledFunction => c instanceof BundledFunction);
    if (functions.length === 0) continue;
    const json = JSON.parse(Testing.synth(stack, true));
    const lambdas = json.resource?.aws_lambda_function ?? {};
    const endpoints = Object.values<any>(json.resource?.aws_vpc_endpoint ?? {});
    for (const fn of functions) {
      const resource = lambdas[fn.function.friendlyUniqueId];
      if (!resource?.vpc_config) continue;
      const provider = resource.provider;
      // Only endpoints of the same region's VPC (same provider) serve the function.
      const served = new Set(endpoints.filter((e) => e.provider === provider).map((e) => String(e.service_name).split(".").pop()));
      checks.push({ stack: stack.node.id, handler: fn.handler, missing: servicesCalledBy(fn.handler).filter((s) => !served.has(s)) });
    }
  }
  return checks;
}

const exampleFiles = readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".json")).sort();
const configurations: Array<[string, () => unknown]> = [
  ["the built-in example", exampleRaw],
  ...exampleFiles.map((f): [string, () => unknown] => [`examples/${f}`, () => JSON.parse(readFileSync(path.join(ROOT, "examples", f), "utf8"))]),
];

describe.each(configurations)("VPC endpoints of %s", (_name, raw) => {
  const checks = checkVpcFunctions(raw());

  test("there are functions in a VPC to check (schema sync, data sync, secret rotation, the restore drill's verification)", () => {
    expect(new Set(checks.map((c) => c.handler))).toEqual(new Set(["schema-sync", "data-sync", "secret-rotation", "restore-drill-verify"]));
  });

  test("every service a VPC function's code calls has an endpoint in that function's VPC", () => {
    expect(checks.filter((c) => c.missing.length > 0)).toEqual([]);
  });
});

test("the SDK clients are read from the bundled code: schema sync calls S3, DynamoDB and Secrets Manager", () => {
  expect(servicesCalledBy("schema-sync")).toEqual(["dynamodb", "s3", "secretsmanager"]);
  expect(servicesCalledBy("secret-rotation")).toEqual(["secretsmanager"]);
});
