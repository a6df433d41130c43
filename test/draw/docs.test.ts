// The pictures and transcripts in docs/ are what gradc makes today: the walkthrough's command
// outputs, the gallery's pictures of every example (regenerate with `npm run gallery`).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze, graphDot, renderSvg } from "../../src/index.js";
import { gradc } from "../support/gradc.js";

const walkthrough = readFileSync("docs/walkthrough.md", "utf8");
const gallery = readFileSync("docs/gallery.md", "utf8");
const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".graph"))
  .sort()
  .map((f) => f.replace(/\.graph$/, ""));

/** Each fenced block that starts with `$ COMMAND`: the command and the lines after it. */
function transcripts(markdown: string): { command: string; output: string }[] {
  return [...markdown.matchAll(/```\n\$ ([^\n]*)\n([\s\S]*?)```/g)].map((m) => ({ command: m[1]!, output: m[2]! }));
}

describe("docs/walkthrough.md", () => {
  const blocks = transcripts(walkthrough);

  it.concurrent.each(blocks.filter((b) => /^gradc (run|grad) /.test(b.command)).map((b) => [b.command, b] as const))(
    "%s prints what the page shows",
    async (_, { command, output }) => {
      const r = await gradc(...command.split(" ").slice(1));
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(output);
    },
  );

  it("shows the graph files as they are", () => {
    for (const b of blocks.filter((x) => x.command.startsWith("cat "))) {
      expect(b.output).toBe(readFileSync(b.command.slice(4), "utf8"));
    }
  });

  it("every picture it draws or shows exists", () => {
    const drawn = blocks.filter((b) => b.command.startsWith("gradc graph ")).map((b) => b.command.split(" -o ")[1]!);
    expect(drawn.length).toBeGreaterThanOrEqual(5);
    for (const file of drawn) expect(existsSync(file), file).toBe(true);
    for (const m of walkthrough.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(existsSync(`docs/${m[1]}`), m[1]).toBe(true);
  });
});

describe("docs/gallery.md", () => {
  it("shows every example, and every picture it shows exists", () => {
    for (const name of examples) expect(gallery, `${name}: run npm run gallery`).toContain(`## ${name}\n`);
    for (const m of gallery.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(existsSync(`docs/${m[1]}`), m[1]).toBe(true);
  });

  it.each(examples)("%s: the forward picture is what gradc draws today (else run npm run gallery)", async (name) => {
    const svg = await renderSvg(graphDot(analyze(readFileSync(`examples/${name}.graph`, "utf8")).graph!));
    expect(svg === readFileSync(`docs/gallery/${name}.svg`, "utf8"), `docs/gallery/${name}.svg is stale: run npm run gallery`).toBe(true);
  });
});
