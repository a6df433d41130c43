// Owns how the CLI prints values and gradient-check reports for people.
import { toNested, type CheckReport, type Value } from "../index.js";

const MAX_PRINTED = 100;

/** Nested arrays as text, with NaN and ±Infinity spelled out (JSON would print null). */
function nestedText(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(nestedText).join(",")}]` : String(value);
}

/** `name: value` for a number; shape and the elements (or a summary) for a tensor. */
export function formatValue(name: string, value: Value): string {
  if (typeof value === "number") return `${name}: ${value}\n`;
  const shape = `[${value.shape.join(", ")}]`;
  if (value.data.length <= MAX_PRINTED) return `${name}: ${shape} ${nestedText(toNested(value))}\n`;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of value.data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const mean = sum / value.data.length;
  return `${name}: ${shape} mean ${fmt(mean)}, min ${fmt(min)}, max ${fmt(max)} (${value.data.length} values; --json prints them all)\n`;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(6) : String(v);
}

function sci(v: number): string {
  return Number.isNaN(v) ? "NaN" : v.toExponential(2);
}

export function formatCheckReport(file: string, graph: string, report: CheckReport): string {
  const dims = Object.entries(report.dims).map(([k, v]) => `${k}=${v}`);
  const lines = [
    `${file} (graph "${graph}"): gradient of "${report.of}" vs central differences${dims.length ? ` at ${dims.join(", ")}` : ""}`,
  ];
  if (report.note) lines.push(`  note: ${report.note}`);
  const header = ["wrt", "checked", "max abs err", "max rel err", "result"];
  const rows = report.rows.map((r) => [
    r.name,
    `${r.checked}/${r.total}`,
    sci(r.maxAbsError),
    sci(r.maxRelError),
    r.ok ? "ok" : "FAIL",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")}`.trimEnd();
  lines.push(line(header));
  for (const [i, r] of rows.entries()) {
    lines.push(line(r));
    const note = report.rows[i]!.note;
    if (note) lines.push(`    ${report.rows[i]!.ok ? "warning" : "error"}: ${note}`);
  }
  const plain = report.rows.every((r) => r.note === undefined);
  lines.push(
    !report.ok ? "  some gradients disagree" : plain ? "  all gradients agree to 1e-6 (relative)" : "  all gradients agree (see the warnings above)",
  );
  return `${lines.join("\n")}\n`;
}
