// The book's NumPy TwoLayerNet, run by python3 in a subprocess on one BLAS thread.
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { C, D, LR, TIMING } from "../lib.mjs";

const script = fileURLToPath(new URL("../numpy_two_layer_net.py", import.meta.url));

/** The environment of the subprocess: one thread, and OpenBLAS left to pick its own kernels. */
function pythonEnv() {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** The first python3 that can import numpy: the one on PATH, then /usr/bin/python3. */
export function findPython() {
  const tried = [];
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(candidate, ["-c", "import numpy, sys; print(sys.executable, numpy.__version__)"], {
      env: pythonEnv(),
      encoding: "utf8",
    });
    if (r.status === 0) return { python: candidate, describe: r.stdout.trim(), tried };
    tried.push(`${candidate}: ${r.error ? r.error.code : (r.stderr.trim().split("\n").pop() ?? "failed")}`);
  }
  return { python: undefined, tried };
}

function run(python, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env: pythonEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${python} exited ${code}: ${err.trim()}`));
      else resolve(JSON.parse(out));
    });
  });
}

const scripts = {
  book: { file: script, name: "NumPy (book), 1 thread" },
  lean: { file: fileURLToPath(new URL("../numpy_lean_two_layer_net.py", import.meta.url)), name: "NumPy (lean), 1 thread" },
};

/**
 * One NumPy row: `variant` "book" (the book's layers) or "lean" (bench/numpy_lean_two_layer_net.py)
 * on the workload (see lib.mjs), timing `parts` (step and/or forward) by `timing`.
 */
export async function benchNumpy(work, python, dtype, { variant = "book", parts = ["step", "forward"], timing = TIMING } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), "gradc-bench-"));
  try {
    const { n, H, params: p } = work;
    const arrays = { x: [work.x, [n, D]], t: [work.t, [n, C]], W1: [p.W1, [D, H]], b1: [p.b1, [H]], W2: [p.W2, [H, C]], b2: [p.b2, [C]] };
    const meta = { lr: LR };
    for (const [name, [data, shape]] of Object.entries(arrays)) {
      await writeFile(path.join(dir, `${name}.bin`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      meta[name] = shape;
    }
    await writeFile(path.join(dir, "meta.json"), JSON.stringify(meta));
    const { warmup, minIters, minMs, maxIters } = timing;
    const r = await run(python, [scripts[variant].file, dir, dtype, warmup, minIters, minMs, maxIters, parts.join(",")].map(String));
    return {
      name: scripts[variant].name,
      dtype,
      width: H,
      batch: n,
      step: r.step,
      forward: r.forward,
      loss0: r.loss0,
      info: r.info,
      notes: r.moved === false ? ["WARNING: W2 did not change"] : [],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
