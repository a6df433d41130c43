// Vite builds the playground into playground/dist/ as static files with relative URLs, so the
// site works from any sub-path (GitHub Pages' /<repo>/) and needs no server but a static one.
// It bundles gradc from its sources (src/index.ts, src/runtime/index.ts: the two browser-safe
// entries) and reads the examples, the gallery's inputs and the MNIST digits from the checkout.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const repository = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
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
  server: { fs: { allow: [repository] } },
  logLevel: "warn",
});
