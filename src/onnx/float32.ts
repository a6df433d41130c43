// Owns writing float32 values as decimals: the shortest one that reads back as the same float32,
// for the graph files `gradc import` writes and the first-feeds JSON of `gradc export`.

/** The shortest decimal that is the same float32 (0.1, not 0.10000000149011612); others as they are. */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let digits = 1; digits < 17; digits++) {
    const shorter = Number(v.toPrecision(digits));
    if (Math.fround(shorter) === v) return shorter;
  }
  return v;
}
