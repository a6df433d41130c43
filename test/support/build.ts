// Vitest global setup: the CLI tests spawn the built gradc (dist/), so build it first when it is
// missing or older than the sources. `npm test` builds too; this keeps `npx vitest` honest on its own.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The newest modification time of the files under `path`. */
function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export default function setup(): void {
  const stamp = join(root, "node_modules", ".cache", "gradc", "built");
  const sources = Math.max(...["src", "grammar", "scripts", "package.json"].map((p) => newest(join(root, p))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building gradc failed:\n${r.stdout}${r.stderr}`);
}
