// The page the browser test loads, bundled by esbuild for the browser from gradc's two
// browser-safe entries: it compiles a graph, runs it (both targets), checks its gradients, takes
// an optimizer step and draws it, and leaves what it found in `window.gradcResult`.
import { checkGradients, compile, graphDot, analyze, loadGraph, renderSvg, version } from "gradc";
import { mulberry32, sgd, toNested } from "gradc/runtime";

const source = `graph net {
  input x: [N, 3]
  input t: [N, 2]
  param W: [3, 2] = normal(0, 0.5)
  param b: [2]
  y = affine(x, W, b)
  loss = softmaxloss(y, t)
  output loss, y
  grad loss wrt W, b
}`;

async function main(): Promise<unknown> {
  const random = mulberry32(3);
  const x = { shape: [4, 3], data: Float64Array.from({ length: 12 }, () => random() - 0.5) };
  const t = { shape: [4, 2], data: Float64Array.of(1, 0, 0, 1, 1, 0, 0, 1) };
  const typescript = await compile(source, { file: "net.graph" });
  const javascript = await compile(source, { lang: "js", declarations: true });
  const results: Record<string, unknown> = {};
  for (const target of ["ts", "wasm"] as const) {
    const { module } = await loadGraph(source, { target });
    const params = module.init(1);
    const losses: number[] = [];
    const optimizer = sgd(0.5);
    for (let step = 0; step < 5; step++) {
      const fwd = module.forward({ x, t }, params);
      losses.push(fwd.outputs.loss as number);
      optimizer.step(params, module.backward(fwd));
    }
    results[target] = { losses, W: toNested(params.W!), check: checkGradients(module, { dims: { N: 3 } }).ok };
  }
  const svg = await renderSvg(graphDot(analyze(source).graph!));
  return {
    version,
    typescript: typescript.code?.includes("export function forward(inputs: Inputs, params: Params): Forward"),
    javascript: javascript.code?.includes("export function forward(inputs, params)"),
    declarations: javascript.declarations?.includes("export declare function backward"),
    results,
    svg: svg.startsWith("<?xml") || svg.startsWith("<svg"),
  };
}

main().then(
  (result) => Object.assign(window, { gradcResult: result }),
  (error: unknown) => Object.assign(window, { gradcResult: { error: String(error instanceof Error ? error.stack : error) } }),
);
