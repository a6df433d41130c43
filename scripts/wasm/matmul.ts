// Owns the matrix-product kernels of the wasm target: SIMD loops (f32x4 or f64x2) register-blocked
// 4 rows × 2 vectors for out = A·b (A = a or aᵀ), and SIMD dot products for out = a·bᵀ.
import { add, addr, bump, func, get, i32, loop, mul, set, type Scalar } from "./text.js";

/** How out = A·b is blocked into registers. */
export interface Tiling {
  /** Row-block heights, tallest first, ending in 1: rows of out that share each loaded b vector. */
  readonly rows: readonly number[];
  /** SIMD vectors per row in the widest column block (then single vectors, then a partial one). */
  readonly vectors: number;
  /** Steps along k per trip of the inner loop. */
  readonly unroll: number;
  /**
   * Each column block runs past every row block before the next column block (rather than each
   * row block past every column block): b's block is then read again while still in L1.
   */
  readonly columnsOuter: boolean;
}

export interface Product {
  /** A is aᵀ for a stored [k×n] (rather than a[n×k]). */
  readonly transA: boolean;
  /** out += alpha · A·b (rather than out = A·b). */
  readonly accumulate: boolean;
  /**
   * b comes packed by `packPanels`: column panels as wide as a column block, each stored
   * contiguously down k (the last padded with zeros), so the block streams its b sequentially.
   */
  readonly packedB?: boolean;
  /**
   * With transA, aᵀ comes packed by `packRowPanels`: each row block's rows interleaved along k
   * (block at i stored from element i·k, its `rows` elements for one p side by side), so the block
   * streams its A sequentially rather than one short run per row of the stored a.
   */
  readonly packedA?: boolean;
}

/**
 * out[i, j] = Σ_p A(i, p) · b[p, j] for a block of `rows` rows and `vectors` SIMD vectors starting
 * at ($i, $j). A is a[i·k + p] (N) or a[p·n + i] (T).
 */
