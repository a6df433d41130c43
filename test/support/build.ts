// Vitest global setup: the CLI tests spawn the compiled gradc (dist/), so build it once
// before any test file runs. `npm test` builds too; this keeps `npx vitest` honest on its own.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building gradc failed:\n${r.stdout}${r.stderr}`);
}
