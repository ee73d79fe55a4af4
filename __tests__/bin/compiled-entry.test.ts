import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compiledEntry } from "../../bin/compiled-entry.cjs";

/** A throw-away project with a two-file TypeScript program. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), "compiled-entry-"));
  writeFileSync(join(root, "greeting.ts"), 'export const greeting: string = "hello";\n');
  writeFileSync(join(root, "main.ts"), 'import { greeting } from "./greeting";\nconsole.log(greeting);\n');
  return root;
}

const run = (bundle: string) => execFileSync(process.execPath, [bundle], { encoding: "utf8" }).trim();

/** Moves a file's modification time into the future, as an edit after the build would. */
function touchLater(file: string): void {
  const later = new Date(Date.now() + 5_000);
  utimesSync(file, later, later);
}

describe("compiled entry (how bin/engine.cjs runs the engine CLI without a TypeScript loader)", () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const newProject = () => {
    const root = project();
    roots.push(root);
    return root;
  };

  test("runCompiledEntry runs the program, and a source that does not build exits 1 naming the file and position", () => {
    const root = newProject();
    const launcher = join(root, "launch.cjs");
    const library = JSON.stringify(require.resolve("../../bin/compiled-entry.cjs"));
    writeFileSync(launcher, `require(${library}).runCompiledEntry(${JSON.stringify(root)}, "main.ts", ".build/out");\n`);
    const ok = spawnSync(process.execPath, [launcher], { encoding: "utf8" });
    expect([ok.status, ok.stdout.trim()]).toEqual([0, "hello"]);
    writeFileSync(join(root, "greeting.ts"), "export const greeting: string = ;\n");
    touchLater(join(root, "greeting.ts"));
    const bad = spawnSync(process.execPath, [launcher], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: cannot build main\.ts: [^]*greeting\.ts:1:32/m);
  });

  test("PLATFORM_COMPILED_SUFFIX moves the build beside its usual folder, at the same depth; a suffix that is no plain word is refused", () => {
    const root = newProject();
    const saved = process.env.PLATFORM_COMPILED_SUFFIX;
    try {
      process.env.PLATFORM_COMPILED_SUFFIX = "run-42";
      const bundle = compiledEntry(root, "main.ts", ".build/out");
      expect(bundle.startsWith(join(root, ".build", "out-run-42") + "/")).toBe(true);
      expect(run(bundle)).toBe("hello");
      delete process.env.PLATFORM_COMPILED_SUFFIX;
      expect(compiledEntry(root, "main.ts", ".build/out").startsWith(join(root, ".build", "out") + "/")).toBe(true);
      process.env.PLATFORM_COMPILED_SUFFIX = "../elsewhere";
      expect(() => compiledEntry(root, "main.ts", ".build/out")).toThrow(/PLATFORM_COMPILED_SUFFIX must be letters, digits, - or _ \(got "..\/elsewhere"\)/);
    } finally {
      if (saved === undefined) delete process.env.PLATFORM_COMPILED_SUFFIX;
      else process.env.PLATFORM_COMPILED_SUFFIX = saved;
    }
  });

  test("builds a bundle that runs with plain node, and reuses it while the sources are unchanged", () => {
    const root = newProject();
    const first = compiledEntry(root, "main.ts", ".build/out");
    expect(run(first)).toBe("hello");
    expect(compiledEntry(root, "main.ts", ".build/out")).toBe(first);
  });

  test("rebuilds when an imported file changes, and removes the stale bundle", () => {
    const root = newProject();
    const first = compiledEntry(root, "main.ts", ".build/out");
    writeFileSync(join(root, "greeting.ts"), 'export const greeting: string = "changed";\n');
    touchLater(join(root, "greeting.ts"));
    const second = compiledEntry(root, "main.ts", ".build/out");
    expect(second).not.toBe(first);
    expect(run(second)).toBe("changed");
    expect(readdirSync(dirname(second)).filter((f) => f.endsWith(".cjs"))).toHaveLength(1);
  });

  test("rebuilds when the bundle or an input is gone", () => {
    const root = newProject();
    const first = compiledEntry(root, "main.ts", ".build/out");
    rmSync(first);
    expect(run(compiledEntry(root, "main.ts", ".build/out"))).toBe("hello");
    writeFileSync(join(root, "main.ts"), 'console.log("standalone");\n');
    touchLater(join(root, "main.ts"));
    rmSync(join(root, "greeting.ts"));
    expect(run(compiledEntry(root, "main.ts", ".build/out"))).toBe("standalone");
  });

  test("bundlePackages puts the packages in the bundle, all but the external ones; switching packaging rebuilds", () => {
    // GIVEN a program that uses two packages of its own node_modules
    const root = newProject();
    for (const name of ["inside", "outside"]) {
      mkdirSync(join(root, "node_modules", name), { recursive: true });
      writeFileSync(join(root, "node_modules", name, "index.js"), `module.exports = "${name}";\n`);
    }
    writeFileSync(join(root, "main.ts"), 'import a = require("inside");\nimport b = require("outside");\nconsole.log(a + " " + b);\n');
    // WHEN it is built with packages bundled except `outside`
    const bundled = compiledEntry(root, "main.ts", ".build/out", { bundlePackages: true, external: ["outside"] });
    // THEN `inside` is part of the bundle and `outside` is loaded from node_modules when it runs
    expect(readFileSync(bundled, "utf8")).toContain('"inside"');
    writeFileSync(join(root, "node_modules", "outside", "index.js"), 'module.exports = "outside, changed";\n');
    expect(run(bundled)).toBe("inside outside, changed");
    // AND the same entry, sources unchanged, built the default way is a new build that loads both packages
    const external = compiledEntry(root, "main.ts", ".build/out");
    expect(external).not.toBe(bundled);
    writeFileSync(join(root, "node_modules", "inside", "index.js"), 'module.exports = "inside, changed";\n');
    expect(run(external)).toBe("inside, changed outside, changed");
  });

  test("alias puts a project file in a package's place, for the imports inside node_modules too; a changed alias rebuilds", () => {
    // GIVEN a package whose own code imports another package, and a project file to stand in for that one
    const root = newProject();
    for (const [name, source] of [["writer", 'module.exports = (v) => "package writer: " + v;\n'], ["app-lib", 'const write = require("writer");\nmodule.exports = (v) => write(v);\n']]) {
      mkdirSync(join(root, "node_modules", name!), { recursive: true });
      writeFileSync(join(root, "node_modules", name!, "index.js"), source!);
    }
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "writer.ts"), 'function write(v: string): string {\n  return "project writer: " + v;\n}\nexport = write;\n');
    writeFileSync(join(root, "main.ts"), 'import lib = require("app-lib");\nconsole.log(lib("x"));\n');
    // WHEN it is built with the packages bundled and `writer` aliased to the project file
    const withAlias = () => compiledEntry(root, "main.ts", ".build/out", { bundlePackages: true, alias: { writer: "./src/writer.ts" } });
    // THEN the package's import of `writer` gets the project file
    expect(run(withAlias())).toBe("project writer: x");
    // AND the same build without the alias, sources unchanged, is a new bundle with the package's own writer
    expect(run(compiledEntry(root, "main.ts", ".build/out", { bundlePackages: true }))).toBe("package writer: x");
    expect(run(withAlias())).toBe("project writer: x");
    // AND the project file is an input: editing it rebuilds
    writeFileSync(join(root, "src", "writer.ts"), 'function write(v: string): string {\n  return "edited writer: " + v;\n}\nexport = write;\n');
    touchLater(join(root, "src", "writer.ts"));
    expect(run(withAlias())).toBe("edited writer: x");
  });

  test("first runs started at the same moment each get a complete bundle", async () => {
    const root = newProject();
    const launcher = `require(require(${JSON.stringify(join(__dirname, "../../bin/compiled-entry.cjs"))}).compiledEntry(${JSON.stringify(root)}, "main.ts", ".build/out"))`;
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<string>((done, fail) => execFile(process.execPath, ["-e", launcher], (error, stdout) => (error ? fail(error) : done(stdout.trim()))))),
    );
    expect(outputs).toEqual(["hello", "hello", "hello", "hello"]);
    expect(run(compiledEntry(root, "main.ts", ".build/out"))).toBe("hello");
  });

  test("a TypeScript error in the sources fails the build with esbuild's message, which names the file and position", () => {
    const root = newProject();
    writeFileSync(join(root, "main.ts"), "console.log(;\n");
    expect(() => compiledEntry(root, "main.ts", ".build/out")).toThrow(/main\.ts:1:12: ERROR: Unexpected ";"/);
  });

  test("a failed build prints nothing itself: the error is the caller's to report", () => {
    // GIVEN a broken source, built in a process of its own so that what esbuild writes can be seen
    const root = newProject();
    writeFileSync(join(root, "main.ts"), "console.log(;\n");
    const script = `try { require(${JSON.stringify(join(__dirname, "../../bin/compiled-entry.cjs"))}).compiledEntry(${JSON.stringify(root)}, "main.ts", ".build/out"); } catch { process.exitCode = 3; }`;
    // WHEN it is built
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    // THEN the build fails without printing esbuild's banner
    expect(child.status).toBe(3);
    expect(child.stderr).toBe("");
    expect(child.stdout).toBe("");
  });
});
