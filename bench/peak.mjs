// The ceiling the wasm target works under on this machine: the arithmetic rate of WebAssembly
// SIMD itself, measured by a loop of independent multiply-adds with no memory traffic, once as
// separate mul + add (what the kernels use) and once as relaxed SIMD's fused multiply-add where
// the engine has it (Node 20 has it only behind --experimental-wasm-relaxed-simd). From it, the
// least time a training step's matrix products can take here, whatever the kernels do.
import binaryen from "binaryen";
import { C, D, N } from "./lib.mjs";

const CHAINS = 10; // independent accumulators: more than latency × issue width needs

function peakModule(shape, fused) {
  const accs = Array.from({ length: CHAINS }, (_, i) => `(local $a${i} v128)`).join(" ");
  const step = (i) =>
    fused
      ? `(local.set $a${i} (${shape}.relaxed_madd (local.get $x) (local.get $y) (local.get $a${i})))`
      : `(local.set $a${i} (${shape}.add (local.get $a${i}) (${shape}.mul (local.get $x) (local.get $y))))`;
  const sum = Array.from({ length: CHAINS }, (_, i) => `(local.get $a${i})`).reduce((a, b) => `(${shape}.add ${a} ${b})`);
  const text = `(module (memory 1)
  (func (export "run") (param $n i32) (local $x v128) (local $y v128) ${accs}
    (local.set $x (v128.load (i32.const 0)))
    (local.set $y (v128.load (i32.const 16)))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      ${Array.from({ length: CHAINS }, (_, i) => step(i)).join("\n      ")}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (v128.store (i32.const 32) ${sum})))`;
  const module = binaryen.parseText(text);
  try {
    module.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128 | (fused ? binaryen.Features.RelaxedSIMD : 0));
    if (!module.validate()) throw new Error("the peak loop does not validate");
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

/** GFLOP/s of one SIMD shape's loop (best of 5 runs of 20M iterations), or undefined where the engine lacks it. */
function rate(shape, fused) {
  const bytes = peakModule(shape, fused);
  if (!WebAssembly.validate(bytes)) return undefined;
  const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports.run;
  const n = 20_000_000;
  run(n / 10); // until the optimising compiler has it
  const lanes = shape === "f32x4" ? 4 : 2;
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    run(n);
    best = Math.max(best, (n * CHAINS * 2 * lanes) / ((performance.now() - t0) / 1000) / 1e9);
  }
  return best;
}

/** Per dtype: the mul + add peak and the fused one (undefined when the engine lacks relaxed SIMD). */
export function measurePeaks() {
  return {
    f32: { mulAdd: rate("f32x4", false), fused: rate("f32x4", true) },
    f64: { mulAdd: rate("f64x2", false), fused: rate("f64x2", true) },
  };
}

/** Floating-point operations of the TwoLayerNet step's five products (x@W1, h@W2, hᵀ@dy, dy@W2ᵀ, xᵀ@dh). */
export function stepProductFlops(H = 50) {
  return 2 * N * (2 * D * H + 3 * H * C);
}
