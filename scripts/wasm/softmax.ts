// Owns the row-wise softmax family as wasm kernels: softmaxRows, logSoftmaxRows and softmaxLoss,
// the same functions as the JavaScript helpers of those names (src/emit/helpers/kernels.ts), over
// rows × cols elements, row by row. Rows are short (a classifier's classes), so each pass over a
// row is a SIMD loop over its whole vectors, then a scalar loop over the elements left, the two
// written once over `Lanes` (scripts/wasm/elementwise.ts), as is their exp (scripts/wasm/exp.ts).
//
// Where they round differently from the JavaScript (differences of an ulp or so, in f64):
// - exp is scripts/wasm/exp.ts's, not Math.exp;
// - a row's sum of exps is taken a lane at a time: lane j of the vector sum adds columns
//   j, j + L, j + 2L, … (L lanes), then the lanes are added in order, then the tail's columns;
// - log softmax is (x − max) − log(sum) rather than x − (max + log(sum)), as PyTorch and JAX
//   compute it: exact where x is the row max, so a confident row's small log-probability (and
//   loss) keeps its relative accuracy, which rounding max + log(sum) first would lose;
// - f32 kernels compute in f32, where the helpers compute in f64 and round once at the store,
//   except each row's sum of exps, kept in f64 (see `addToSum`); x − max is rounded to f32 too,
//   which puts up to 2^-24·|x − max| of relative error in e^(x − max) (1.9e-6 for logits 60
//   apart, on an element e^-60 of its row's largest);
// - softmaxLoss adds a row's terms (in the element's precision), then subtracts the row's sum
//   from the total (in f64), where the helper subtracts each term from the total.
// Everything else is the helpers' semantics: the max is Math.max's (NaN if any element is),
// softmaxLoss skips the terms whose label is ±0 (so x = −Infinity there gives no NaN) and
// returns the total over rows (NaN for no rows, as 0 / 0).
// log is JavaScript's Math.log, imported (env.log), rather than written here: it runs once a row,
// on the row's sum (so log(sum) is the helpers' own function), and the kernels measured no faster
// with the call taken out altogether.
import { exp } from "./exp.js";
import { lanes, loopLocals, vectorsThenTail, type Lanes, type Temps } from "./elementwise.js";
import { func, get, i32, loop, set, type Scalar } from "./text.js";

export type SoftmaxKernel = "softmaxRows" | "logSoftmaxRows" | "softmaxLoss";

