// Owns the panels that show what gradc derives from the text, each computed only when it is
// shown: the gradient as a graph file with the chain rule node by node (`gradc grad --explain`),
// the generated module (`gradc compile`), and the gradient check (`gradc check`).
import { checkGradients, compile, DEFAULT_TOLERANCE, explainGradients, gradientGraph, loadGraph, type Dtype, type Lang, type Target } from "./gradc.js";

/** The gradient graph, then how the chain rule builds each gradient, as `gradc grad --explain` prints them. */
export function showGradient(out: HTMLElement, source: string): void {
  const graph = gradientGraph(source);
  if (!graph.text) {
    out.textContent = "The graph has errors; see the editor.";
    return;
  }
  const explained = explainGradients(source).text ?? "";
  out.textContent = `${graph.text.trimEnd()}\n\n${explained.trimEnd()}\n`;
}

export interface CodeChoice {
  readonly lang: Lang;
  readonly target: Target;
  readonly dtype: Dtype;
}

/** The generated module's text, formatted as `gradc compile` writes it; undefined when the graph has errors. */
export async function generatedCode(source: string, choice: CodeChoice): Promise<{ text: string; graph: string } | undefined> {
  const result = await compile(source, { ...choice, file: "playground.graph" });
  return result.code && result.graph ? { text: result.code, graph: result.graph.name } : undefined;
}

/**
 * The gradient check's table, as `gradc check` prints it; resolves to whether every row is ok.
 * Nothing is shown if `current()` says the text changed while the module loaded.
 */
export async function showCheck(
  table: HTMLTableSectionElement,
  summary: HTMLElement,
  source: string,
  current: () => boolean,
): Promise<boolean | undefined> {
  let report;
  try {
    const { module } = await loadGraph(source);
    if (!current()) return undefined;
    report = checkGradients(module);
  } catch (e) {
    table.replaceChildren();
    summary.textContent = e instanceof Error && e.name === "GraphError" ? "The graph has errors; see the editor." : `The check could not run: ${String(e)}`;
    return undefined;
  }
  table.replaceChildren(
    ...report.rows.map((row) => {
      const tr = document.createElement("tr");
      const cells = [
        row.name,
        `${row.checked}/${row.total}`,
        row.maxAbsError.toExponential(2),
        row.maxRelError.toExponential(2),
        row.ok ? "ok" : "FAIL",
      ];
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      tr.dataset["ok"] = String(row.ok);
      if (row.note) tr.title = row.note;
      return tr;
    }),
  );
  const dims = Object.entries(report.dims).map(([d, n]) => `${d}=${n}`).join(", ");
  summary.textContent =
    `Gradient of "${report.of}" against central differences of forward${dims ? ` at ${dims}` : ""}: ` +
    (report.ok ? `all gradients agree to ${DEFAULT_TOLERANCE.toExponential(0)} (relative).` : "some gradients disagree.") +
    (report.note ? ` ${report.note}` : "");
  return report.ok;
}
