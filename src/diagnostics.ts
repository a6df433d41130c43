// Owns how gradc talks about mistakes in a user's file: source spans, collected diagnostics,
// and their printed form `FILE:LINE:COL: error: MESSAGE` with the source line and a caret.

/** A half-open range of the source text, with the 1-based line and column of its start. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/** How bad a diagnostic is; gradc reports only errors today. */
export type Severity = "error" | "warning";

/** One problem in a graph file: its message, and where in the file it is. */
export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  /** Absent only for problems that belong to no place in the file (an empty file, say). */
  readonly span?: Span;
}

/** Most errors one run reports; past that the rest are summarised in one line. */
export const MAX_DIAGNOSTICS = 50;

/** Collects diagnostics for one compilation; passes keep going after reporting. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  error(message: string, span?: Span): void {
    this.items.push({ severity: "error", message, span });
  }

  warning(message: string, span?: Span): void {
    this.items.push({ severity: "warning", message, span });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

/** Diagnostics by position in the file; those about the whole file last. */
export function inSourceOrder(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort((a, b) => (a.span?.start ?? Infinity) - (b.span?.start ?? Infinity));
}

/** Raised inside a pass to abandon one statement; the pass reports it and moves on. */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly span?: Span,
  ) {
    super(message);
  }
}

/** Raised only when the compiler breaks its own invariant: a bug in gradc, not in the graph. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal compiler error: ${message} (this is a bug in gradc; please report it)`);
  }
}

/** The span from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { start: a.start, end: b.end, line: a.line, column: a.column };
}

/** Formats one diagnostic with its location, the source line and a caret under the span. */
export function formatDiagnostic(d: Diagnostic, file: string, source: string): string {
  if (!d.span) return `${file}: ${d.severity}: ${d.message}`;
  const { line, column } = d.span;
  const lines = source.split(/\r\n|\r|\n/);
  const text = (lines[line - 1] ?? "").replace(/\t/g, " ");
  const shown = printable(text);
  const gutter = String(line);
  const lineEnd = source.indexOf("\n", d.span.start);
  const spanLength = Math.max(
    1,
    Math.min(d.span.end, lineEnd === -1 ? source.length : lineEnd) - d.span.start,
  );
  const caret = " ".repeat(Math.max(0, column - 1)) + "^".repeat(Math.min(spanLength, 80));
  return [
    `${file}:${line}:${column}: ${d.severity}: ${d.message}`,
    `${gutter} | ${shown}`,
    `${" ".repeat(gutter.length)} | ${caret}`,
  ].join("\n");
}

/** Formats a run's diagnostics, errors capped at MAX_DIAGNOSTICS. */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  file: string,
  source: string,
): string {
  const shown = diagnostics.slice(0, MAX_DIAGNOSTICS).map((d) => formatDiagnostic(d, file, source));
  const rest = diagnostics.length - MAX_DIAGNOSTICS;
  if (rest > 0) shown.push(`${file}: error: ${rest} more problems not shown.`);
  return shown.join("\n");
}

/** Keeps control characters out of the terminal when echoing a user's line. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "\uFFFD").slice(0, 200);
}

/** The closest of `candidates` to `name` by edit distance, if it is close enough to suggest. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  // Damerau–Levenshtein (optimal string alignment), so a swapped pair like "rleu" costs 1.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}