function gemmBlock(s: Scalar, product: Product, tiling: Tiling, rows: number, vectors: number, partial = false): string {
  const { transA } = product;
  const size = 1 << s.shift;
  const acc = (r: number, c: number) => `acc${r}_${c}`;
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < vectors; c++) lines.push(set(acc(r, c), "(v128.const i64x2 0 0)"));
  // Pointers walk along p: for aᵀ one pointer to A(i, p), the block's rows beside it; for a one
  // pointer per row. b's pointer walks down its rows.
  if (transA) lines.push(set("pa0", addr(s, "a", product.packedA ? mul(get("i"), get("k")) : get("i"))));
  else for (let r = 0; r < rows; r++) lines.push(set(`pa${r}`, addr(s, "a", mul(add(get("i"), i32(r)), get("k")))));
  // Packed, the panel holding columns j… starts at element j·k and its rows are a block wide.
  lines.push(set("pb", addr(s, "b", product.packedB ? mul(get("j"), get("k")) : get("j"))));
  const bRow = product.packedB ? i32(vectors * 16) : `(i32.shl ${get("m")} ${i32(s.shift)})`;
  const aRow = product.packedA ? i32(rows * size) : `(i32.shl ${get("n")} ${i32(s.shift)})`;
  // One step along p, the `u`th of a trip: A's element for row r is at a constant offset from its
  // pointer (r·size for aᵀ, u·size for a, whose pointers move once a trip).
  const step = (u: number) => {
    const body: string[] = [];
    for (let c = 0; c < vectors; c++) body.push(set(`bv${c}`, `(v128.load offset=${c * 16} ${get("pb")})`));
    for (let r = 0; r < rows; r++) {
      const [pointer, offset] = transA ? ["pa0", r * size] : [`pa${r}`, u * size];
      // v128.load32_splat / load64_splat: one instruction loads an element into every lane.
      body.push(set("av", `(v128.load${s.lanes === 4 ? 32 : 64}_splat offset=${offset} ${get(pointer)})`));
      for (let c = 0; c < vectors; c++) body.push(set(acc(r, c), `(${s.v}.add ${get(acc(r, c))} (${s.v}.mul ${get("av")} ${get(`bv${c}`)}))`));
    }
    body.push(bump("pb", bRow));
    if (transA) body.push(bump("pa0", aRow));
    return body;
  };
  // A trip of the loop takes `unroll` steps and tests for the end of k after each. Testing after
  // each (rather than once a trip, with the leftover steps in a second loop) keeps each step's
  // arithmetic before the next step's loads: TurboFan issues a basic block's loads first, so a
  // trip of several steps without exits between them keeps all their loaded values live at once
  // and spills (measured: 4×2 unrolled ×2 that way fell from ~45 to ~28 GFLOP/s).
  const done = `(i32.ge_u ${get("pb")} ${get("pbEnd")})`;
  lines.push(set("pbEnd", add(get("pb"), mul(get("k"), bRow))));
  const trip: string[] = [];
  for (let u = 0; u < tiling.unroll; u++) {
    if (u > 0) trip.push(`(br_if $p_done ${done})`);
    trip.push(...step(u));
  }
  if (!transA) for (let r = 0; r < rows; r++) trip.push(bump(`pa${r}`, i32(tiling.unroll * size)));
  lines.push(loop("p", done, trip.join("\n"), ""));
  for (let r = 0; r < rows; r++) {
    const target = addr(s, "out", add(mul(add(get("i"), i32(r)), get("m")), get("j")));
    for (let c = 0; c < vectors; c++) {
      if (partial) {
        // Only the lanes left in the row are stored; the others were computed from whatever
        // followed the row in memory and are dropped.
        for (let lane = 0; lane < s.lanes; lane++) {
          const column = c * s.lanes + lane;
          const at = `offset=${column << s.shift} ${target}`;
          let value = `(${s.v}.extract_lane ${lane} ${get(acc(r, c))})`;
          if (product.accumulate) value = `(${s.t}.add (${s.t}.load ${at}) (${s.t}.mul ${get("alpha")} ${value}))`;
          const store = `(${s.t}.store ${at} ${value})`;
          lines.push(column === 0 ? store : `(if (i32.gt_s (i32.sub ${get("m")} ${get("j")}) ${i32(column)}) (then ${store}))`);
        }
      } else {
        const at = `offset=${c * 16} ${target}`;
        let value = get(acc(r, c));
        if (product.accumulate) value = `(${s.v}.add (v128.load ${at}) (${s.v}.mul ${get("alphav")} ${value}))`;
        lines.push(`(v128.store ${at} ${value})`);
      }
    }
  }
  return lines.join("\n");
}

/**
 * Column blocks, j from 0: wide vector blocks, then single vectors, then a partial vector; with b
 * packed, wide blocks only, the last one partial.
 */
function columnBlocks(s: Scalar, tiling: Tiling, block: (vectors: number, partial: boolean) => string, packed = false): string {
  const wide = tiling.vectors * s.lanes;
  if (packed) {
    return [
      set("j", i32(0)),
      loop("wide", `(i32.gt_s ${add(get("j"), i32(wide))} ${get("m")})`, block(tiling.vectors, false), bump("j", i32(wide))),
      `(if (i32.lt_s ${get("j")} ${get("m")}) (then ${block(tiling.vectors, true)}))`,
    ].join("\n");
  }
  const columns = [set("j", i32(0))];
  if (tiling.vectors > 1) {
    columns.push(loop("wide", `(i32.gt_s ${add(get("j"), i32(wide))} ${get("m")})`, block(tiling.vectors, false), bump("j", i32(wide))));
  }
  columns.push(
    loop("narrow", `(i32.gt_s ${add(get("j"), i32(s.lanes))} ${get("m")})`, block(1, false), bump("j", i32(s.lanes))),
    // The last columns, fewer than a vector: one vector block that reads past the row's end
    // (the memory is padded for it) and stores only the columns that exist.
    `(if (i32.lt_s ${get("j")} ${get("m")}) (then ${block(1, true)}))`,
  );
  return columns.join("\n");
}

/** Row blocks, i from 0: each height of the tiling in turn, tallest first. */
function rowBlocks(tiling: Tiling, block: (rows: number) => string): string {
  const blocks = tiling.rows.map((rows, b) => loop(`rows${b}`, `(i32.gt_s ${add(get("i"), i32(rows))} ${get("n")})`, block(rows), bump("i", i32(rows))));
  return [set("i", i32(0)), ...blocks].join("\n");
}

