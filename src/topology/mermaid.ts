import type { Topology } from "./model";
import { MOVES_COLOURS } from "./svg";

/**
 * The same topology as Mermaid flowchart source, for people who want to re-render or restyle it
 * (GitHub renders it in Markdown; `mmdc` turns it into an image). Accounts and regions are subgraphs.
 */
export function renderMermaid(topology: Topology): string {
  const ids = new Map(topology.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["flowchart LR"];
  topology.columns.forEach((column, c) => {
    const accountStacks = topology.stacks.filter((s) => s.column === column.name && s.region === undefined).map((s) => `#${s.deployOrder} ${s.name}`);
    const title = [`${column.name} · account ${column.accountId}`, ...(column.note ? [column.note] : []), ...accountStacks].join("<br/>");
    lines.push(`  subgraph a${c}["${quote(title)}"]`);
    topology.regions.forEach((region, r) => {
      const nodes = topology.nodes.filter((n) => n.column === column.name && n.region === region);
      const stacks = topology.stacks.filter((s) => s.column === column.name && s.region === region);
      if (nodes.length === 0 && stacks.length === 0) return;
      const heading = [region, ...stacks.map((s) => `#${s.deployOrder} ${s.name}`)].join("<br/>");
      lines.push(`    subgraph a${c}r${r}["${quote(heading)}"]`);
      for (const node of nodes) {
        const label = node.detail ? `${node.label}<br/><small>${node.detail}</small>` : node.label;
        lines.push(`      ${ids.get(node.id)}["${quote(label)}"]`);
      }
      lines.push("    end");
    });
    lines.push("  end");
  });
  topology.edges.forEach((edge) => lines.push(`  ${ids.get(edge.from)} -- "${quote(edge.label)}" --> ${ids.get(edge.to)}`));
  topology.edges.forEach((edge, i) => lines.push(`  linkStyle ${i} stroke:${MOVES_COLOURS[edge.moves]}`));
  return lines.join("\n") + "\n";
}

/** Mermaid's escape for a double quote inside a quoted label. */
function quote(value: string): string {
  return value.replace(/"/g, "#quot;");
}
