// The VS Code extension as users get it: `npm run vsix` builds the .vsix (offline, as CI does), and
// what is inside is checked: the manifest contributes the language and the grammar, the grammar is
// the generated one, the client is one bundle that needs only `vscode` and Node, and nothing else
// is packed. The client from the package then runs against a stand-in for VS Code and a fake
// server, so that it is seen to start `gradc lsp` over stdio and stop it again; and the choice of
// which gradc to run is tested on its own.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findOnPath, serverCommand, type Context } from "../editors/vscode/src/server.js";
import * as T from "../grammar/tokens.js";
import { ROOT } from "./support/gradc.js";
import { readZip } from "./support/zip.js";

const tmp = mkdtempSync(join(tmpdir(), "gradc-vsix-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const vsixPath = join(tmp, "gradc-vscode.vsix");
let vsix: Map<string, Buffer>;
const text = (name: string) => vsix.get(name)?.toString("utf8") ?? expect.fail(`${name} is not in the .vsix`);

interface Manifest {
  name: string;
  engines: { vscode: string };
  main: string;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
  };
}
const manifest = () => JSON.parse(text("extension/package.json")) as Manifest;
/** A path the manifest gives ("./out/extension.js") as the name of its entry in the .vsix. */
const entry = (path: string) => `extension/${path.replace(/^\.\//, "")}`;

beforeAll(() => {
  const r = spawnSync(process.execPath, ["scripts/run.mjs", "scripts/vsix.ts", "--out", vsixPath], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run vsix failed:\n${r.stdout}${r.stderr}`);
  vsix = readZip(readFileSync(vsixPath));
}, 120_000);

describe("the .vsix", () => {
  it("holds the manifest, the client, the grammar, the language configuration, the README and the licences, and nothing else", () => {
    expect([...vsix.keys()].sort()).toEqual([
      "[Content_Types].xml",
      "extension.vsixmanifest",
      "extension/LICENSE.txt",
      "extension/language-configuration.json",
      "extension/out/THIRD_PARTY_LICENSES.txt",
      "extension/out/extension.js",
      "extension/package.json",
      "extension/readme.md",
      "extension/syntaxes/gradc.tmLanguage.json",
    ]);
    expect(text("extension/LICENSE.txt")).toBe(readFileSync(join(ROOT, "LICENSE"), "utf8"));
    expect(text("extension/readme.md")).toBe(readFileSync(join(ROOT, "editors/vscode/README.md"), "utf8"));
  });

  it("contributes the gradc language for .graph files, with its configuration and the grammar", () => {
    const { contributes } = manifest();
    expect(contributes.languages).toEqual([expect.objectContaining({ id: "gradc", extensions: [".graph"] })]);
    expect(vsix.has(entry(contributes.languages[0]!.configuration))).toBe(true);
    expect(contributes.grammars).toEqual([expect.objectContaining({ language: "gradc", scopeName: "source.gradc" })]);
    expect(text(entry(contributes.grammars[0]!.path))).toBe(readFileSync(join(ROOT, "grammar/gradc.tmLanguage.json"), "utf8"));
    expect(contributes.configuration.properties["gradc.server.path"]?.default).toBe("");
  });

  it("its language configuration comments with what the lexer skips as a comment, and pairs the lexer's brackets", () => {
    const config = JSON.parse(text(entry(manifest().contributes.languages[0]!.configuration))) as {
      comments: { lineComment: string };
      brackets: [string, string][];
      autoClosingPairs: { open: string; close: string }[];
    };
    const commented = T.graphLexer.tokenize(`${config.comments.lineComment} h = relu(x)`);
    expect(commented.tokens).toEqual([]);
    expect(commented.errors).toEqual([]);
    const tokenOf = (s: string) => T.graphLexer.tokenize(s).tokens[0]?.tokenType.name;
    expect(config.brackets.map(([open, close]) => [tokenOf(open), tokenOf(close)])).toEqual([
      ["LBrace", "RBrace"],
      ["LBracket", "RBracket"],
      ["LParen", "RParen"],
    ]);
    expect(config.autoClosingPairs.map((p) => [p.open, p.close])).toEqual(config.brackets);
  });

  it("asks for the VS Code that its client library needs, and its API types promise no newer one", () => {
    const { engines } = manifest();
    const client = JSON.parse(readFileSync(join(ROOT, "node_modules/vscode-languageclient/package.json"), "utf8")) as { engines: { vscode: string } };
    expect(engines.vscode).toBe(client.engines.vscode);
    const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    expect(`^${root.devDependencies["@types/vscode"]}`).toBe(engines.vscode);
  });

  it("has one bundled client that requires only vscode and Node's own modules, with no source map", () => {
    const code = text(entry(manifest().main));
    const required = new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    expect(required.has("vscode")).toBe(true);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    expect([...required].filter((m) => m !== "vscode" && !builtins.has(m))).toEqual([]);
    expect(code).not.toMatch(/sourceMappingURL/);
    const licences = text("extension/out/THIRD_PARTY_LICENSES.txt");
    for (const bundled of ["vscode-languageclient@", "vscode-jsonrpc@", "vscode-languageserver-protocol@"]) expect(licences).toContain(bundled);
  });
});

describe("the packaged client, in a stand-in for VS Code", () => {
  /** Runs the client from the .vsix with `gradc.server.path` = `server`, PATH = `path`. */
  function host(server: string | undefined, path: string, log: string) {
    const extension = join(tmp, "extension.js");
    writeFileSync(extension, vsix.get("extension/out/extension.js")!);
    const r = spawnSync(process.execPath, [join(ROOT, "test/support/vscode-host.mjs"), extension, ...(server ? [server] : [])], {
      cwd: tmp,
      encoding: "utf8",
      env: { ...process.env, PATH: path, FAKE_LSP_LOG: log },
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { exports: string[]; output: string[]; shown: string[] };
  }

  it("starts `gradc lsp` over stdio when a .graph file opens, and shuts it down when deactivated", () => {
    const server = join(tmp, "gradc");
    writeFileSync(server, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "test/support/fake-lsp-server.mjs")}" "$@"\n`);
    chmodSync(server, 0o755);
    const log = join(tmp, "server.jsonl");
    const result = host(server, process.env.PATH ?? "", log);
    expect(result.exports).toEqual(["activate", "deactivate"]);
    expect(result.output).toEqual([`info: Starting ${server} lsp (from the gradc.server.path setting).`]);
    expect(result.shown).toEqual([]);
    const said = readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { argv?: string[]; method?: string });
    expect(said[0]).toEqual({ argv: ["lsp"] });
    expect(said.slice(1).map((m) => m.method)).toEqual(["initialize", "initialized", "shutdown", "exit"]);
  });

  it("starts nothing, and says why in its output channel, when there is no gradc", () => {
    const log = join(tmp, "none.jsonl");
    const result = host(undefined, "", log);
    expect(result.output).toEqual([expect.stringMatching(/^warn: No gradc found .*gradc\.server\.path/)]);
    expect(result.shown).toEqual([]);
  });
});

