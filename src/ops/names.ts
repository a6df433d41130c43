// The names of the built-in ops. The registry must define exactly these (`satisfies
// Record<OpName, OpDef>`), so an op left half-declared is a type error.
/** The names of the built-in ops, each described in docs/language.md. */
export const opNames = [
  "add",
  "sub",
  "mul",
  "div",
  "neg",
  "exp",
  "log",
  "sqrt",
  "square",
  "tanh",
  "sigmoid",
  "relu",
  "step",
  "matmul",
  "transpose",
  "outer",
  "affine",
  "sum",
  "mean",
  "size",
  "broadcast_to",
  "sum_to",
  "softmax",
  "log_softmax",
  "softmaxloss",
  "cross_entropy",
] as const;

export type OpName = (typeof opNames)[number];
