// Owns finding the files gradc ships beside its code (dist/assets/: the MNIST digits, the PNG
// font), from the bundle in dist/ and from the sources in src/ alike: both sit in the package.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The folder of gradc's own package.json, found upwards from this module. */
function packageRoot(): string {
  if (root) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "gradc") {
      return (root = dir);
    }
    if (dirname(dir) === dir) throw new Error("gradc cannot find its own package.json");
  }
}

/** The path of a file in dist/assets/ (written by `npm run build`). */
export function assetPath(name: string): string {
  return join(packageRoot(), "dist", "assets", name);
}
