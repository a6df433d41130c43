// `npm run bench:startup`: how fast gradc starts and how much it installs, against the targets
// of issue #8, in one run. Each command runs as a user runs it (`node bin/gradc.js …`, a fresh
// process each time): one warm-up, then the median of RUNS runs of wall time. Node's own start
// (an empty script) is printed first as the floor every command stands on.
//
//   node bench/startup.mjs [--runs N] [--no-install] [--baseline DIR] [--json FILE]
//
// The install row packs gradc (`npm pack`), installs the tarball into an empty project and
// measures node_modules (needs the npm registry). --baseline DIR times another checkout of gradc
// (built, e.g. a git worktree of an older commit) in the same run, each command interleaved with
// this one's, and prints the ratio.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(flag("--runs") ?? 5);
const tmp = mkdtempSync(join(tmpdir(), "gradc-startup-"));

/** Median and range of wall time (ms) of a command, each run a fresh process. */
function time(argv) {
  const once = () => {
    const t = performance.now();
    const r = spawnSync(process.execPath, argv, { cwd: root, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
    return ms;
  };
  once(); // warm-up: the file system cache, not V8 (each run is a new process)
  const times = Array.from({ length: RUNS }, once).sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const bin = join(root, "bin", "gradc.js");
const baseline = flag("--baseline");
const rows = [
  { what: "node (an empty script): the floor", argv: ["-e", "0"] },
  { what: "gradc --version", argv: [bin, "--version"], target: 150 },
  { what: "gradc run examples/apple.graph", argv: [bin, "run", "examples/apple.graph"], target: 300 },
  {
    what: "gradc compile examples/two_layer_net.graph --target wasm",
    argv: [bin, "compile", "examples/two_layer_net.graph", "--target", "wasm"],
    target: 500,
  },
  { what: "gradc check examples/two_layer_net.graph", argv: [bin, "check", "examples/two_layer_net.graph"], target: 700 },
  {
    what: "gradc graph examples/apple.graph --values -o a.svg",
    argv: [bin, "graph", "examples/apple.graph", "--values", "-o", join(tmp, "a.svg")],
    target: 900,
  },
];

console.log(`gradc start-up: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, node ${process.version}, load ${loadavg()[0].toFixed(2)} at the start`);
console.log(`each command: 1 warm-up, then the median of ${RUNS} runs (a fresh process each)\n`);
const results = [];
for (const row of rows) {
  const t = time(row.argv);
  // The same command from the baseline checkout, right after (so both see the same machine).
  const before = baseline && row.argv[0] === bin ? time([join(baseline, "bin", "gradc.js"), ...row.argv.slice(1)]) : undefined;
  results.push({ ...row, ...t, before });
  process.stderr.write(".");
}
process.stderr.write("\n");

function du(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += du(path);
    else if (entry.isFile()) bytes += statSync(path).size;
  }
  return bytes;
}

let install;
if (!args.includes("--no-install")) {
  const pack = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], { cwd: root, encoding: "utf8" }))[0];
  const project = join(tmp, "project");
  execFileSync("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), '{ "name": "try-gradc", "private": true, "type": "module" }\n');
  const out = spawnSync("npm", ["install", "--no-audit", "--no-fund", join(tmp, pack.filename)], { cwd: project, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`npm install failed:\n${out.stderr}`);
  const modules = join(project, "node_modules");
  const packages = execFileSync("npm", ["ls", "--all", "--parseable"], { cwd: project, encoding: "utf8" }).trim().split("\n").length - 1;
  install = { tarball: pack.size, unpacked: pack.unpackedSize, installed: du(modules), packages, warnings: out.stderr.trim() };
}

const ms = (v) => `${v.toFixed(0)} ms`;
const baseHead = baseline ? " baseline median | baseline ÷ this |" : "";
console.log(`| what | median | min–max | target | median ÷ target |${baseHead}`);
console.log(`| --- | --- | --- | --- | --- |${baseline ? " --- | --- |" : ""}`);
for (const r of results) {
  const ratio = r.target ? `${(r.median / r.target).toFixed(2)} ${r.median <= r.target ? "(met)" : "(NOT met)"}` : "";
  const base = baseline ? (r.before ? ` ${ms(r.before.median)} | ${(r.before.median / r.median).toFixed(1)}× |` : " | |") : "";
  console.log(`| ${r.what} | ${ms(r.median)} | ${ms(r.min)}–${ms(r.max)} | ${r.target ? `≤ ${r.target} ms` : ""} | ${ratio} |${base}`);
}
if (install) {
  const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
  const met = install.installed <= 60e6;
  console.log(
    `| npm install of the packed tarball into an empty project | ${mb(install.installed)}, ${install.packages} packages ` +
      `(tarball ${mb(install.tarball)}, ${mb(install.unpacked)} unpacked) | | ≤ 60 MB | ${(install.installed / 60e6).toFixed(2)} ${met ? "(met)" : "(NOT met)"} |`,
  );
  if (install.warnings) console.log(`\nnpm install printed:\n${install.warnings}`);
}
if (baseline) console.log(`\nbaseline: ${baseline} (${execFileSync("git", ["-C", baseline, "log", "-1", "--format=%h %s"], { encoding: "utf8" }).trim()})`);
const jsonFile = flag("--json");
if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify({ runs: RUNS, results, install }, null, 2)}\n`);
rmSync(tmp, { recursive: true, force: true });
