// Owns the matrix-product kernels of the wasm target: SIMD loops (f32x4 or f64x2) register-blocked
// 4 rows × 2 vectors for out = A·b (A = a or aᵀ), and SIMD dot products for out = a·bᵀ.
import { add, addr, get, i32, loop, mul, type Scalar } from "./text.js";

/** SIMD vectors per row in the main register block (4 rows × WIDE vectors of accumulators). */
const WIDE = 2;

/**
 * out[i, j] = Σ_p A(i, p) · b[p, j] for a block of `rows` rows and `vectors` SIMD vectors (or one
 * scalar column when vectors = 0) starting at ($i, $j). A is a[i·k + p] (N) or a[p·n + i] (T).
 */
function gemmBlock(s: Scalar, transA: boolean, rows: number, vectors: number, partial = false): string {
  const scalar = vectors === 0;
  const columns = Math.max(1, vectors);
  // Scalar blocks have typed scalar locals of their own (WebAssembly locals are typed).
  const acc = (r: number, c: number) => (scalar ? `sacc${r}_0` : `acc${r}_${c}`);
  const bv = (c: number) => (scalar ? "sbv0" : `bv${c}`);
  const av = scalar ? "as" : "av";
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      lines.push(`(local.set $${acc(r, c)} ${scalar ? `(${s.t}.const 0)` : `(v128.const i64x2 0 0)`})`);
    }
  }
  // Pointers walk along p: A's elements (stride 1 for N, n for T) and b's rows (stride m).
  for (let r = 0; r < rows; r++) {
    const start = transA ? add(get("i"), i32(r)) : mul(add(get("i"), i32(r)), get("k"));
    lines.push(`(local.set $pa${r} ${addr(s, "a", start)})`);
  }
  lines.push(`(local.set $pb ${addr(s, "b", get("j"))})`);
  lines.push(`(local.set $p (i32.const 0))`);
  const aStep = transA ? `(i32.shl ${get("n")} ${i32(s.shift)})` : i32(1 << s.shift);
  const body: string[] = [];
  for (let c = 0; c < columns; c++) {
    body.push(`(local.set $${bv(c)} ${scalar ? `(${s.t}.load ${get("pb")})` : `(v128.load offset=${c * 16} ${get("pb")})`})`);
  }
  for (let r = 0; r < rows; r++) {
    const aValue = `(${s.t}.load ${get(`pa${r}`)})`;
    // v128.load32_splat / load64_splat: one instruction loads an element into every lane.
    const splat = `(v128.load${s.lanes === 4 ? 32 : 64}_splat ${get(`pa${r}`)})`;
    body.push(`(local.set $${av} ${scalar ? aValue : splat})`);
    for (let c = 0; c < columns; c++) {
      const op = scalar ? s.t : s.v;
      body.push(`(local.set $${acc(r, c)} (${op}.add ${get(acc(r, c))} (${op}.mul ${get(av)} ${get(bv(c))})))`);
    }
    body.push(`(local.set $pa${r} (i32.add ${get(`pa${r}`)} ${aStep}))`);
  }
  body.push(`(local.set $pb (i32.add ${get("pb")} (i32.shl ${get("m")} ${i32(s.shift)})))`);
  lines.push(loop("p", `(i32.ge_s ${get("p")} ${get("k")})`, body.join("\n"), `(local.set $p (i32.add ${get("p")} (i32.const 1)))`));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const target = addr(s, "out", add(mul(add(get("i"), i32(r)), get("m")), get("j")));
      if (partial) {
        // Only the lanes left in the row are stored; the others were computed from whatever
        // followed the row in memory and are dropped.
        for (let lane = 0; lane < s.lanes; lane++) {
          const store = `(${s.t}.store offset=${lane << s.shift} ${target} (${s.v}.extract_lane ${lane} ${get(acc(r, c))}))`;
          lines.push(lane === 0 ? store : `(if (i32.gt_s (i32.sub ${get("m")} ${get("j")}) ${i32(lane)}) (then ${store}))`);
        }
      } else {
        lines.push(
          scalar
            ? `(${s.t}.store ${target} ${get(acc(r, c))})`
            : `(v128.store offset=${c * 16} ${target} ${get(acc(r, c))})`,
        );
      }
    }
  }
  return lines.join("\n");
}

/** Columns of one row block: wide vector blocks, then single vectors, then scalar columns. */
function gemmColumns(s: Scalar, transA: boolean, rows: number): string {
  const wide = WIDE * s.lanes;
  const step = (n: number) => `(local.set $j (i32.add ${get("j")} ${i32(n)}))`;
  return [
    `(local.set $j (i32.const 0))`,
    loop("wide", `(i32.gt_s ${add(get("j"), i32(wide))} ${get("m")})`, gemmBlock(s, transA, rows, WIDE), step(wide)),
    loop("narrow", `(i32.gt_s ${add(get("j"), i32(s.lanes))} ${get("m")})`, gemmBlock(s, transA, rows, 1), step(s.lanes)),
    // The last columns, fewer than a vector: one vector block that reads past the row's end
    // (the memory is padded for it) and stores only the columns that exist.
    `(if (i32.lt_s ${get("j")} ${get("m")}) (then ${gemmBlock(s, transA, rows, 1, true)}))`,
  ].join("\n");
}

