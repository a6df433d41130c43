// Stand-ins for what every generated module declares itself: `Arr`, the element array type it
// binds to Float64Array (or Float32Array for f32), and `Tensor`. The helpers are written and
// tested against these; the build leaves this file out of the text it embeds.
export type Arr = Float64Array;
export const Arr: Float64ArrayConstructor = Float64Array;

/** A tensor: its shape and its elements in row-major order. */
export interface Tensor {
  shape: number[];
  data: Arr;
}
