// `npm run gallery`: draws every example with the gradc command itself and writes the pictures
// to docs/gallery/ and the page that shows them, docs/gallery.md, with the command under each
// picture. It also draws the pictures docs/walkthrough.md shows. Never edit the output by hand.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
const OUT = "docs/gallery";

/** One picture: the gradc arguments that draw it (after `gradc graph`) and where it goes. */
interface Picture {
  readonly title: string;
  readonly args: readonly string[];
  readonly file: string;
}

/** A batch of examples for pictures of graphs whose inputs have no default values. */
function rows(n: number, width: number, seed: number): number[][] {
  return Array.from({ length: n }, (_, r) =>
    Array.from({ length: width }, (_, i) => Math.round((0.5 + 0.5 * Math.sin(seed + r * 31 + i * 1.7)) * 1000) / 1000),
  );
}

function oneHot(classes: number, labels: readonly number[]): number[][] {
  return labels.map((k) => Array.from({ length: classes }, (_, i) => (i === k ? 1 : 0)));
}

/** Input values for the examples that need some, written beside the pictures. */
const inputs: Readonly<Record<string, object>> = {
  affine: { x: rows(2, 3, 1) },
  dense_op: { x: rows(2, 4, 2), t: oneHot(3, [0, 2]) },
  // The numbers of the book's Softmax-with-Loss example: scores a, one-hot label t.
  softmax_with_loss: { a: [[0.3, 2.9, 4.0]], t: [[0, 0, 1]] },
  two_layer_net: { x: rows(2, 784, 3), t: oneHot(10, [2, 9]) },
  wide_net: { x: rows(2, 784, 4), t: oneHot(10, [4, 7]) },
};

/** The example's first comment line, which says what it shows. */
function caption(file: string): string {
  const first = readFileSync(`${root}/${file}`, "utf8").split("\n")[0] ?? "";
  return first.startsWith("#") ? first.replace(/^#\s*/, "") : "";
}

async function draw(p: Picture): Promise<void> {
  await run(process.execPath, ["bin/gradc.js", "graph", ...p.args, "-o", p.file], { cwd: root, maxBuffer: 1 << 26 });
}

/** Runs at most `width` drawings at a time. */
async function drawAll(pictures: readonly Picture[], width = 2): Promise<void> {
  const queue = [...pictures];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) await draw(p);
    }),
  );
}

const command = (p: Picture) => `gradc graph ${[...p.args, "-o", p.file].join(" ")}`;
const image = (p: Picture) => `![${p.title}](${p.file.replace(/^docs\//, "")})`;

async function main(): Promise<void> {
  rmSync(`${root}/${OUT}`, { recursive: true, force: true });
  mkdirSync(`${root}/${OUT}/inputs`, { recursive: true });
  const examples = readdirSync(`${root}/examples`)
    .filter((f) => f.endsWith(".graph"))
    .sort()
    .map((f) => f.replace(/\.graph$/, ""));

  const sections: { name: string; pictures: Picture[] }[] = [];
  for (const name of examples) {
    const file = `examples/${name}.graph`;
    const values = inputs[name] ? [`--inputs`, `${OUT}/inputs/${name}.json`] : [];
    if (inputs[name]) writeFileSync(`${root}/${OUT}/inputs/${name}.json`, `${JSON.stringify(inputs[name])}\n`);
    const pictures: Picture[] = [
      { title: `${name}: the forward graph`, args: [file], file: `${OUT}/${name}.svg` },
      { title: `${name}: values and gradients`, args: [file, "--values", ...values], file: `${OUT}/${name}.values.svg` },
      { title: `${name}: the gradient graph`, args: [file, "--backward"], file: `${OUT}/${name}.backward.svg` },
    ];
    if (readFileSync(`${root}/${file}`, "utf8").includes("\nop ")) {
      pictures.push({ title: `${name}: user-defined ops expanded`, args: [file, "--expand"], file: `${OUT}/${name}.expanded.svg` });
    }
    sections.push({ name, pictures });
  }
  const walkthrough: Picture[] = [
    { title: "Fig. 5-16", args: ["examples/apple.graph", "--values"], file: `${OUT}/fig-5-16.svg` },
    { title: "Fig. 5-17", args: ["examples/shopping.graph", "--values"], file: `${OUT}/fig-5-17.svg` },
    { title: "the gradient graph of Fig. 5-16", args: ["examples/apple.graph", "--backward", "--values"], file: `${OUT}/fig-5-16-backward.svg` },
    {
      title: "Softmax-with-Loss",
      args: ["examples/softmax_with_loss.graph", "--values", "--inputs", `${OUT}/inputs/softmax_with_loss.json`],
      file: `${OUT}/softmax-with-loss.svg`,
    },
    {
      title: "Softmax-with-Loss, backward",
      args: ["examples/softmax_with_loss.graph", "--backward", "--values", "--inputs", `${OUT}/inputs/softmax_with_loss.json`],
      file: `${OUT}/softmax-with-loss-backward.svg`,
    },
  ];
  await drawAll([...sections.flatMap((s) => s.pictures), ...walkthrough]);

  const page = [
    "# Gallery",
    "",
    "Every example in [examples/](../examples), drawn by `gradc graph` ([cli.md](cli.md#gradc-graph)): the forward",
    "graph, the same graph with one run's values above each edge and the gradients below it (in red), and the",
    "gradient graph gradc derives, each part framed by the forward node whose rule built it.",
    "Inputs without a default value get the values in [gallery/inputs/](gallery/inputs).",
    "",
    "This page and its pictures are written by `npm run gallery` ([scripts/gallery.ts](../scripts/gallery.ts));",
    "do not edit them by hand. The book's figures, step by step, are in [walkthrough.md](walkthrough.md).",
    "",
    `Contents: ${sections.map((s) => `[${s.name}](#${s.name})`).join(" · ")}`,
  ];
  for (const s of sections) {
    page.push("", `## ${s.name}`, "", caption(`examples/${s.name}.graph`));
    for (const p of s.pictures) page.push("", "```", command(p), "```", "", image(p));
  }
  writeFileSync(`${root}/docs/gallery.md`, `${page.join("\n")}\n`);
  console.log(`wrote docs/gallery.md and ${sections.flatMap((s) => s.pictures).length + walkthrough.length} pictures in ${OUT}/`);
}

await main();
