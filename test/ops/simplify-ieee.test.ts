// The simplifier never changes a double: every rule, kept or refused, is checked by compiling a
// small graph through the real pipeline (lowering, differentiation, optimisation, emission) and
// running its generated `forward` at ±0, ±Infinity, NaN, subnormals, values near ±MAX_VALUE and
// a few random doubles, against the same expression evaluated directly in JavaScript as
// written. Graph expressions of numbers, names, + - * / and unary minus mean what they mean in
// JavaScript (same precedence, left-associative), so the expression text is evaluated as is.
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadGraph, mulberry32, type Node, type Tensor } from "../../src/index.js";

/** A double from 64 random bits, for exponents and significands all over the range. */
function randomDouble(random: () => number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, Math.floor(random() * 2 ** 32));
  view.setUint32(4, Math.floor(random() * 2 ** 32));
  return view.getFloat64(0);
}

const random = mulberry32(20240611);
const VALUES: readonly number[] = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  Number.MIN_VALUE, // the smallest subnormal
  -Number.MIN_VALUE,
  3 * 2 ** -1074,
  2.5e-308, // subnormal
  -2.5e-308,
  2 ** -1022, // the smallest normal
  1e-300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  2 ** 1023,
  1e308,
  -1e308,
  Number.MAX_VALUE / 3,
  1,
  -1,
  3,
  0.1,
  1 + 2 ** -52,
  1.124615863830625, // 3x + 2x rounds differently from 5x here
  -7.5,
  ...Array.from({ length: 6 }, () => randomDouble(random)),
];

/** Every pair of values, as two columns. */
const PAIRS: { xs: number[]; ys: number[] } = { xs: [], ys: [] };
for (const x of VALUES) {
  for (const y of VALUES) {
    PAIRS.xs.push(x);
    PAIRS.ys.push(y);
  }
}

interface Rule {
  /** The rule, as the test names it. */
  readonly rule: string;
  /** A graph expression over x and y, also evaluated as JavaScript. */
  readonly expr: string;
  /** What the optimised output node is, printed as op(args). */
  readonly becomes: string;
  /**
   * For a refused rule: the rewrite it would make (JavaScript over x and y); some value in the
   * table must tell it apart from the expression as written, which is why it is refused.
   */
  readonly refused?: string;
  /** The expression as written in JavaScript, when the graph's is not JavaScript (sum, transpose). */
  readonly js?: string;
  /** The type of x and y: scalars and vectors by default. */
  readonly types?: readonly string[];
}

const kept = (rule: string, expr: string, becomes: string, extra: Partial<Rule> = {}): Rule => ({ rule, expr, becomes, ...extra });
const refused = (rule: string, expr: string, becomes: string, rewrite: string): Rule => ({ rule, expr, becomes, refused: rewrite });

const SCALAR = "";
const VECTOR = ": [N]";

