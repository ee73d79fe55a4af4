import type { App } from "cdktf";
import { rmSync } from "node:fs";
import { join } from "node:path";

/** What a stack folder holds in one format that Terraform would also read after a synth in the other. */
const OTHER_FORMAT_FILES = {
  /** After a JSON synth: the HCL synth's configuration and its metadata (JSON keeps it inside cdk.tf.json). */
  json: ["cdk.tf", "metadata.json"],
  /** After an HCL synth: the JSON synth's configuration. */
  hcl: ["cdk.tf.json"],
} as const;

/**
 * `app.synth()`, then removes what an earlier synth in the other format left in each stack folder.
 * cdktf writes only its own file, and Terraform loads every `*.tf` and `*.tf.json` of a folder, so a
 * kept `cdk.tf` beside a fresh `cdk.tf.json` would declare every resource twice (or, worse, an old
 * configuration beside the new one).
 */
export function synthesize(app: App): void {
  app.synth();
  const stale = app.hclOutput ? OTHER_FORMAT_FILES.hcl : OTHER_FORMAT_FILES.json;
  for (const stack of Object.values(app.manifest.stacks)) {
    for (const file of stale) rmSync(join(app.outdir, stack.workingDirectory, file), { force: true });
  }
}
