// Random graph files for property tests: the examples with tokens deleted, duplicated, swapped,
// replaced or inserted (mostly files with mistakes, some still valid), the examples with random
// characters spliced in, and any text at all.
import * as fc from "fast-check";
import { graphLexer } from "../../grammar/tokens.js";
import { examples, exampleSource } from "./examples.js";

const sources = examples.map(exampleSource);
const tokenLists = sources.map((s) => graphLexer.tokenize(s).tokens.map((t) => t.image));

/** A token-level mutation of an example: delete, duplicate, swap or replace tokens. */
export const mutated = fc
  .record({
    example: fc.nat({ max: tokenLists.length - 1 }),
    edits: fc.array(
      fc.record({
        kind: fc.constantFrom("delete", "duplicate", "swap", "replace", "insert"),
        at: fc.nat(),
        other: fc.nat(),
        text: fc.constantFrom("(", ")", "[", "]", "{", "}", ",", "=", "-", "*", "@", "graph", "op", "input", "param", "output", "grad", "wrt", "return", "x", "1e999", "0", "-0", ":", "#", "relu", "sum(x, axis=7)"),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ example, edits }) => {
    const tokens = [...tokenLists[example]!];
    for (const e of edits) {
      if (tokens.length === 0) break;
      const i = e.at % tokens.length;
      const j = e.other % tokens.length;
      if (e.kind === "delete") tokens.splice(i, 1);
      else if (e.kind === "duplicate") tokens.splice(i, 0, tokens[i]!);
      else if (e.kind === "swap") [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
      else if (e.kind === "replace") tokens[i] = e.text;
      else tokens.splice(i, 0, e.text);
    }
    return tokens.join(" ");
  });

/** Example text with random characters spliced in. */
export const noisy = fc
  .record({ example: fc.nat({ max: sources.length - 1 }), at: fc.nat(), noise: fc.string({ unit: "binary", maxLength: 12 }) })
  .map(({ example, at, noise }) => {
    const s = sources[example]!;
    const i = at % (s.length + 1);
    return s.slice(0, i) + noise + s.slice(i);
  });

export const anyText = fc.oneof(
  mutated,
  noisy,
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", "   \n\t", "# only a comment\n# and another", "graph", "graph g {", "}", "op f() { return 1 }"),
);
