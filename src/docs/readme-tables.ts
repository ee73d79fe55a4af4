import type { PlatformConfig } from "../config/types";
import type { SynthesizedStack } from "../topology/synthesized";

/**
 * The README's tables that are generated rather than written: the requirements (read from
 * package.json and the synthesized `terraform` blocks) and each kind of stack's outputs (read from
 * the synthesized `output` blocks with their descriptions). `npm run docs` writes them between the
 * README's `<!-- generated:<name> -->` markers; a test fails when the README no longer matches.
 */

/** The parts of package.json the requirements come from. */
export interface PackageJson {
  readonly engines: { readonly node: string };
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}

/** Requirements: what must be installed, which version, where that version is pinned. */
export function requirementsTable(stacks: readonly SynthesizedStack[], config: PlatformConfig, pkg: PackageJson): string {
  const rows: string[][] = [["Node.js", pkg.engines.node, "package.json `engines`", "synth, tests, the engine command line"]];
  const terraformVersions = new Map<string, string[]>();
  const providers = new Map<string, { source: string; version: string; stacks: string[] }>();
  for (const stack of stacks) {
    const version = stack.json.terraform?.required_version;
    if (version) terraformVersions.set(version, [...(terraformVersions.get(version) ?? []), stack.name]);
    for (const provider of Object.values(stack.json.terraform?.required_providers ?? {})) {
      const key = `${provider.source}@${provider.version}`;
      const entry = providers.get(key) ?? { source: provider.source, version: provider.version, stacks: [] };
      entry.stacks.push(stack.name);
      providers.set(key, entry);
    }
  }
  for (const [version, names] of terraformVersions) {
    rows.push(["Terraform", version, `\`terraform.required_version\` of ${describeStacks(names, stacks, config)}`, "plan and deploy (write-only arguments, S3 lock files)"]);
  }
  for (const { source, version, stacks: names } of [...providers.values()].sort((a, b) => a.source.localeCompare(b.source))) {
    // A bare source (`aws`) means the public registry's hashicorp namespace.
    const fullSource = source.includes("/") ? source : `hashicorp/${source}`;
    rows.push([`provider \`${fullSource}\``, version, `\`required_providers\` of ${describeStacks(names, stacks, config)}`, "downloaded by `terraform init`"]);
  }
  for (const name of ["cdktf", "cdktf-cli", "@cdktf/provider-aws", "@cdktf/provider-archive"]) {
    const version = pkg.dependencies[name] ?? pkg.devDependencies[name];
    if (version) rows.push([`npm \`${name}\``, version, "package.json (exact, `npm ci`)", name.startsWith("@cdktf/provider") ? "the provider's TypeScript bindings" : "synth"]);
  }
  rows.push(["PostgreSQL, MariaDB, Chromium", "the distribution's", "`scripts/ensure-test-tools.sh` installs them", "tests only (databases on 127.0.0.1, the diagram render)"]);
  return markdownTable(["requirement", "version", "pinned in", "needed for"], rows);
}

/** "every stack" or the stacks' names. */
function describeStacks(names: readonly string[], all: readonly SynthesizedStack[], config: PlatformConfig): string {
  if (names.length === all.length) return "every stack";
  const kinds = [...new Set(names.map((n) => stackKind(n, config)))].sort();
  return kinds.map((k) => `\`${k}\``).join(", ");
}

/**
 * The kind of a stack as the README names it: `state-bootstrap`, `bootstrap-<env>`,
 * `<env>-<primary region>` or `<env>-<DR region>`.
 */
function stackKind(name: string, config: PlatformConfig): string {
  if (name === "state-bootstrap") return name;
  if (name.startsWith("bootstrap-")) return "bootstrap-<env>";
  if (name.endsWith(`-${config.drRegion}`)) return "<env>-<DR region>";
  return "<env>-<primary region>";
}

/**
 * One table per kind of stack: every output any stack of that kind has, its name and description
 * with the environment, database and region written as placeholders, and where it is not in every
 * stack of the kind, the environments that have it.
 */