const RULES: readonly Rule[] = [
  // ── add ──────────────────────────────────────────────────────────────────────────────────
  kept("x + (-0) → x", "x + -0", "x"),
  kept("(-0) + x → x", "-0 + x", "x"),
  refused("x + 0 → x (wrong at x = -0)", "x + 0", "add(0, x)", "x"),
  refused("0 + x → x (wrong at x = -0)", "0 + x", "add(0, x)", "x"),
  kept("x + (-y) → x - y", "x + -y", "sub(x, y)"),
  kept("(-x) + y → y - x", "-x + y", "sub(y, x)"),
  kept("(-x) + (-x) → (-x) - x", "-x + -x", "sub(neg(x), x)"),
  kept("v + v → 2 * v", "x + x", "mul(2, x)"),
  kept("2v + v → 3v", "2 * x + x", "mul(3, x)"),
  kept("v + 4v → 5v", "x + 4 * x", "mul(5, x)"),
  kept("2v + 4v → 6v", "2 * x + 4 * x", "mul(6, x)"),
  kept("(-2)v + (-4)v → (-6)v", "-2 * x + -4 * x", "mul(-6, x)"),
  kept("3v + 3v → 2 * (3v) → 6v", "3 * x + 3 * x", "mul(6, x)"),
  kept("CSE: x*y + y*x → 2 * (x*y)", "x * y + y * x", "mul(2, mul(x, y))"),
  refused("0·v + v → v (the issue: NaN at v = Infinity)", "x * 0 + x", "add(mul(0, x), x)", "x"),
  refused("4v + (-2)v → 2v (the issue: opposite signs)", "4 * x + -2 * x", "add(mul(4, x), mul(-2, x))", "2 * x"),
  refused("3v + 2v → 5v (3v rounds)", "3 * x + 2 * x", "add(mul(3, x), mul(2, x))", "5 * x"),
  refused("0.5v + 0.5v → v (0.5v underflows)", "0.5 * x + 0.5 * x", "mul(2, mul(0.5, x))", "x"),

  // ── sub ──────────────────────────────────────────────────────────────────────────────────
  kept("x - 0 → x", "x - 0", "x"),
  kept("(-0) - x → -x", "-0 - x", "neg(x)"),
  refused("x - (-0) → x (wrong at x = -0)", "x - -0", "sub(x, -0)", "x"),
  refused("0 - x → -x (the issue: the sign of zero)", "0 - x", "sub(0, x)", "-x"),
  kept("x - (-y) → x + y", "x - -y", "add(x, y)"),
  refused("2v - v → v", "2 * x - x", "sub(mul(2, x), x)", "x"),
  refused("v - 2v → -v", "x - 2 * x", "sub(x, mul(2, x))", "-x"),

  // ── mul ──────────────────────────────────────────────────────────────────────────────────
  kept("x * 1 → x", "x * 1", "x"),
  kept("1 * x → x", "1 * x", "x"),
  kept("ones * y → y", "broadcast_to(1, x) * y", "y", { js: "1 * y", types: [VECTOR] }),
  kept("x * (-1) → -x", "x * -1", "neg(x)"),
  kept("(-x) * (-y) → x * y", "-x * -y", "mul(x, y)"),
  kept("c * (-x) → (-c) * x", "3 * -x", "mul(-3, x)"),
  kept("x * 0 is not folded", "x * 0", "mul(0, x)"),
  kept("2 * (3x) → 6x (2 a scale, 3 whole)", "2 * (3 * x)", "mul(6, x)"),
  kept("8 * (1e300 x) → 8e300 x (8 a scale, 1e300 whole)", "8 * (1e300 * x)", "mul(8e+300, x)"),
  kept("3 * (2x) → 6x (2 a scale, |3| ≥ 1)", "3 * (2 * x)", "mul(6, x)"),
  kept("1.5 * (4x) → 6x", "1.5 * (4 * x)", "mul(6, x)"),
  kept("(-3) * ((-2)x) → 6x", "-3 * (-2 * x)", "mul(6, x)"),
  kept("1e300 * (2x) → 2e300 x", "1e300 * (2 * x)", "mul(2e+300, x)"),
  refused("(x * 1e200) * 1e200 → 1e400 x (the issue: overflow)", "x * 1e200 * 1e200", "mul(1e+200, mul(1e+200, x))", "1e400 * x"),
  refused("0.5 * (4x) → 2x (4x overflows)", "0.5 * (4 * x)", "mul(0.5, mul(4, x))", "2 * x"),
  refused("2 * (0.5x) → x (0.5x underflows)", "2 * (0.5 * x)", "mul(2, mul(0.5, x))", "x"),
  refused("3 * (3x) → 9x (rounds twice)", "3 * (3 * x)", "mul(3, mul(3, x))", "9 * x"),
  refused("2 * (1.5x) → 3x (1.5x rounds as a subnormal)", "2 * (1.5 * x)", "mul(2, mul(1.5, x))", "3 * x"),
  refused("0.1 * (10x) → x (10x overflows)", "0.1 * (10 * x)", "mul(0.1, mul(10, x))", "x"),

  // ── div, neg ─────────────────────────────────────────────────────────────────────────────
  kept("x / 1 → x", "x / 1", "x"),
  kept("-(-x) → x", "- -x", "x"),
  kept("-(c * x) → (-c) * x", "-(2 * x)", "mul(-2, x)"),
  refused("-(x - y) → y - x (wrong at x = y)", "-(x - y)", "neg(sub(x, y))", "y - x"),

  // ── reductions and shape ops: the value itself, no arithmetic ────────────────────────────
  kept("sum of a scalar → x", "sum(x)", "x", { js: "[x].reduce((s, v) => s + v)", types: [SCALAR] }),
  kept("mean of a scalar → x", "mean(x)", "x", { js: "[x].reduce((s, v) => s + v) / 1", types: [SCALAR] }),
  kept("sum_to its own shape → x", "sum_to(x, y)", "x", { js: "x", types: [VECTOR, ": [N, 1]"] }),
  kept("broadcast_to its own shape → x", "broadcast_to(x, y)", "x", { js: "x", types: [VECTOR, ": [N, 1]"] }),
  kept("transpose of a scalar or vector → x", "transpose(x)", "x", { js: "x" }),
  kept("transpose(transpose(m)) → m", "transpose(transpose(x))", "x", { js: "x", types: [": [N, 1]"] }),
];

/** An IR node as op(args), leaves by name or value. */
function show(n: Node): string {
  if (n.op === "const") return Object.is(n.value, -0) ? "-0" : String(n.value);
  if (n.args.length === 0) return n.name!;
  return `${n.op}(${n.args.map(show).join(", ")})`;
}

const same = (a: number, b: number): boolean => Object.is(a, b);
const text = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));

