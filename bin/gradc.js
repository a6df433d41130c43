#!/usr/bin/env node
// The installed `gradc` command: the compiled CLI does the work.
import { main } from "../dist/cli.js";

// A reader that stops early (`gradc compile x.graph | head`) is not an error; any other failure
// to write (a full disk, say) is the user's environment: one line, exit 1.
for (const [stream, name] of [[process.stdout, "standard output"], [process.stderr, "standard error"]]) {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    if (stream !== process.stderr) process.stderr.write(`gradc: error: cannot write to ${name}: ${e.code ?? e.message}\n`);
    process.exit(1);
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // Anything that reaches here is a bug in gradc, not in the user's input: say so, without a
  // stack trace unless asked for one.
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`gradc: internal error: ${message}\n(this is a bug in gradc; run with GRADC_DEBUG=1 for details and please report it)\n`);
  if (process.env.GRADC_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 70;
}