/**
 * out[n×m] = A · b with A = a[n×k] (N) or aᵀ for a stored [k×n] (T); with `accumulate`,
 * out[n×m] += alpha · A · b, alpha a last parameter in the dtype's type.
 */
export function gemm(name: string, s: Scalar, product: Product, tiling: Tiling): string {
  const tallest = tiling.rows[0]!;
  const locals = ["(local $i i32) (local $j i32) (local $pb i32) (local $pbEnd i32) (local $av v128) (local $alphav v128)"];
  for (let r = 0; r < tallest; r++) locals.push(`(local $pa${r} i32)`);
  for (let r = 0; r < tallest; r++) for (let c = 0; c < tiling.vectors; c++) locals.push(`(local $acc${r}_${c} v128)`);
  for (let c = 0; c < tiling.vectors; c++) locals.push(`(local $bv${c} v128)`);
  const body: string[] = [];
  if (product.accumulate) body.push(set("alphav", `(${s.v}.splat ${get("alpha")})`));
  const block = (rows: number, vectors: number, partial: boolean) => gemmBlock(s, product, tiling, rows, vectors, partial);
  body.push(
    tiling.columnsOuter
      ? columnBlocks(s, tiling, (vectors, partial) => rowBlocks(tiling, (rows) => block(rows, vectors, partial)), product.packedB)
      : rowBlocks(tiling, (rows) => columnBlocks(s, tiling, (vectors, partial) => block(rows, vectors, partial), product.packedB)),
  );
  const params: [string, string][] = [["out", "i32"], ["a", "i32"], ["b", "i32"], ["n", "i32"], ["k", "i32"], ["m", "i32"]];
  if (product.accumulate) params.push(["alpha", s.t]);
  return func(name, params, locals.join(" "), body.join("\n"));
}

/**
 * dst = b[k×m] packed for a `packedB` product whose column blocks are `vectors` SIMD vectors wide:
 * panel after panel of that many columns, each k rows of one block, the last panel's columns past
 * m zero.
 */
export function packPanels(name: string, s: Scalar, vectors: number): string {
  const width = vectors * s.lanes;
  const size = 1 << s.shift;
  const copyRow: string[] = [];
  for (let c = 0; c < vectors; c++) copyRow.push(`(v128.store offset=${c * 16} ${get("pd")} (v128.load offset=${c * 16} ${get("pb")}))`);
  const full = loop(
    "rows",
    `(i32.ge_s ${get("p")} ${get("k")})`,
    [...copyRow, bump("pd", i32(width * size)), bump("pb", `(i32.shl ${get("m")} ${i32(s.shift)})`)].join("\n"),
    bump("p", i32(1)),
  );
  // The last panel, element by element: b's element where the column exists, else zero (b is
  // not read past its end).
  const load = `(${s.t}.load ${addr(s, "b", add(mul(get("p"), get("m")), add(get("j"), get("c"))))})`;
  const element = `(if (result ${s.t}) (i32.lt_s ${add(get("j"), get("c"))} ${get("m")}) (then ${load}) (else (${s.t}.const 0)))`;
  const partialRow = loop("cols", `(i32.ge_s ${get("c")} ${i32(width)})`, [`(${s.t}.store ${get("pd")} ${element})`, bump("pd", i32(size))].join("\n"), bump("c", i32(1)));
  const partial = loop("prows", `(i32.ge_s ${get("p")} ${get("k")})`, [set("c", i32(0)), partialRow].join("\n"), bump("p", i32(1)));
  const panels = loop(
    "panels",
    `(i32.gt_s ${add(get("j"), i32(width))} ${get("m")})`,
    [set("p", i32(0)), set("pb", addr(s, "b", get("j"))), full].join("\n"),
    bump("j", i32(width)),
  );
  const body = [set("pd", get("dst")), set("j", i32(0)), panels, `(if (i32.lt_s ${get("j")} ${get("m")}) (then ${set("p", i32(0))} ${partial}))`].join("\n");
  return func(name, [["dst", "i32"], ["b", "i32"], ["k", "i32"], ["m", "i32"]], "(local $j i32) (local $p i32) (local $c i32) (local $pd i32) (local $pb i32)", body);
}

