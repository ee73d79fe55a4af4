import { spawnSync } from "node:child_process";

/** Oldest Terraform the stacks work with: the database master passwords use write-only arguments (1.11+). */
export const MINIMUM_TERRAFORM = "1.11.0";

/** Raised when no usable Terraform is found; the message says how to provide one. */
export class TerraformNotFoundError extends Error {}

/** The Terraform binary to run and its version. */
export interface TerraformBinary {
  readonly path: string;
  readonly version: string;
}

/**
 * Finds Terraform: `TERRAFORM_BINARY` when set, else `terraform` on PATH, and checks it is 1.11 or later.
 * @throws TerraformNotFoundError when it is missing, does not report a version, or is too old.
 */
export function findTerraform(env: NodeJS.ProcessEnv = process.env): TerraformBinary {
  const path = env.TERRAFORM_BINARY || "terraform";
  const source = env.TERRAFORM_BINARY ? `TERRAFORM_BINARY (${path})` : "terraform on PATH";
  const result = spawnSync(path, ["version", "-json"], { encoding: "utf8", env, timeout: 60_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "not found" : `cannot be run (${code ?? result.error.message})`;
    throw new TerraformNotFoundError(`${source}: ${why}. Install Terraform ${MINIMUM_TERRAFORM} or later, or set TERRAFORM_BINARY to its path.`);
  }
  const version = parseVersion(result.stdout);
  if (result.status !== 0 || version === undefined) {
    throw new TerraformNotFoundError(`${source}: \`version -json\` did not report a version (exit ${result.status}): ${(result.stderr || result.stdout).trim().split("\n")[0] ?? ""}`);
  }
  if (compareVersions(version, MINIMUM_TERRAFORM) < 0) {
    throw new TerraformNotFoundError(`${source} is Terraform ${version}; the stacks need ${MINIMUM_TERRAFORM} or later. Upgrade it, or set TERRAFORM_BINARY to a newer one.`);
  }
  return { path, version };
}

function parseVersion(stdout: string): string | undefined {
  try {
    const version = (JSON.parse(stdout) as { terraform_version?: unknown }).terraform_version;
    return typeof version === "string" && /^\d+\.\d+\.\d+/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Compares the numeric major.minor.patch of two versions (a pre-release suffix is ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.-]/).slice(0, 3).map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
