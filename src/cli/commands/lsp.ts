// `gradc lsp`: the language server, over standard input and output, until the client exits.
import { startLanguageServer } from "../../node/lsp.js";

export function lspCommand(): Promise<number> {
  const connection = startLanguageServer();
  // The protocol's `exit` notification ends the process (vscode-languageserver exits with 0 after
  // a `shutdown` request, 1 without one); a closed input ends it too.
  return new Promise((resolve) => connection.onExit(() => resolve(0)));
}
