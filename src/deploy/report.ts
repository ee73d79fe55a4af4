import type { Selection } from "./selection";
import type { RunCommand, RunReport, StackResult } from "./runner";

/** What the run will do, printed before anything runs. */
export function describeSelection(command: RunCommand, selection: Selection): string {
  const verb = command === "deploy" ? "apply" : "plan";
  const lines = [`Will ${verb} ${selection.order.length} stack${selection.order.length === 1 ? "" : "s"}, in this order:`];
  selection.order.forEach((stack, i) => lines.push(`  ${i + 1}. ${stack.name}`));
  if (selection.assumedApplied.length === 0) {
    lines.push("No dependency outside the selection.");
  } else {
    lines.push("Assumed already applied (dependencies outside the selection):");
    for (const { stack, neededBy } of selection.assumedApplied) lines.push(`  ${stack}  (needed by ${neededBy.join(", ")})`);
  }
  return lines.join("\n");
}

const LABELS: Record<StackResult["status"], string> = { succeeded: "ok", failed: "FAILED", interrupted: "INTERRUPTED", "not run": "not run" };

function columns(result: StackResult): string[] {
  return [
    result.stack,
    LABELS[result.status],
    result.failedCommand ? `${result.failedCommand} (${result.exit})` : "",
    result.seconds === undefined ? "" : result.seconds.toFixed(1),
    result.planFile ?? "",
  ];
}

const HEADINGS = ["stack", "result", "failed command", "seconds", "plan file"];

/** Every stack's result as an aligned plain-text table. */
export function resultTable(report: RunReport): string {
  const rows = [HEADINGS, ...report.results.map(columns)];
  const widths = HEADINGS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** Every stack's result as a Markdown table (for a CI job summary). */
export function markdownSummary(command: RunCommand, report: RunReport): string {
  const failed = report.results.filter((r) => r.status !== "succeeded").length;
  const title = `### terraform ${command === "deploy" ? "apply" : "plan"}: ${report.results.length - failed} of ${report.results.length} stacks ok`;
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  const rows = report.results.map((r) => `| ${columns(r).map((c) => escape(c)).join(" | ")} |`);
  return [title, "", `| ${HEADINGS.join(" | ")} |`, `|${HEADINGS.map(() => "---").join("|")}|`, ...rows, ""].join("\n");
}

/** The closing message: what failed, with which command, and what did not run. */
export function outcomeMessage(command: RunCommand, report: RunReport): string {
  const notRun = report.results.filter((r) => r.status === "not run").map((r) => r.stack);
  const broken = report.results.filter((r) => r.status === "failed" || r.status === "interrupted");
  if (broken.length === 0 && notRun.length === 0) return `${command}: ${report.results.length === 1 ? "the stack is" : `all ${report.results.length} stacks are`} ok`;
  const lines: string[] = [];
  if (report.signal) lines.push(`${command} stopped by ${report.signal}.`);
  for (const r of broken) lines.push(`${command}: stack ${r.stack} ${r.status === "failed" ? "failed" : "was interrupted"}: \`${r.failedCommand}\` (${r.exit})`);
  if (notRun.length > 0) lines.push(`not run: ${notRun.join(", ")}`);
  return lines.join("\n");
}