export function outputsTables(stacks: readonly SynthesizedStack[], config: PlatformConfig): string {
  const kinds = new Map<string, SynthesizedStack[]>();
  for (const stack of stacks) {
    const kind = stackKind(stack.name, config);
    kinds.set(kind, [...(kinds.get(kind) ?? []), stack]);
  }
  const sections: string[] = [];
  for (const [kind, members] of kinds) {
    const outputs = new Map<string, { description: string; holders: Set<string> }>();
    for (const stack of members) {
      const own = config.environments.find((e) => stack.name === `bootstrap-${e.name}` || stack.name.startsWith(`${e.name}-`))?.name;
      for (const [name, output] of Object.entries(stack.json.output ?? {})) {
        const key = generalize(name, own, config, "name");
        const entry = outputs.get(key) ?? { description: generalize(output.description ?? "", own, config, "text"), holders: new Set<string>() };
        entry.holders.add(own ?? stack.name);
        outputs.set(key, entry);
      }
    }
    const everyone = new Set(members.map((s) => config.environments.find((e) => s.name === `bootstrap-${e.name}` || s.name.startsWith(`${e.name}-`))?.name ?? s.name));
    const rows = [...outputs.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, { description, holders }]) => {
        const where = holders.size === everyone.size ? "" : ` (only ${[...holders].join(", ")})`;
        return [`\`${name}\``, codeSpans(`${description}${where}`)];
      });
    sections.push(`**\`${kind}\`**\n\n${markdownTable(["output", "description"], rows)}`);
  }
  return sections.join("\n\n");
}

/**
 * Writes what varies between stacks of one kind as placeholders: the stack's own environment as
 * `<env>`, another environment as `<other>`, a database name as `<db>`, the regions by role.
 */
function generalize(value: string, own: string | undefined, config: PlatformConfig, as: "name" | "text"): string {
  let result = value;
  const databases = [...new Set(config.environments.flatMap((e) => e.databases.map((d) => d.name)))];
  for (const db of databases) {
    result = as === "name" ? result.replace(new RegExp(`^db_${db}_`), "db_<db>_") : result.replace(new RegExp(`\\bthe ${db} cluster\\b`, "g"), "the <db> cluster");
  }
  result = result.split(config.deploymentRoleName).join("<deploymentRoleName>");
  if (as === "text") {
    result = result.split(config.primaryRegion).join("<primary-region>").split(config.drRegion).join("<dr-region>");
  }
  for (const environment of config.environments) {
    const placeholder = environment.name === own ? "<env>" : "<other>";
    const pattern = as === "name" ? new RegExp(`_${environment.name}$`) : new RegExp(`(?<![\\w/<-])${environment.name}(?![\\w>-])`, "g");
    result = result.replace(pattern, as === "name" ? `_${placeholder}` : placeholder);
    if (as === "text") result = result.split(`/app/${environment.name}/`).join(`/app/${placeholder}/`);
  }
  return result;
}

/** Puts every word with a `<placeholder>` in a code span: Markdown would take `<env>` for an HTML tag and hide it. */
function codeSpans(text: string): string {
  return text.replace(/[^\s()]*<[^\s()]*/g, (word) => `\`${word}\``);
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escapeCell = (cell: string) => cell.replace(/\|/g, "\\|");
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.map(escapeCell).join(" | ")} |`)].join("\n");
}

/** Replaces the text between `<!-- generated:<name> -->` and `<!-- /generated:<name> -->`. */
export function replaceGenerated(document: string, name: string, content: string): string {
  const begin = `<!-- generated:${name} (npm run docs) -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = document.indexOf(begin);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the document has no ${begin} … ${end} section`);
  return `${document.slice(0, from + begin.length)}\n${content}\n${document.slice(to)}`;
}

/** The text between the markers of `name`, as `replaceGenerated` writes it. */
export function generatedSection(document: string, name: string): string | undefined {
  const begin = `<!-- generated:${name} (npm run docs) -->`;
  const from = document.indexOf(begin);
  const to = document.indexOf(`<!-- /generated:${name} -->`);
  return from < 0 || to < from ? undefined : document.slice(from + begin.length + 1, to - 1);
}
