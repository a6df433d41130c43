// `npm run bench:scaling`: how compile time grows with the size of a graph, to show it is
// about linear. Compiles (parse → IR → gradient → optimise → emit, formatting included where
// the module is small enough) chains of N statements and graphs of N inputs, doubling N.
import { compile } from "../dist/index.js";

function chain(n) {
  const lines = ["graph chain {", "  input x = 1"];
  let prev = "x";
  for (let i = 0; i < n; i++) {
    lines.push(`  v${i} = ${prev} * 1.0001 + 1`);
    prev = `v${i}`;
  }
  lines.push(`  output ${prev}`, "}");
  return lines.join("\n");
}

function inputs(n) {
  const names = Array.from({ length: n }, (_, i) => `x${i}`);
  return `graph wide {\n${names.map((x, i) => `  input ${x} = ${i}`).join("\n")}\n  s = ${names.join(" + ")}\n  output s\n}`;
}

async function time(source) {
  const start = performance.now();
  const result = await compile(source);
  if (!result.code) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return { ms: performance.now() - start, chars: result.code.length };
}

const sizes = (process.argv[2] ?? "1000,2000,4000,8000,16000,32000,64000").split(",").map(Number);
for (const [label, make] of [["chain of N statements", chain], ["N inputs summed", inputs]]) {
  console.log(`\n${label}`);
  console.log("       N   compile ms   µs per node   module chars");
  let previous;
  for (const n of sizes) {
    const { ms, chars } = await time(make(n));
    const growth = previous ? `  (×${(ms / previous).toFixed(2)} for ×2 nodes)` : "";
    console.log(`${String(n).padStart(8)}  ${ms.toFixed(0).padStart(11)}  ${((ms * 1000) / n).toFixed(1).padStart(12)}  ${String(chars).padStart(13)}${growth}`);
    previous = ms;
  }
}
console.log("\nModules over 1,000,000 characters are not formatted by Prettier (see docs/limits.md).");
