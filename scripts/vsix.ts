// `npm run vsix [-- --out FILE]`: packages the VS Code extension in editors/vscode/ as
// editors/vscode/gradc-vscode-VERSION.vsix, without the network:
//
//   1. the client bundled by esbuild into out/extension.js (CommonJS, as VS Code loads it; only
//      `vscode` stays a require), so the package needs no node_modules, with the licences of what
//      was bundled in out/THIRD_PARTY_LICENSES.txt;
//   2. the generated grammar (grammar/gradc.tmLanguage.json) copied to syntaxes/ and the
//      project's LICENSE beside the manifest, never edited there (all three are git-ignored);
//   3. vsce's `package`, with dependency detection off (everything is bundled).
import { createVSIX } from "@vscode/vsce";
import { build, type Metafile } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const extension = join(root, "editors", "vscode");

const outFlag = process.argv.indexOf("--out");
const manifest = JSON.parse(readFileSync(join(extension, "package.json"), "utf8")) as { name: string; version: string };
const packagePath = outFlag > 0 ? resolve(process.argv[outFlag + 1] ?? "") : join(extension, `${manifest.name}-${manifest.version}.vsix`);

rmSync(join(extension, "out"), { recursive: true, force: true });
const bundled = await build({
  entryPoints: [join(extension, "src", "extension.ts")],
  outfile: join(extension, "out", "extension.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  // VS Code 1.91, the oldest the manifest allows, runs extensions on Node 20.
  target: "node20",
  external: ["vscode"],
  minify: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  absWorkingDir: root,
});
writeFileSync(join(extension, "out", "THIRD_PARTY_LICENSES.txt"), thirdPartyLicenses(bundled.metafile));

mkdirSync(join(extension, "syntaxes"), { recursive: true });
copyFileSync(join(root, "grammar", "gradc.tmLanguage.json"), join(extension, "syntaxes", "gradc.tmLanguage.json"));
copyFileSync(join(root, "LICENSE"), join(extension, "LICENSE"));

mkdirSync(dirname(packagePath), { recursive: true });
await createVSIX({ cwd: extension, packagePath, dependencies: false, allowMissingRepository: true });

/** The licence of every package bundled into the client, nested node_modules included. */
function thirdPartyLicenses(metafile: Metafile): string {
  const packages = new Map<string, string>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.set(m[1]!, join(root, m[1]!));
  }
  const sections = [...packages.values()]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string; license?: string };
      const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
      const text = file ? readFileSync(join(dir, file), "utf8").trim() : `License: ${pkg.license ?? "unknown"}`;
      return { key: `${pkg.name}@${pkg.version}`, text: `${pkg.name}@${pkg.version} (${pkg.license ?? "see below"})\n\n${text}` };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
  const unique = sections.filter((s, i) => i === 0 || s.key !== sections[i - 1]!.key);
  return `The gradc extension bundles the following software; their licences follow.\n\n${unique.map((s) => s.text).join(`\n\n${"-".repeat(78)}\n\n`)}\n`;
}