/**
 * dst = aᵀ packed for a `packedA` product, a stored [k×n]: for each row block of `height` rows of
 * aᵀ (i from 0 while i + height ≤ n), its k steps of `height` elements (a[p·n + i…]) side by side
 * from element i·k; each row after the last block (the tiling's 1-row blocks) from element i·k
 * down k.
 */
export function packRowPanels(name: string, s: Scalar, height: number): string {
  const size = 1 << s.shift;
  const aRow = `(i32.shl ${get("n")} ${i32(s.shift)})`;
  const copy: string[] = [];
  for (let c = 0; c < (height * size) / 16; c++) copy.push(`(v128.store offset=${c * 16} ${get("pd")} (v128.load offset=${c * 16} ${get("pa")}))`);
  // Rows i… of aᵀ from element i·k of dst, `step` copying one p's elements.
  const rows = (label: string, step: string[], width: number) =>
    [
      set("p", i32(0)),
      set("pa", addr(s, "a", get("i"))),
      set("pd", addr(s, "dst", mul(get("i"), get("k")))),
      loop(label, `(i32.ge_s ${get("p")} ${get("k")})`, [...step, bump("pd", i32(width * size)), bump("pa", aRow)].join("\n"), bump("p", i32(1))),
    ].join("\n");
  const body = [
    set("i", i32(0)),
    loop("blocks", `(i32.gt_s ${add(get("i"), i32(height))} ${get("n")})`, rows("steps", copy, height), bump("i", i32(height))),
    loop("rows", `(i32.ge_s ${get("i")} ${get("n")})`, rows("one", [`(${s.t}.store ${get("pd")} (${s.t}.load ${get("pa")}))`], 1), bump("i", i32(1))),
  ].join("\n");
  return func(name, [["dst", "i32"], ["a", "i32"], ["k", "i32"], ["n", "i32"]], "(local $i i32) (local $p i32) (local $pa i32) (local $pd i32)", body);
}

/** Steps along k in one panel of `gemmNTPanels`: b's transposed panel stays in registers. */
const PANEL = 8;

/**
 * out[n×m] = a[n×k] · bᵀ for a short k: for each SIMD vector of out's columns and each panel of
 * up to PANEL steps along k, b's panel is gathered (transposed) into registers once, then every
 * row of out takes the panel's steps as in `gemm`: a splat of A(i, p) times a vector of b. For
 * the TwoLayerNet's dy·W2ᵀ (k = 10) this replaces dot products of 10 elements, whose horizontal
 * sums cost more than their products.
 */
