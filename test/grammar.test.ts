// grammar/'s generated artefacts must match the parser: regenerate with `npm run grammar`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cstTypings, diagramsPage, ebnf, readParserSource } from "../scripts/grammar-artifacts.js";
import { textmateGrammar } from "../scripts/textmate-grammar.js";

describe("grammar artefacts are current", () => {
  it("gradc.ebnf holds every rule's EBNF from the parser", () => {
    expect(readFileSync("grammar/gradc.ebnf", "utf8")).toBe(ebnf(readParserSource(".")));
  });
  it("cst.d.ts is generated from the parser", () => {
    expect(readFileSync("grammar/cst.d.ts", "utf8")).toBe(cstTypings());
  });
  it("diagrams.html is generated from the parser", () => {
    expect(readFileSync("grammar/diagrams.html", "utf8")).toBe(diagramsPage());
  });
  it("gradc.tmLanguage.json is generated from the tokens, the op names and the initializers", () => {
    expect(readFileSync("grammar/gradc.tmLanguage.json", "utf8")).toBe(textmateGrammar());
  });
});

describe("the grammar's own checks", () => {
  // The shipped parser and lexer skip Chevrotain's validations to start faster; these run them.
  it("the parser passes Chevrotain's grammar validations", async () => {
    const { GraphParser } = await import("../grammar/parser.js");
    expect(() => new GraphParser(true)).not.toThrow();
  });
  it("the lexer passes Chevrotain's token validations", async () => {
    const { makeLexer } = await import("../grammar/tokens.js");
    expect(makeLexer(true).lexerDefinitionErrors).toEqual([]);
  });
});
