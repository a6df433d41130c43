// A stand-in for VS Code running an extension, for the tests of the gradc client:
// `node vscode-host.mjs EXTENSION_JS [SERVER_PATH]` loads the bundle, activates it as opening a
// .graph file would (settings: gradc.server.path = SERVER_PATH; no workspace folder), waits until
// its language server has been initialized (or gives up after 10 s), deactivates it, and prints
// what the extension wrote to its output channel and showed the user, as JSON.
//
// The `vscode` module it gets is a stub: the names @types/vscode declares, each a do-nothing value
// that can be called, constructed or read (giving another), except the few given below.
import { existsSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { resolve } from "node:path";

const [extensionFile, serverPath = ""] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const lines = [];
const shown = [];

const handler = {
  get: (target, key) => (key in target ? target[key] : key === "then" || typeof key === "symbol" ? undefined : anything()),
  apply: () => anything(),
  construct: () => anything(),
};
const anything = () => new Proxy(function stub() {}, handler);
const disposable = () => ({ dispose() {} });
const event = () => disposable();
const channel = new Proxy(
  { name: "gradc", logLevel: 2, onDidChangeLogLevel: event },
  { get: (t, key) => (key in t ? t[key] : key === "then" ? undefined : (...args) => void lines.push(`${String(key)}: ${args.join(" ")}`)) },
);
const namespace = (members) => new Proxy(members, { get: (t, key) => (key in t ? t[key] : event) });
const vscode = {
  version: "1.91.0",
  window: namespace({
    createOutputChannel: () => channel,
    showErrorMessage: async (message) => void shown.push(`error: ${message}`),
    showWarningMessage: async (message) => void shown.push(`warning: ${message}`),
    showInformationMessage: async (message) => void shown.push(`information: ${message}`),
    visibleTextEditors: [],
  }),
  workspace: namespace({
    getConfiguration: (section) => ({ get: (key, fallback) => (section === "gradc" && key === "server.path" ? serverPath : fallback) }),
    workspaceFolders: undefined,
    isTrusted: true,
    textDocuments: [],
  }),
  commands: namespace({ registerCommand: disposable }),
};
const declared = readFileSync(require.resolve("@types/vscode/index.d.ts"), "utf8").matchAll(/^\texport (?:namespace|class|enum|const|function) (\w+)/gm);
for (const [, name] of declared) if (!(name in vscode)) vscode[name] = anything();

// `require("vscode")` from the bundle gets the stub.
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? vscode : load.call(this, request, ...rest);
};

const extension = require(resolve(extensionFile));
const log = process.env.FAKE_LSP_LOG;
const serverSaid = (method) => log !== undefined && existsSync(log) && readFileSync(log, "utf8").includes(`"method":"${method}"`);
await extension.activate({ subscriptions: [] });
for (let waited = 0; serverPath !== "" && !serverSaid("initialized") && waited < 10_000; waited += 50) {
  await new Promise((r) => setTimeout(r, 50));
}
await extension.deactivate();
process.stdout.write(`${JSON.stringify({ exports: Object.keys(extension).sort(), output: lines, shown })}\n`);
process.exit(0);
