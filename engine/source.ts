import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Where migration and data files come from. The CLI reads a folder; a Lambda can implement the same
 * two methods over an S3 prefix.
 */
export interface FileSource {
  /** Shown in messages, e.g. the folder path or `s3://bucket/prefix`. */
  readonly description: string;
  /** Plain file names (no folders), in any order. */
  list(): Promise<string[]>;
  /** The UTF-8 content of one listed file. */
  read(name: string): Promise<string>;
}

/** Files directly inside `dir` (sub-folders are not read). */
export function directorySource(dir: string): FileSource {
  return {
    description: dir,
    async list() {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => e.name);
    },
    read: (name) => readFile(join(dir, name), "utf8"),
  };
}

/** Files held in memory, keyed by name: for tests and for callers that already fetched them. */
export function memorySource(files: Readonly<Record<string, string>>, description = "memory"): FileSource {
  return {
    description,
    list: async () => Object.keys(files),
    async read(name) {
      const content = files[name];
      if (content === undefined) throw new Error(`${description}: no file named ${name}`);
      return content;
    },
  };
}
