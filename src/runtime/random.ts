// Owns seeded randomness outside generated modules (gradient checks, shuffling): mulberry32,
// the very generator generated modules carry for init() (src/emit/helpers/random.ts).

/** mulberry32: uniform numbers in [0, 1) from a 32-bit seed. */
export { rng as mulberry32 } from "../emit/helpers/random.js";

/** A standard normal sample by Box–Muller. */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Shuffles in place (Fisher–Yates). */
export function shuffle<T extends { length: number; [i: number]: number }>(items: T, random: () => number): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
