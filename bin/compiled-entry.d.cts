/** Absolute path of an up-to-date CommonJS bundle of `entry` (see compiled-entry.cjs). */
export function compiledEntry(root: string, entry: string, outDir: string): string;
