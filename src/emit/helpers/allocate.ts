// Buffers for the ts target: every tensor a graph computes is a view of one fresh ArrayBuffer,
// allocated once per batch size and reused by every call.
import { Arr } from "./arr.js";

/** Where each of `sizes` (in elements) starts when each is 16-byte aligned, and the total. */
export function alignedOffsets(sizes: readonly number[]): { offsets: number[]; total: number } {
  const align = 16 / Arr.BYTES_PER_ELEMENT;
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += Math.ceil(size / align) * align;
  }
  return { offsets, total };
}

/** Views of one fresh buffer, each 16-byte aligned, for the sizes given (in elements). */
export function allocate(sizes: readonly number[]): Arr[] {
  const { offsets, total } = alignedOffsets(sizes);
  const block = new ArrayBuffer(total * Arr.BYTES_PER_ELEMENT);
  return sizes.map((size, i) => new Arr(block, offsets[i]! * Arr.BYTES_PER_ELEMENT, size));
}

/**
 * Views for the sizes given, the first `kept` of them the same arrays at every call (a trainer's
 * params and state, which outlive a change of batch size), the others fresh.
 */
export function allocateKeeping(store: { kept?: Arr[] }, kept: number, sizes: readonly number[]): Arr[] {
  store.kept ??= allocate(sizes.slice(0, kept));
  return [...store.kept, ...allocate(sizes.slice(kept))];
}