function gemmNTPanels(name: string, s: Scalar): string {
  const L = s.lanes;
  const size = 1 << s.shift;
  const bT = (u: number) => `bt${u}`;
  // b's panel, transposed: bt_u = (b[j, p0+u], b[j+1, p0+u], …), lanes past m or k left zero.
  const gather: string[] = [];
  for (let u = 0; u < PANEL; u++) {
    gather.push(set(bT(u), "(v128.const i64x2 0 0)"));
    const lanes: string[] = [];
    for (let c = 0; c < L; c++) {
      const element = `(${s.t}.load ${addr(s, "b", add(mul(add(get("j"), i32(c)), get("k")), add(get("p0"), i32(u))))})`;
      lanes.push(`(if (i32.lt_s ${add(get("j"), i32(c))} ${get("m")}) (then ${set(bT(u), `(${s.v}.replace_lane ${c} ${get(bT(u))} ${element})`)}))`);
    }
    gather.push(`(if (i32.lt_s ${i32(u)} ${get("rem")}) (then ${lanes.join(" ")}))`);
  }
  // One row: the first panel starts from zero, later ones from what out holds. A test before
  // each step ends a short panel and, as in `gemm`, keeps each step's load beside its arithmetic.
  const steps: string[] = [];
  for (let u = 0; u < PANEL; u++) {
    steps.push(`(br_if $steps_done (i32.le_s ${get("rem")} ${i32(u)}))`);
    const splat = `(v128.load${L === 4 ? 32 : 64}_splat offset=${u * size} ${get("pa")})`;
    steps.push(set("acc", `(${s.v}.add ${get("acc")} (${s.v}.mul ${splat} ${get(bT(u))}))`));
  }
  const store: string[] = [];
  for (let lane = 0; lane < L; lane++) {
    const one = `(${s.t}.store offset=${lane * size} ${get("po")} (${s.v}.extract_lane ${lane} ${get("acc")}))`;
    store.push(lane === 0 ? one : `(if (i32.lt_s ${add(get("j"), i32(lane))} ${get("m")}) (then ${one}))`);
  }
  const row = [
    set("acc", `(select (v128.const i64x2 0 0) (v128.load ${get("po")}) (i32.eqz ${get("p0")}))`),
    `(block $steps_done ${steps.join("\n")})`,
    // A whole vector of columns is stored at once; the last, partial one lane by lane.
    `(if (i32.le_s ${add(get("j"), i32(L))} ${get("m")}) (then (v128.store ${get("po")} ${get("acc")})) (else ${store.join(" ")}))`,
    bump("pa", `(i32.shl ${get("k")} ${i32(s.shift)})`),
    bump("po", `(i32.shl ${get("m")} ${i32(s.shift)})`),
  ].join("\n");
  const rows = [set("pa", addr(s, "a", get("p0"))), set("po", addr(s, "out", get("j"))), set("i", i32(0)), loop("rows", `(i32.ge_s ${get("i")} ${get("n")})`, row, bump("i", i32(1)))];
  // Panels along k; k = 0 still takes one (empty) panel, which writes the zeros.
  const panels = loop(
    "panels",
    `(i32.and (i32.ge_s ${get("p0")} ${get("k")}) (i32.gt_s ${get("p0")} ${i32(0)}))`,
    [set("rem", `(i32.sub ${get("k")} ${get("p0")})`), ...gather, ...rows].join("\n"),
    bump("p0", i32(PANEL)),
  );
  const columns = loop("columns", `(i32.ge_s ${get("j")} ${get("m")})`, [set("p0", i32(0)), panels].join("\n"), bump("j", i32(L)));
  const locals = [
    "(local $i i32) (local $j i32) (local $p0 i32) (local $rem i32) (local $pa i32) (local $po i32) (local $acc v128)",
    ...Array.from({ length: PANEL }, (_, u) => `(local $${bT(u)} v128)`),
  ].join(" ");
  const params = ["out", "a", "b", "n", "k", "m"].map((p) => `(param $${p} i32)`).join(" ");
  return `(func $${name} ${params}\n  ${locals}\n  ${set("j", i32(0))}\n  ${columns})`;
}

/**
 * out[n×m] = a[n×k] · bᵀ for b stored [m×k]: for k up to two panels, `gemmNTPanels`; for longer k,
 * SIMD dot products along k, four columns at a time.
 */
export function gemmNT(name: string, s: Scalar): string {
  const call = (f: string) => `(call $${f} ${["out", "a", "b", "n", "k", "m"].map(get).join(" ")})`;
  const dispatch = func(
    name,
    ["out", "a", "b", "n", "k", "m"].map((p): [string, string] => [p, "i32"]),
    "",
    `(if (i32.le_s ${get("k")} ${i32(2 * PANEL)}) (then ${call(`${name}Panels`)}) (else ${call(`${name}Dots`)}))`,
  );
  return [gemmNTPanels(`${name}Panels`, s), gemmNTDots(`${name}Dots`, s), dispatch].join("\n");
}

/** out[n×m] = a[n×k] · bᵀ for b stored [m×k]: SIMD dot products along k, four columns at a time. */
function gemmNTDots(name: string, s: Scalar): string {
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
  return `(func $${name} (param $out i32) (param $a i32) (param $b i32) (param $n i32) (param $k i32) (param $m i32)
  ${locals}
  (local.set $i (i32.const 0))
  ${loop("rows", `(i32.ge_s ${get("i")} ${get("n")})`, columns, `(local.set $i (i32.add ${get("i")} (i32.const 1)))`)})`;
}
