// The gradc extension's code. VS Code highlights .graph files from the contributed grammar
// alone; this client starts the gradc language server, `gradc lsp`, over stdio when the first
// .graph file opens, and restarts it when its setting or the workspace's trust changes.
import { statSync } from "node:fs";
import * as vscode from "vscode";
import { LanguageClient, type Executable } from "vscode-languageclient/node";
import { serverCommand } from "./server.js";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("gradc", { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("gradc.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("gradc.server.path")) void restart();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const server = serverCommand({
    setting: vscode.workspace.getConfiguration("gradc").get<string>("server.path", ""),
    folders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath),
    trusted: vscode.workspace.isTrusted,
    platform: process.platform,
    env: process.env,
    isFile: (file) => statSync(file, { throwIfNoEntry: false })?.isFile() ?? false,
  });
  if (server === undefined) {
    output?.warn(
      "No gradc found (in the workspace's node_modules or on the PATH), so no language server runs; highlighting works without one. Install gradc, or set gradc.server.path, then run \"gradc: Restart the Language Server\".",
    );
    return;
  }
  output?.info(`Starting ${server.command} ${server.args.join(" ")} (from ${server.from}).`);
  const executable: Executable = { command: server.command, args: [...server.args], options: { shell: server.shell } };
  client = new LanguageClient(
    "gradc",
    "gradc language server",
    { run: executable, debug: executable },
    {
      documentSelector: [
        { scheme: "file", language: "gradc" },
        { scheme: "untitled", language: "gradc" },
      ],
      ...(output ? { outputChannel: output } : {}),
    },
  );
  try {
    await client.start();
  } catch (error) {
    output?.error(`The language server did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function stop(): Promise<void> {
  const previous = client;
  client = undefined;
  try {
    await previous?.dispose();
  } catch {
    // A server that never started has nothing to stop; the output channel already says why.
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}