function gemmLocals(s: Scalar): string {
  const locals = ["(local $i i32) (local $j i32) (local $p i32) (local $pb i32)"];
  for (let r = 0; r < 4; r++) locals.push(`(local $pa${r} i32)`);
  for (let r = 0; r < 4; r++) for (let c = 0; c < WIDE; c++) locals.push(`(local $acc${r}_${c} v128)`);
  for (let r = 0; r < 4; r++) locals.push(`(local $sacc${r}_0 ${s.t})`);
  for (let c = 0; c < WIDE; c++) locals.push(`(local $bv${c} v128)`);
  locals.push(`(local $av v128) (local $as ${s.t}) (local $sbv0 ${s.t})`);
  return locals.join(" ");
}

/** out[n×m] = A · b with A = a[n×k] (N) or aᵀ for a stored [k×n] (T). */
export function gemm(name: string, s: Scalar, transA: boolean): string {
  const body = [
    `(local.set $i (i32.const 0))`,
    loop("rows4", `(i32.gt_s ${add(get("i"), i32(4))} ${get("n")})`, gemmColumns(s, transA, 4), `(local.set $i (i32.add ${get("i")} (i32.const 4)))`),
    loop("rows1", `(i32.ge_s ${get("i")} ${get("n")})`, gemmColumns(s, transA, 1), `(local.set $i (i32.add ${get("i")} (i32.const 1)))`),
  ].join("\n");
  return `(func $${name} (export "${name}") (param $out i32) (param $a i32) (param $b i32) (param $n i32) (param $k i32) (param $m i32)
  ${gemmLocals(s)}
  ${body})`;
}

/** out[n×m] = a[n×k] · bᵀ for b stored [m×k]: SIMD dot products along k, four columns at a time. */
export function gemmNT(name: string, s: Scalar): string {
  const L = s.lanes;
  const dot = (cols: number) => {
    const lines: string[] = [];
    for (let c = 0; c < cols; c++) lines.push(`(local.set $acc0_${c} (v128.const i64x2 0 0))`, `(local.set $sacc${c}_0 (${s.t}.const 0))`);
    lines.push(`(local.set $pa0 ${addr(s, "a", mul(get("i"), get("k")))})`);
    for (let c = 0; c < cols; c++) lines.push(`(local.set $pb${c} ${addr(s, "b", mul(add(get("j"), i32(c)), get("k")))})`);
    lines.push(`(local.set $p (i32.const 0))`);
    const vecBody = [`(local.set $av (v128.load ${get("pa0")}))`];
    for (let c = 0; c < cols; c++) {
      vecBody.push(`(local.set $acc0_${c} (${s.v}.add ${get(`acc0_${c}`)} (${s.v}.mul ${get("av")} (v128.load ${get(`pb${c}`)}))))`);
      vecBody.push(`(local.set $pb${c} (i32.add ${get(`pb${c}`)} ${i32(16)}))`);
    }
    vecBody.push(`(local.set $pa0 (i32.add ${get("pa0")} ${i32(16)}))`);
    lines.push(loop("pv", `(i32.gt_s ${add(get("p"), i32(L))} ${get("k")})`, vecBody.join("\n"), `(local.set $p (i32.add ${get("p")} ${i32(L)}))`));
    const scalarBody = [`(local.set $as (${s.t}.load ${get("pa0")}))`];
    for (let c = 0; c < cols; c++) {
      scalarBody.push(`(local.set $sacc${c}_0 (${s.t}.add ${get(`sacc${c}_0`)} (${s.t}.mul ${get("as")} (${s.t}.load ${get(`pb${c}`)}))))`);
      scalarBody.push(`(local.set $pb${c} (i32.add ${get(`pb${c}`)} ${i32(1 << s.shift)}))`);
    }
    scalarBody.push(`(local.set $pa0 (i32.add ${get("pa0")} ${i32(1 << s.shift)}))`);
    lines.push(loop("ps", `(i32.ge_s ${get("p")} ${get("k")})`, scalarBody.join("\n"), `(local.set $p (i32.add ${get("p")} (i32.const 1)))`));
    for (let c = 0; c < cols; c++) {
      let sum = `(${s.v}.extract_lane 0 ${get(`acc0_${c}`)})`;
      for (let l = 1; l < L; l++) sum = `(${s.t}.add ${sum} (${s.v}.extract_lane ${l} ${get(`acc0_${c}`)}))`;
      const target = addr(s, "out", add(mul(get("i"), get("m")), add(get("j"), i32(c))));
      lines.push(`(${s.t}.store ${target} (${s.t}.add ${sum} ${get(`sacc${c}_0`)}))`);
    }
    return lines.join("\n");
  };
  const columns = [
    `(local.set $j (i32.const 0))`,
    loop("cols4", `(i32.gt_s ${add(get("j"), i32(4))} ${get("m")})`, dot(4), `(local.set $j (i32.add ${get("j")} (i32.const 4)))`),
    loop("cols1", `(i32.ge_s ${get("j")} ${get("m")})`, dot(1), `(local.set $j (i32.add ${get("j")} (i32.const 1)))`),
  ].join("\n");
  const locals = [
    "(local $i i32) (local $j i32) (local $p i32) (local $pa0 i32) (local $pb0 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)",
    `(local $av v128) (local $as ${s.t})`,
    ...[0, 1, 2, 3].map((c) => `(local $acc0_${c} v128) (local $sacc${c}_0 ${s.t})`),
  ].join(" ");
  return `(func $${name} (export "${name}") (param $out i32) (param $a i32) (param $b i32) (param $n i32) (param $k i32) (param $m i32)
  ${locals}
  (local.set $i (i32.const 0))
  ${loop("rows", `(i32.ge_s ${get("i")} ${get("n")})`, columns, `(local.set $i (i32.add ${get("i")} (i32.const 1)))`)})`;
}
