// How a generated module hands values back: copies, since its buffers are reused by the next call.
import { Arr } from "./arr.js";

/** A copy of x times by: the gradients handed out for a scalar output's upstream gradient. */
export function scaledCopy(x: Arr, by: number): Arr {
  if (by === 1) return x.slice();
  const out = new Arr(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * by;
  return out;
}
