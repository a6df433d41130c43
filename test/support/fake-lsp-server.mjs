// A language server that only takes part in the protocol's start and end (initialize, shutdown,
// exit) over stdio, and logs its arguments and every message it gets to $FAKE_LSP_LOG as JSON
// lines: what a client started it with and what it said, for the tests of the VS Code client.
import { appendFileSync } from "node:fs";

const log = process.env.FAKE_LSP_LOG;
const record = (entry) => log && appendFileSync(log, `${JSON.stringify(entry)}\n`);
record({ argv: process.argv.slice(2) });

function send(message) {
  const body = JSON.stringify({ jsonrpc: "2.0", ...message });
  process.stdout.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function handle(message) {
  record({ method: message.method, params: message.params ?? null });
  if (message.method === "initialize") send({ id: message.id, result: { capabilities: {}, serverInfo: { name: "fake" } } });
  else if (message.method === "shutdown") send({ id: message.id, result: null });
  else if (message.method === "exit") process.exit(0);
  else if (message.id !== undefined) send({ id: message.id, error: { code: -32601, message: `${message.method} is not handled` } });
}

let buffer = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: *(\d+)/i.exec(buffer.subarray(0, headerEnd).toString("ascii"))?.[1]);
    const start = headerEnd + 4;
    if (buffer.length < start + length) return;
    const body = buffer.subarray(start, start + length).toString("utf8");
    buffer = buffer.subarray(start + length);
    handle(JSON.parse(body));
  }
});
process.stdin.on("end", () => process.exit(0));
