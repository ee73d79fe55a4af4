import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The baseline of bench/synth.ts: a project as `cdktf init --template=typescript` lays it out (its
 * tsconfig, run through ts-node, which type-checks) with one stack of three resources that imports the
 * AWS provider from the package root, as the provider's own examples do. It is written at bench time
 * into a folder of its own instead of living among the project's sources: it exists only to measure
 * what that root import costs, and nothing of ours may import the provider that way.
 */
export const BASELINE_MAIN = `import { Construct } from "constructs";
import { App, TerraformStack } from "cdktf";
import { provider, s3Bucket, snsTopic, sqsQueue } from "@cdktf/provider-aws";

class MyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new provider.AwsProvider(this, "aws", { region: "us-east-1" });
    new s3Bucket.S3Bucket(this, "bucket", { bucket: "baseline-bucket" });
    new snsTopic.SnsTopic(this, "topic", { name: "baseline-topic" });
    new sqsQueue.SqsQueue(this, "queue", { name: "baseline-queue" });
  }
}

const app = new App();
new MyStack(app, "baseline");
app.synth();
`;

/** The compiler options `cdktf init` writes. */
const BASELINE_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    inlineSourceMap: true,
    inlineSources: true,
    lib: ["es2018"],
    module: "CommonJS",
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: "ES2018",
    incremental: true,
    skipLibCheck: true,
  },
  include: ["main.ts"],
};

/**
 * Writes the baseline project into `dir` and returns its entry point and tsconfig. `dir` must lie
 * below the project root, so that its imports resolve to the project's node_modules.
 */
export function writeBaselineProject(dir: string): { main: string; tsconfig: string } {
  mkdirSync(dir, { recursive: true });
  const main = path.join(dir, "main.ts");
  const tsconfig = path.join(dir, "tsconfig.json");
  writeFileSync(main, BASELINE_MAIN);
  writeFileSync(tsconfig, `${JSON.stringify(BASELINE_TSCONFIG, null, 2)}\n`);
  return { main, tsconfig };
}
