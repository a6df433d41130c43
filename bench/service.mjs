// `npm run bench:service`: how long the language service takes to analyse a graph file again
// after one keystroke, as `gradc lsp` does on every change (issue #9's target: ≤ 50 ms for a
// 1,000-line file). The file is a realistic one of 1,000 lines: layers of affine, activations
// and element-wise arithmetic over tensors, with comments. One warm-up edit, then the median
// and the range of RUNS edits, each a different one-character change in the middle of the file.
// The first analyses, while V8 still compiles the compiler's hot code, are timed apart: an editor
// re-analyses on every keystroke, so after the first few it runs warm.
//
//   node bench/service.mjs [--runs N] [--lines N]
import { loadavg } from "node:os";
import { analyzeDocument, hoverAt, completionsAt } from "../dist/index.js";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = flag("--runs", 41);
const WARMUP = flag("--warmup", 5);
const LINES = flag("--lines", 1000);

/** A graph file of about `lines` lines. */
function file(lines) {
  const out = ["# A deep net written out by hand: the size of a file an editor must keep up with.", "graph deep {", "  input x: [N, 64]", "  input t: [N, 10]"];
  let i = 0;
  let previous = "x";
  while (out.length < lines - 6) {
    out.push(`  param W${i}: [64, 64] = he`, `  param b${i}: [64]`, `  # layer ${i}`);
    out.push(`  z${i} = affine(${previous}, W${i}, b${i})`, `  a${i} = relu(z${i}) * 0.5 + tanh(z${i}) * 0.5`);
    previous = `a${i}`;
    i++;
  }
  out.push(`  param Wout: [64, 10] = xavier`, `  y = ${previous} @ Wout`, `  loss = softmaxloss(y, t)`, `  output loss, y`, `  grad loss wrt Wout`, "}");
  return `${out.join("\n")}\n`;
}

const source = file(LINES);
const middle = source.indexOf("* 0.5", Math.floor(source.length / 2));
const edit = (k) => `${source.slice(0, middle + 4)}${k % 9 + 1}${source.slice(middle + 5)}`;

const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const first = Array.from({ length: WARMUP }, (_, k) => time(() => analyzeDocument(edit(k))));
const times = Array.from({ length: RUNS }, (_, k) => time(() => analyzeDocument(edit(WARMUP + k)))).sort((a, b) => a - b);
const doc = analyzeDocument(source);
const hover = time(() => hoverAt(doc, middle - 30));
const complete = time(() => completionsAt(doc, middle));
const median = times[Math.floor(times.length / 2)];
console.log(`language service: a ${source.split("\n").length - 1}-line graph file, ${doc.diagnostics.length} diagnostics; load ${loadavg()[0].toFixed(2)}`);
console.log(`re-analysis after one keystroke: median ${median.toFixed(1)} ms (${times[0].toFixed(1)}–${times[times.length - 1].toFixed(1)} over ${RUNS} edits); target ≤ 50 ms: ${median <= 50 ? "met" : "NOT met"}`);
console.log(`the first ${WARMUP} analyses after start-up: ${first.map((t) => t.toFixed(0)).join(", ")} ms`);
console.log(`then a hover: ${hover.toFixed(1)} ms; a completion: ${complete.toFixed(1)} ms`);
