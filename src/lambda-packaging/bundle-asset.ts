import { copyFileSync, linkSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack, type ISynthesisSession } from "cdktf";
// The hook cdktf's own TerraformAsset writes its files from; not re-exported by the package root.
import { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
import { Construct } from "constructs";

export interface BundleAssetProps {
  /** The folder whose files the stack folder receives (a bundle cache entry's handler folder). */
  readonly sourceDir: string;
  /** The content hash of those files: a new hash is a new folder, so changed code gets a new path. */
  readonly hash: string;
}

/** Errors of `link` that mean "this file system, or this pair of folders, cannot link": copy instead. */
const CANNOT_LINK = new Set(["EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EOPNOTSUPP", "EACCES"]);

/** Puts `source` at `target` as a hard link, or as a copy where the file system cannot link them. */
function placeFile(source: string, target: string): void {
  try {
    linkSync(source, target);
  } catch (error) {
    if (!CANNOT_LINK.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
    copyFileSync(source, target);
  }
}

/**
 * A Lambda bundle placed in the stack folder at synth, at `assets/<logical id>/<hash>/` (the layout of
 * cdktf's TerraformAsset), so the folder stays self-contained for Terraform, CI and Terraform Cloud.
 *
 * cdktf's TerraformAsset copies the files, which was a quarter of what each added environment cost a
 * synth (every environment's primary stack holds about 4 MB of bundles). The bundle cache's files are
 * read-only and checked against their recorded hashes before each reuse (bundle-cache.ts), so they are
 * placed as hard links where the cache and the output share a file system, and copied where not.
 * An earlier synth's folder for this asset, of another hash, is removed first, as cdktf does.
 */
export class BundleAsset extends Construct {
  /** The folder relative to the stack folder, `/`-separated: the archive's `source_dir` below `path.module`. */
  readonly path: string;
  private readonly namedFolder: string;

  constructor(scope: Construct, id: string, private readonly props: BundleAssetProps) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    this.namedFolder = path.posix.join("assets", stack.getLogicalId(this.node));
    this.path = path.posix.join(this.namedFolder, props.hash);
    addCustomSynthesis(this, { onSynthesize: (session) => this.place(session, stack) });
  }

  private place(session: ISynthesisSession, stack: TerraformStack): void {
    const stackDir = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
    rmSync(path.join(stackDir, this.namedFolder), { recursive: true, force: true });
    const target = path.join(stackDir, this.path);
    mkdirSync(target, { recursive: true });
    for (const file of readdirSync(this.props.sourceDir)) placeFile(path.join(this.props.sourceDir, file), path.join(target, file));
  }
}
