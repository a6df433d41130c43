// `gradc lsp` as an editor drives it: the built command spawned, spoken to over stdio with
// vscode-languageserver-protocol (initialize, didOpen, didChange, hover, definition, references,
// rename, completion, document symbols, formatting, shutdown, exit).
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  CompletionRequest,
  createProtocolConnection,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PrepareRenameRequest,
  PublishDiagnosticsNotification,
  ReferencesRequest,
  RenameRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CompletionItem,
  type DocumentSymbol,
  type Hover,
  type Location,
  type MarkupContent,
  type TextEdit,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type WorkspaceEdit,
} from "vscode-languageserver-protocol/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "./support/gradc.js";

const uri = "file:///work/net.graph";
const net = readFileSync(`${ROOT}/examples/two_layer_net.graph`, "utf8");
const apple = readFileSync(`${ROOT}/examples/apple.graph`, "utf8");

let child: ChildProcessWithoutNullStreams;
let connection: ProtocolConnection;
let version = 1;
const published: PublishDiagnosticsParams[] = [];

/** The line and character of the n-th occurrence (0-based) of `needle` in `text`, plus `delta` characters. */
function position(text: string, needle: string, n = 0, delta = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= n; i++) at = text.indexOf(needle, at + 1);
  expect(at, `"${needle}" #${n}`).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, at + delta);
  const line = before.split("\n").length - 1;
  return { line, character: before.length - before.lastIndexOf("\n") - 1 };
}

