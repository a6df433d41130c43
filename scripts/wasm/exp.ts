// Owns e^x as WebAssembly arithmetic over `Lanes`, for both dtypes: written once, so a SIMD vector
// (f32x4 or f64x2) and the scalar tail after it get the same bits, and used by the softmax family
// (scripts/wasm/softmax.ts) and by `expElements`, which exists to test and time it alone.
//
// The method is the textbook one (Cody & Waite's reduction, as in fdlibm and Cephes), with no
// table and no branch, in the element's own precision:
//   1. clamp x to ±clamp (NaN stays NaN), so that k below stays small;
//   2. k = round(x·log2e), by adding 1.5·2^M (M the mantissa's bits): the sum's ulp is 1, so the
//      addition rounds x·log2e to an integer, which then sits in the sum's low bits;
//   3. r = (x − k·ln2hi) − k·ln2lo, ln2 split so that k·ln2hi and the first subtraction are exact;
//      |r| ≤ ln2/2 (a little more, from the rounding of x·log2e);
//   4. e^r = 1 + (r + r²·(1/2! + r/3! + …)), Taylor to the degree whose first omitted term is a
//      small fraction of an ulp at |r| = ln2/2 (13 for f64, 7 for f32), the series by Estrin's
//      scheme; adding the 1 last keeps the rounding of everything before it small beside it;
//   5. e^x = e^r · 2^k1 · 2^k2 with k1 = ⌊k/2⌋, k2 = k − k1, each a normal power of two built from
//      its exponent bits: e^r·2^k1 is exact, so the only rounding is the last product's, which
//      overflows to +Infinity or underflows gradually (subnormals, then 0) exactly as it should.
// So exp(−Infinity) = 0, exp(+Infinity) = +Infinity, exp(NaN) = NaN, with no special case.
// Measured against Math.exp (2M random x over the whole normal range, and the sweep in
// test/emit/wasm-kernels.test.ts): within 1 ulp wherever the result is normal, relative error at
// most 2.2e-16 in f64 (3% of results an ulp off) and 1.2e-7 in f32 against Math.fround(Math.exp(x))
// (10% an ulp off).
import type { ElementwiseKernel, Lanes } from "./elementwise.js";

interface ExpConstants {
  /** |x| beyond it gives 0 or +Infinity already; clamping keeps k1 and k2 normal exponents. */
  readonly clamp: number;
  /** 1.5·2^M: adding it rounds to an integer and leaves that integer in the low bits. */
  readonly round: number;
  /** The bits of `round`: subtracted from the sum's bits, they leave k. */
  readonly roundBits: bigint;
  readonly log2e: number;
  /** ln2 = ln2hi + ln2lo, ln2hi with enough trailing zero bits that k·ln2hi is exact. */
  readonly ln2hi: number;
  readonly ln2lo: number;
  /** 1/2!, 1/3!, …: e^r = 1 + r + r²·(c0 + r·(c1 + …)). */
  readonly taylor: readonly number[];
  /** The exponent's bias, and where the exponent field starts. */
  readonly bias: bigint;
  readonly mantissaBits: number;
}

const factorialInverses = (from: number, to: number) => {
  const out: number[] = [];
  let factorial = 1;
  for (let n = 1; n <= to; n++) {
    factorial *= n;
    if (n >= from) out.push(1 / factorial);
  }
  return out;
};