describe("which gradc the client runs", () => {
  const files = new Set<string>();
  const base: Context = { setting: "", folders: ["/work/app"], trusted: true, platform: "linux", env: { PATH: "/usr/local/bin:/usr/bin" }, isFile: (f) => files.has(f) };
  const given = (context: Partial<Context>, ...present: string[]) => {
    files.clear();
    for (const f of present) files.add(f);
    return serverCommand({ ...base, ...context });
  };

  it("the setting first: a command as written, a relative path from the first workspace folder", () => {
    expect(given({ setting: "/opt/gradc/bin/gradc" }, "/work/app/node_modules/.bin/gradc")).toEqual({
      command: "/opt/gradc/bin/gradc",
      args: ["lsp"],
      shell: false,
      from: "the gradc.server.path setting",
    });
    expect(given({ setting: "gradc-dev" })?.command).toBe("gradc-dev");
    expect(given({ setting: "./tools/gradc" })?.command).toBe("/work/app/tools/gradc");
  });

  it("then the workspace's node_modules/.bin/gradc, in a trusted workspace only", () => {
    expect(given({}, "/work/app/node_modules/.bin/gradc", "/usr/bin/gradc")).toMatchObject({
      command: "/work/app/node_modules/.bin/gradc",
      from: "the workspace's node_modules",
    });
    expect(given({ folders: ["/a", "/b"] }, "/b/node_modules/.bin/gradc")?.command).toBe("/b/node_modules/.bin/gradc");
    expect(given({ trusted: false }, "/work/app/node_modules/.bin/gradc", "/usr/bin/gradc")).toMatchObject({
      command: "/usr/bin/gradc",
      from: "the PATH",
    });
  });

  it("then gradc on the PATH, else none", () => {
    expect(given({}, "/usr/bin/gradc")?.command).toBe("/usr/bin/gradc");
    expect(given({}, "/usr/local/bin/gradc", "/usr/bin/gradc")?.command).toBe("/usr/local/bin/gradc");
    expect(given({})).toBeUndefined();
    expect(given({ folders: [], env: {} })).toBeUndefined();
  });

  it("on Windows, npm's gradc.cmd runs through a shell, quoted", () => {
    const windows = { platform: "win32" as const, folders: ["C:\\work\\my app"], env: { Path: "C:\\tools;C:\\node", PATHEXT: ".COM;.EXE;.CMD" } };
    expect(given(windows, "C:\\work\\my app\\node_modules\\.bin\\gradc.cmd")).toEqual({
      command: '"C:\\work\\my app\\node_modules\\.bin\\gradc.cmd"',
      args: ["lsp"],
      shell: true,
      from: "the workspace's node_modules",
    });
    expect(given(windows, "C:\\node\\gradc.cmd")?.command).toBe('"C:\\node\\gradc.cmd"');
    expect(given(windows, "C:\\tools\\gradc.exe")).toMatchObject({ command: "C:\\tools\\gradc.exe", shell: false });
    expect(findOnPath("gradc", { ...windows, isFile: (f) => f === "C:\\node\\gradc.com" })).toBe("C:\\node\\gradc.com");
  });
});
