// Vite builds the playground into playground/dist/ as static files with relative URLs, so the
// site works from any sub-path (GitHub Pages' /<repo>/) and needs no server but a static one.
// It bundles gradc from its sources (src/index.ts, src/runtime/index.ts: the two browser-safe
// entries) and reads the examples, the gallery's inputs and the MNIST digits from the checkout.
import { readdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const repository = fileURLToPath(new URL("..", import.meta.url));

/** Every file under `dir`, relative to it, with "/" between names. */
function filesUnder(dir: string, top = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), top) : [relative(top, join(dir, e.name)).split("\\").join("/")],
  );
}

/** Writes precache.json: the files the service worker (public/sw.js) caches for offline use. */
function precacheList(): Plugin {
  let outDir = "";
  return {
    name: "gradc-playground-precache",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const files = filesUnder(outDir).filter((f) => f !== "precache.json" && f !== "sw.js");
      writeFileSync(join(outDir, "precache.json"), `${JSON.stringify({ files: ["./", ...files.sort()] }, null, 1)}\n`);
    },
  };
}

export default defineConfig(({ command }) => ({
  root,
  base: "./",
  // The MNIST digits stay a file of their own (1.6 MB), fetched by the training worker.
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    // Graphviz (1.4 MB, its wasm inside) is one chunk, loaded on first picture; expected.
    chunkSizeWarningLimit: 2000,
    // Bundling the training worker takes a second or two; that is not worth a warning.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: "es" },
  plugins: [precacheList()],
  // The built site registers its service worker; the dev server's page does not (nothing to cache).
  define: { __OFFLINE__: JSON.stringify(command === "build") },
  server: { fs: { allow: [repository] } },
  logLevel: "warn",
}));
