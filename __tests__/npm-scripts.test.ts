import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const scripts: Record<string, string> = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("the npm scripts a cdktf user expects", () => {
  test("build type-checks the project (tsc emits nothing here: synth runs main.ts from an esbuild bundle)", () => {
    expect(scripts.build).toBe("tsc -p .");
    expect(JSON.parse(readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")).compilerOptions.noEmit).toBe(true);
    expect(JSON.parse(readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app).toBe("node --v8-pool-size=0 bin/synth-app.cjs");
  });

  test("watch repeats the type-check on every save; test:watch reruns jest on changes", () => {
    expect(scripts.watch).toMatch(/^tsc -p \. --watch\b/);
    expect(scripts["test:watch"]).toBe("jest --watch");
  });

  test.each(["build", "watch", "test:watch"])("the README says what npm run %s does", (name) => {
    expect(readme).toContain(`\`npm run ${name}\``);
  });
});
