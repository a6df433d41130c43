// The playground's link format (playground/src/url.ts): `#src=` and the base64url of the text's
// UTF-8, checked against Node's own base64url encoder; and the example link in docs/playground.md.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSource, encodeSource, hashForSource, sourceFromHash } from "../../playground/src/url.js";
import { ROOT } from "../support/gradc.js";

describe("the playground's #src= links", () => {
  it("encode a text as Node's base64url of its UTF-8 (no padding, - and _), and decode it back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        const encoded = encodeSource(text);
        expect(encoded).toBe(Buffer.from(text, "utf8").toString("base64url"));
        expect(decodeSource(encoded)).toBe(text);
      }),
    );
  });

  it("handle texts longer than one chunk of the encoder, and names in any script", () => {
    const text = `graph 사과 {\n  input π = 3.14\n${"  # a long comment line\n".repeat(3000)}}\n`;
    expect(decodeSource(encodeSource(text))).toBe(text);
    expect(sourceFromHash(hashForSource(text))).toBe(text);
  });

  it("decode tolerantly: padded, standard-alphabet base64 and percent-escaped fragments too", () => {
    const text = "graph g {\n  input x = 1 # ?>>\n}";
    expect(decodeSource(Buffer.from(text).toString("base64"))).toBe(text);
    expect(sourceFromHash(`#src=${encodeURIComponent(Buffer.from(text).toString("base64"))}`)).toBe(text);
    expect(sourceFromHash(`#other=1&src=${encodeSource(text)}`)).toBe(text);
  });

  it("give nothing for a fragment without src=, for a malformed escape, for text that is not base64, and for bytes that are not UTF-8", () => {
    expect(sourceFromHash("")).toBeUndefined();
    expect(sourceFromHash("#graph")).toBeUndefined();
    expect(sourceFromHash("#src=%%%notbase64")).toBeUndefined(); // a malformed escape, not a thrown URIError
    expect(decodeSource("not base64!")).toBeUndefined();
    expect(decodeSource("abcde")).toBeUndefined(); // 5 characters cannot end a base64 text
    expect(decodeSource(Buffer.from([0xff, 0xfe, 0x80]).toString("base64url"))).toBeUndefined();
  });
});

describe("docs/playground.md", () => {
  it("shows a link that opens the graph shown before it", () => {
    const page = readFileSync(join(ROOT, "docs", "playground.md"), "utf8");
    const m = /```\n(graph [\s\S]*?)```\n\nis, on a site at `([^`]+)`, the link\n\n```\n(\S+)\n```/.exec(page);
    expect(m, "the example link").not.toBeNull();
    const [, graph, site, link] = m!;
    expect(link!.startsWith(`${site}#src=`)).toBe(true);
    expect(sourceFromHash(new URL(link!).hash)).toBe(graph);
  });
});
