// The op registry: every built-in op, each declared once with everything the compiler knows
// about it (see types.ts). Adding an op means adding one entry here; nothing else switches on
// op names.
import { elementwiseOps } from "./elementwise.js";
import { linalgOps } from "./linalg.js";
import { nnOps } from "./nn.js";
import { reduceOps } from "./reduce.js";
import type { OpName } from "./names.js";
import type { OpDef } from "./types.js";

export type { OpName } from "./names.js";

export const ops: Readonly<Record<OpName, OpDef>> = {
  ...elementwiseOps,
  ...linalgOps,
  ...reduceOps,
  ...nnOps,
} satisfies Record<OpName, OpDef>;

/** Looks an op up by a name from a user's file, safely (no inherited properties). */
export function findOp(name: string): OpDef | undefined {
  return Object.prototype.hasOwnProperty.call(ops, name) ? (ops as Record<string, OpDef>)[name] : undefined;
}

export function isOpName(name: string): name is OpName {
  return findOp(name) !== undefined;
}

export function opDef(name: OpName): OpDef {
  return ops[name];
}
