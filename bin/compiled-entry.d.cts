/** How compiledEntry treats packages. */
export interface CompiledEntryOptions {
  /** Bundle the packages from node_modules too (one file to load instead of hundreds). @default false */
  readonly bundlePackages?: boolean;
  /** Packages left out of the bundle when `bundlePackages` is set (they read their own files at run time). @default none */
  readonly external?: readonly string[];
  /** Project files (relative to `root`, starting `./`) bundled in the place of these packages, node_modules' imports included. @default none */
  readonly alias?: Readonly<Record<string, string>>;
}

/** Absolute path of an up-to-date CommonJS bundle of `entry` (see compiled-entry.cjs). */
export function compiledEntry(root: string, entry: string, outDir: string, options?: CompiledEntryOptions): string;
