// `gradc lsp`: the language server, over standard input and output, until the client exits.
// The protocol's `exit` notification ends the process (vscode-languageserver exits with 0 after
// a `shutdown` request, 1 without one); a closed input ends it too.
export { startLanguageServer as lspCommand } from "../../node/lsp.js";