/** Where the compiled `expr` (x and y of `type`) differs from it evaluated as JavaScript, over every pair. */
async function mismatches(expr: string, type: string, js = expr): Promise<{ differ: string[]; graph: Node }> {
  const asWritten = new Function("x", "y", `return ${js};`) as (x: number, y: number) => number;
  const { module, graph } = await loadGraph(`graph g { input x${type}  input y${type}  z = ${expr}  output z }`);
  const differ: string[] = [];
  const report = (x: number, y: number, z: number, written: number) =>
    differ.push(`x=${text(x)} y=${text(y)}: ${text(z)}, written ${text(written)}`);
  const n = PAIRS.xs.length;
  if (type === SCALAR) {
    for (let i = 0; i < n; i++) {
      const [x, y] = [PAIRS.xs[i]!, PAIRS.ys[i]!];
      const z = module.forward({ x, y }, {}).outputs.z as number;
      if (!same(z, asWritten(x, y))) report(x, y, z, asWritten(x, y));
    }
  } else {
    const shape = type === VECTOR ? [n] : [n, 1];
    const x: Tensor = { shape, data: Float64Array.from(PAIRS.xs) };
    const y: Tensor = { shape, data: Float64Array.from(PAIRS.ys) };
    // An expression of constants alone is a scalar, the same at every pair.
    const out = module.forward({ x, y }, {}).outputs.z as Tensor | number;
    const at = (i: number) => (typeof out === "number" ? out : out.data[i]!);
    for (let i = 0; i < n; i++) {
      const written = asWritten(PAIRS.xs[i]!, PAIRS.ys[i]!);
      if (!same(at(i), written)) report(PAIRS.xs[i]!, PAIRS.ys[i]!, at(i), written);
    }
  }
  return { differ, graph: graph.outputs[0]!.node };
}

describe.each(RULES)("$rule", (r) => {
  const asWritten = new Function("x", "y", `return ${r.js ?? r.expr};`) as (x: number, y: number) => number;

  for (const type of r.types ?? [SCALAR, VECTOR]) {
    it(`x, y${type || ": scalars"}: ${r.expr} gives the double written, as ${r.becomes}`, async () => {
      const { differ, graph } = await mismatches(r.expr, type, r.js);
      expect(differ.slice(0, 5), `${differ.length} of ${PAIRS.xs.length} differ`).toEqual([]);
      expect(show(graph)).toBe(r.becomes);
    });
  }

  if (r.refused !== undefined) {
    it(`is refused: ${r.refused} differs from ${r.expr} somewhere`, () => {
      const rewrite = new Function("x", "y", `return ${r.refused};`) as (x: number, y: number) => number;
      const witness = PAIRS.xs.findIndex((x, i) => !same(rewrite(x, PAIRS.ys[i]!), asWritten(x, PAIRS.ys[i]!)));
      expect(witness).toBeGreaterThanOrEqual(0);
    });
  }
});

// Rules combine: random expressions of x, y and constants, where one rewrite feeds the next.
const CONSTANTS = ["0", "1", "2", "3", "4", "0.5", "0.1", "1e200", "1e-200"];
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("x", "y", ...CONSTANTS),
    tie("e").map((a) => `-(${a})`),
    fc.tuple(fc.constantFrom("+", "-", "*", "/"), tie("e"), tie("e")).map(([op, a, b]) => `(${a}) ${op} (${b})`),
  ),
})).e;

describe("random expressions", () => {
  it("compile to code that gives the double written, scalars and vectors", async () => {
    await fc.assert(
      fc.asyncProperty(expression, fc.constantFrom(SCALAR, VECTOR), async (expr, type) => {
        const { differ } = await mismatches(expr, type);
        expect(differ.slice(0, 3), `${expr}: ${differ.length} differ`).toEqual([]);
      }),
      { numRuns: 80, seed: 7 },
    );
  });
});

describe("the three cases the issue names", () => {
  const run = async (expr: string, x: number): Promise<number> => {
    const { module } = await loadGraph(`graph g { input x  z = ${expr}  output z }`);
    return module.forward({ x }, {}).outputs.z as number;
  };

  // Each value is compared with JavaScript's (toBe is Object.is), and said in words as well.
  it("a chain of constants is not re-associated into an overflow", async () => {
    const x = 1e-300;
    const z = await run("x * 1e200 * 1e200", x);
    expect(z).toBe(x * 1e200 * 1e200);
    expect(z).toBeLessThan(Infinity);
  });

  it("like terms keep the NaN that Infinity gives", async () => {
    const [inf, big] = [Infinity, Number.MAX_VALUE / 3];
    expect(await run("x * 0 + x", inf)).toBe(inf * 0 + inf);
    expect(await run("x * 0 + x", inf)).toBeNaN();
    expect(await run("4 * x + -2 * x", inf)).toBe(4 * inf + -2 * inf);
    expect(await run("4 * x + -2 * x", inf)).toBeNaN();
    expect(await run("4 * x + -2 * x", big)).toBe(4 * big + -2 * big);
  });

  it("0 - z keeps the sign of zero", async () => {
    for (const x of [0, -0]) {
      const z = await run("0 - x", x);
      expect(z).toBe(0 - x);
      expect(Object.is(z, 0)).toBe(true);
    }
  });
});