/** The WebAssembly text of one of the family for one dtype. */
export function softmaxKernel(name: SoftmaxKernel, s: Scalar): string {
  const temps: Temps = new Map();
  // Every array is read along the current row: $row is the row's byte offset, $o the column's.
  const address = (array: string) => `(i32.add ${get(array)} (i32.add ${get("row")} ${get("o")}))`;
  const vector = lanes(s, true, temps, address);
  const scalar = lanes(s, false, temps, address);
  /** One pass over the row; `between` runs after the whole vectors, before the elements left. */
  const pass = (body: (e: Lanes) => string[], between = "") => vectorsThenTail(s, body(vector).join("\n"), body(scalar).join("\n"), between);
  /** The vector temporary `name`'s lanes folded by `op` into the scalar one, from lane 0 up. */
  const fold = (op: "add" | "max", name: string) => {
    let value = `(${s.v}.extract_lane 0 ${get(`${name}_v`)})`;
    for (let lane = 1; lane < s.lanes; lane++) value = `(${s.t}.${op} ${value} (${s.v}.extract_lane ${lane} ${get(`${name}_v`)}))`;
    return set(`${name}_s`, value);
  };
  const broadcast = (name: string) => set(`${name}_v`, `(${s.v}.splat ${get(`${name}_s`)})`);
  const shifted = (e: Lanes) => e.sub(e.load("x"), e.temp("max"));
  // The row's Σ e^(x − max) is kept in f64 ($rowSum) for both dtypes: in f32 a converged row's
  // sum, 1 + a little, would lose that little's low digits, and with them log(sum), its loss.
  // An f32x4 of exps is widened into two f64x2 (lanes 0, 1 into $rowSumLo, 2, 3 into $rowSumHi).
  const zero = "(v128.const i64x2 0 0)";
  const widen = (x: string) => (s.t === "f64" ? x : `(f64.promote_f32 ${x})`);
  const addToSum = (e: Lanes, value: string) => {
    if (e === scalar) return [set("rowSum", `(f64.add ${get("rowSum")} ${widen(value)})`)];
    if (s.t === "f64") return [set("rowSumLo", `(f64x2.add ${get("rowSumLo")} ${value})`)];
    const high = `(i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 ${value} ${value})`;
    return [set("rowSumLo", `(f64x2.add ${get("rowSumLo")} (f64x2.promote_low_f32x4 ${value}))`), set("rowSumHi", `(f64x2.add ${get("rowSumHi")} (f64x2.promote_low_f32x4 ${high}))`)];
  };
  const lanesOf = (v: string) => [0, 1].map((lane) => `(f64x2.extract_lane ${lane} ${get(v)})`);
  const foldSum = set("rowSum", (s.t === "f64" ? lanesOf("rowSumLo") : [...lanesOf("rowSumLo"), ...lanesOf("rowSumHi")]).reduce((a, b) => `(f64.add ${a} ${b})`));

  const row: string[] = [
    // max = Math.max over the row (−Infinity for none).
    vector.let("max", vector.num(-Infinity)),
    pass((e) => [e.let("max", e.max(e.temp("max"), e.load("x")))], fold("max", "max")),
    broadcast("max"),
    // sum = Σ e^(x − max); softmax keeps each e^(x − max) in out.
    set("rowSumLo", zero),
    set("rowSumHi", zero),
    pass(
      (e) => [
        ...exp(e, "e", shifted(e)),
        ...(name === "softmaxRows" ? [e.store("out", e.temp("e"))] : []),
        ...addToSum(e, e.temp("e")),
      ],
      foldSum,
    ),
  ];
  /** An f64 rounded to the element type. */
  const narrow = (x: string) => (s.t === "f64" ? x : `(f32.demote_f64 ${x})`);
  // log softmax = (x − max) − log(sum), log(sum) by the imported Math.log.
  const logSoftmax = (e: Lanes) => e.sub(shifted(e), e.temp("logSum"));
  if (name === "softmaxRows") {
    row.push(scalar.let("sum", narrow(get("rowSum"))), broadcast("sum"), pass((e) => [e.store("out", e.div(e.load("out"), e.temp("sum")))]));
  } else {
    row.push(scalar.let("logSum", narrow(`(call $log ${get("rowSum")})`)), broadcast("logSum"));
  }
  if (name === "logSoftmaxRows") row.push(pass((e) => [e.store("out", logSoftmax(e))]));
  if (name === "softmaxLoss") {
    // The row's Σ t·log softmax over the labels t ≠ 0, taken from the total.
    row.push(
      vector.let("loss", vector.num(0)),
      pass((e) => [e.let("label", e.load("t")), e.let("loss", e.add(e.temp("loss"), e.unlessZero(e.temp("label"), e.mul(e.temp("label"), logSoftmax(e)))))], fold("add", "loss")),
      set("total", `(f64.sub ${get("total")} ${s.t === "f64" ? get("loss_s") : `(f64.promote_f32 ${get("loss_s")})`})`),
    );
  }
  const rows = [
    set("end", `(i32.shl ${get("cols")} ${i32(s.shift)})`),
    set("row", i32(0)),
    set("rowsEnd", `(i32.mul ${get("rows")} ${get("end")})`),
    loop("rows", `(i32.ge_u ${get("row")} ${get("rowsEnd")})`, row.join("\n"), set("row", `(i32.add ${get("row")} ${get("end")})`)),
  ];
  const arrays = name === "softmaxLoss" ? ["x", "t"] : ["out", "x"];
  const params: [string, string][] = [...arrays.map((a): [string, string] => [a, "i32"]), ["rows", "i32"], ["cols", "i32"]];
  const locals = `${loopLocals(s, temps)} (local $rowSum f64) (local $rowSumLo v128) (local $rowSumHi v128)`;
  if (name !== "softmaxLoss") return func(name, params, locals, rows.join("\n"));
  // The mean over rows: 0 / 0 = NaN for no rows, as in the helper.
  const mean = `(f64.div ${get("total")} (f64.convert_i32_s ${get("rows")}))`;
  return func(name, params, `${locals} (local $total f64)`, [...rows, mean].join("\n"), "f64");
}