const constants: Record<Lanes["type"], ExpConstants> = {
  // k ≤ 1100·log2e ≈ 1587, so k1, k2 ≤ 794: normal exponents (≤ 1023, ≥ −1022).
  f64: {
    clamp: 1100,
    round: 6755399441055744,
    roundBits: 0x4338000000000000n,
    log2e: Math.LOG2E,
    // fdlibm's split: ln2hi has 32 significant bits, so k·ln2hi is exact for |k| < 2^21.
    ln2hi: 6.93147180369123816490e-1,
    ln2lo: 1.90821492927058770002e-10,
    // Degree 13: the first omitted term, (ln2/2)^14/14!, is 4e-18, a fortieth of an ulp of 1.
    taylor: factorialInverses(2, 13),
    bias: 1023n,
    mantissaBits: 52,
  },
  // k ≤ 150·log2e ≈ 217, so k1, k2 ≤ 109: normal exponents (≤ 127, ≥ −126). Every constant is
  // rounded to f32 here, so the text holds the value the f32 arithmetic uses.
  f32: {
    clamp: 150,
    round: 12582912,
    roundBits: 0x4b400000n,
    log2e: Math.fround(Math.LOG2E),
    // Cephes's split: ln2hi = 355/512 has 9 significant bits, so k·ln2hi (k < 2^9) is exact.
    ln2hi: 0.693359375,
    ln2lo: Math.fround(Math.LN2 - 0.693359375),
    // Degree 7: the first omitted term, (ln2/2)^8/8!, is 5e-9, a tenth of an f32 ulp of 1.
    taylor: factorialInverses(2, 7).map(Math.fround),
    bias: 127n,
    mantissaBits: 23,
  },
};

/**
 * Statements that bind temporary `into` to e^x (x an expression, read once), with temporaries
 * of their own named `exp…`.
 */
export function exp(e: Lanes, into: string, x: string): string[] {
  const c = constants[e.type];
  const n = (value: number) => e.num(value);
  const r = e.temp("expR");
  const r2 = e.temp("expR2");
  /** 2^k for an integer k (an expression) whose 2^k is normal: its exponent field alone. */
  const power = (k: string) => e.fromBits(e.shl(e.iadd(k, e.int(c.bias)), c.mantissaBits));
  const k = e.temp("expK");
  const [k1, k2] = [e.temp("expK1"), e.isub(e.temp("expN"), e.temp("expK1"))];
  const [powers, series] = estrin(e, c.taylor.map(n));
  return [
    e.let("expX", e.clamp(x, n(-c.clamp), n(c.clamp))),
    e.let("expT", e.add(e.mul(e.temp("expX"), n(c.log2e)), n(c.round))),
    // k, as a float (exact: expT and round are within a factor of 2 of each other) and as an integer.
    e.let("expK", e.sub(e.temp("expT"), n(c.round))),
    e.let("expN", e.isub(e.bits(e.temp("expT")), e.int(c.roundBits)), "int"),
    e.let("expR", e.sub(e.sub(e.temp("expX"), e.mul(k, n(c.ln2hi))), e.mul(k, n(c.ln2lo)))),
    e.let("expR2", e.mul(r, r)),
    ...powers,
    e.let("expK1", e.shr(e.temp("expN"), 1), "int"),
    e.let(into, e.mul(e.mul(e.add(n(1), e.add(r, e.mul(r2, series))), power(k1)), power(k2))),
  ];
}

/**
 * c0 + c1·r + c2·r² + … by Estrin's scheme, given expR and expR2: pairs c0 + c1·r, c2 + c3·r, …,
 * then pairs of those with r², then with r⁴, … A tree of depth log2(terms) rather than Horner's
 * chain of one multiply-add per term, whose latency bound the kernels (each exp's terms wait on
 * the last; V8 cannot overlap enough exps to hide it). The statements bind r⁴, r⁸, ….
 */
function estrin(e: Lanes, terms: readonly string[]): [string[], string] {
  const statements: string[] = [];
  // Level ℓ pairs terms with r^(2^(ℓ−1)): r, then r² (bound by the caller), then r⁴, r⁸, … bound here.
  let power = e.temp("expR");
  for (let level = 1; terms.length > 1; level++) {
    const pairs: string[] = [];
    for (let i = 0; i < terms.length; i += 2) pairs.push(i + 1 < terms.length ? e.add(terms[i]!, e.mul(terms[i + 1]!, power)) : terms[i]!);
    terms = pairs;
    const next = `expR${2 ** level}`;
    if (level > 1 && terms.length > 1) statements.push(e.let(next, e.mul(power, power)));
    power = e.temp(next);
  }
  return [statements, terms[0]!];
}

/** out[i] = e^x[i] over `count` elements: exp alone, for its tests and bench/kernels.mjs. */
export const expElements: ElementwiseKernel = {
  arrays: ["out", "x"],
  scalars: [],
  body: (e) => [...exp(e, "e", e.load("x")), e.store("out", e.temp("e"))],
};