/** The diagnostics published for a version of the document. */
async function diagnosticsFor(v: number): Promise<PublishDiagnosticsParams> {
  for (let waited = 0; waited < 20_000; waited += 25) {
    const found = published.find((p) => p.uri === uri && p.version === v);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no diagnostics for version ${v}`);
}

async function open(text: string): Promise<PublishDiagnosticsParams> {
  version++;
  await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "gradc", version, text } });
  return diagnosticsFor(version);
}

async function change(text: string): Promise<PublishDiagnosticsParams> {
  version++;
  await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
  return diagnosticsFor(version);
}

beforeAll(async () => {
  child = spawn(process.execPath, [BIN, "lsp", "--stdio"], { cwd: ROOT });
  connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => void published.push(p));
  connection.listen();
  const init = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
  expect(init.serverInfo?.name).toBe("gradc");
  expect(init.capabilities.hoverProvider).toBe(true);
  await connection.sendNotification(InitializedNotification.type, {});
}, 60_000);

afterAll(() => {
  connection?.dispose();
  child?.kill();
});

describe("gradc lsp", () => {
  it("publishes the compiler's diagnostics as you type, with exact ranges, and clears them when fixed", async () => {
    const broken = "graph g {\n  input x: [N, 3]\n  y = rleu(x)\n  z = y + weights\n  output z\n}\n";
    const first = await open(broken);
    expect(first.diagnostics.map((d) => [d.message, d.range.start.line, d.range.start.character, d.range.end.character])).toEqual([
      ['Unknown op "rleu". Did you mean "relu"?', 2, 6, 10],
      ['"weights" is not defined.', 3, 10, 17],
    ]);
    expect(first.diagnostics.every((d) => d.source === "gradc" && d.severity === 1)).toBe(true);
    const syntax = await change("graph g {\n  input x\n  output x y\n}\n");
    expect(syntax.diagnostics.map((d) => d.message)).toEqual(['Expected "," between the names "x" and "y"; a comma is missing.']);
    const fixed = await change(net);
    expect(fixed.diagnostics).toEqual([]);
  });

  it("hover: a value's shape and definition, an op's signature, doc and derivative", async () => {
    await change(net);
    const h = (await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: position(net, "h = relu") })) as Hover;
    const text = (h.contents as MarkupContent).value;
    expect(text).toContain("h: [N, 50]");
    expect(text).toContain("Defined as `h = relu(affine(x, W1, b1))`");
    const op = (await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: position(net, "softmaxloss(", 0, 2) })) as Hover;
    const opText = (op.contents as MarkupContent).value;
    expect(opText).toContain("softmaxloss(x, t)");
    expect(opText).toContain("Gradient: ∂x = g·(softmax(x)·Σ_row t − t) / N");
  });

  it("hover on a wrt name: its gradient as gradc grad derives it", async () => {
    await change(apple);
    const hover = (await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: position(apple, "wrt apple", 0, 4) })) as Hover;
    expect((hover.contents as MarkupContent).value).toContain("```gradc\ndapple = tax * apple_num\n```");
  });

  it("definition, references and rename of a value", async () => {
    await change(apple);
    const use = position(apple, "apple_price * tax");
    const definition = (await connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: use })) as Location;
    expect(definition.range.start).toEqual(position(apple, "apple_price ="));
    const references = (await connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: use,
      context: { includeDeclaration: true },
    })) as Location[];
    expect(references.map((r) => r.range.start)).toEqual([position(apple, "apple_price ="), use]);
    const prepared = await connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: use });
    expect(prepared).toMatchObject({ placeholder: "apple_price" });
    const rename = (await connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: use, newName: "cost" })) as WorkspaceEdit;
    const edits = rename.changes![uri]!;
    expect(edits.map((e) => e.newText)).toEqual(["cost", "cost"]);
    // A refusal fails the request with RequestFailed (-32803) and the reason, which editors show.
    const taxLine = apple.slice(0, apple.indexOf("input tax")).split("\n").length;
    await expect(connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: use, newName: "tax" })).rejects.toMatchObject({
      code: -32803,
      message: `"tax" is already defined at line ${taxLine}; choose another name.`,
    });
  });

  it("completion: ops with signatures, attributes in a call, initializers, names in scope", async () => {
    const complete = async (text: string, needle: string, delta: number) => {
      await change(text);
      return (await connection.sendRequest(CompletionRequest.type, {
        textDocument: { uri },
        position: position(text, needle, 0, delta),
      })) as CompletionItem[];
    };
    const init = await complete("graph g {\n  input x: [N, 3]\n  param W: [3, 2] = \n  output x\n}\n", "= \n", 2);
    expect(init.map((c) => c.label)).toEqual(["zeros", "ones", "normal", "uniform", "xavier", "he"]);
    const text = "graph g {\n  input x: [N, 3]\n  param W: [3, 2] = he\n  h = x @ W\n  s = sum(h, \n  output s\n}\n";
    const inCall = await complete(text, "sum(h, ", 7);
    const labels = inCall.map((c) => c.label);
    expect(labels).toEqual(expect.arrayContaining(["x", "W", "h", "relu", "softmaxloss", "axis", "keepdims"]));
    expect(inCall.find((c) => c.label === "relu")?.detail).toBe("relu(x)");
    expect(inCall.find((c) => c.label === "h")?.detail).toBe("value: [N, 2]");
    expect(inCall.find((c) => c.label === "axis")?.insertText).toBe("axis=");
    expect(labels).not.toContain("s"); // not defined before this point
  });

  it("document symbols: the graph with its inputs, params and values", async () => {
    await change(apple);
    const symbols = (await connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    expect(symbols.map((s) => s.name)).toEqual(["apple"]);
    expect(symbols[0]!.children!.map((c) => c.name)).toEqual(["apple", "apple_num", "tax", "apple_price", "price"]);
  });

  it("formatting: the whole text laid out as gradc fmt lays it out; nothing to do when it already is", async () => {
    const messy = readFileSync(`${ROOT}/docs/examples/messy.graph`, "utf8");
    await change(messy);
    const options = { tabSize: 2, insertSpaces: true };
    const edits = (await connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options })) as TextEdit[];
    expect(edits).toHaveLength(1);
    const lines = messy.split("\n");
    expect(edits[0]!.range).toEqual({ start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines.at(-1)!.length } });
    const formatted = execFileSync(process.execPath, [BIN, "fmt", `${ROOT}/docs/examples/messy.graph`], { encoding: "utf8" });
    expect(edits[0]!.newText).toBe(formatted);
    expect(formatted).not.toBe(messy);
    await change(formatted);
    expect(await connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options })).toEqual([]);
  });

  it("shuts down and exits with 0 when asked", async () => {
    await connection.sendRequest(ShutdownRequest.type);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await connection.sendNotification(ExitNotification.type);
    expect(await exited).toBe(0);
  });
});
