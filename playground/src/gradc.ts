// The playground's only doors into gradc: its two browser-safe entries, `gradc` and
// `gradc/runtime`, bundled from their sources so that the page and the package are the same
// code, and the lexer whose token definitions the TextMate grammar is generated from (the
// editor highlights with it, so there is no second tokenizer).
export * from "../../src/index.js";
export { allTokens, graphLexer, keywords } from "../../grammar/tokens.js";
