// Shorthand for building IR inside derivative rules and expansions: `d.mul(dout, y)` reads
// like the formula it stands for.
import type { Builder, Node } from "../ir/graph.js";

export function dsl(b: Builder): Dsl {
  const axisAttr = (axis?: number): Record<string, number> => (axis === undefined ? {} : { axis });
  return {
    num: (v: number) => b.constant(v),
    add: (x: Node, y: Node) => b.apply("add", [x, y]),
    sub: (x: Node, y: Node) => b.apply("sub", [x, y]),
    mul: (x: Node, y: Node) => b.apply("mul", [x, y]),
    div: (x: Node, y: Node) => b.apply("div", [x, y]),
    neg: (x: Node) => b.apply("neg", [x]),
    log: (x: Node) => b.apply("log", [x]),
    square: (x: Node) => b.apply("square", [x]),
    step: (x: Node) => b.apply("step", [x]),
    softmax: (x: Node) => b.apply("softmax", [x]),
    logSoftmax: (x: Node) => b.apply("log_softmax", [x]),
    transpose: (x: Node) => b.apply("transpose", [x]),
    matmul: (x: Node, y: Node) => b.apply("matmul", [x, y]),
    outer: (x: Node, y: Node) => b.apply("outer", [x, y]),
    sum: (x: Node, axis?: number) => b.apply("sum", [x], axisAttr(axis)),
    size: (x: Node, axis?: number) => b.apply("size", [x], axisAttr(axis)),
    /** `g` stretched to the shape of `like`; with `axis`, `g` lacks that axis of `like`. */
    broadcastTo: (g: Node, like: Node, axis?: number) => b.apply("broadcast_to", [g, like], axisAttr(axis)),
    /** `g` summed down to the shape of `like`, undoing a broadcast. */
    sumTo: (g: Node, like: Node) => b.apply("sum_to", [g, like]),
  };
}

export interface Dsl {
  num(v: number): Node;
  add(x: Node, y: Node): Node;
  sub(x: Node, y: Node): Node;
  mul(x: Node, y: Node): Node;
  div(x: Node, y: Node): Node;
  neg(x: Node): Node;
  log(x: Node): Node;
  square(x: Node): Node;
  step(x: Node): Node;
  softmax(x: Node): Node;
  logSoftmax(x: Node): Node;
  transpose(x: Node): Node;
  matmul(x: Node, y: Node): Node;
  outer(x: Node, y: Node): Node;
  sum(x: Node, axis?: number): Node;
  size(x: Node, axis?: number): Node;
  broadcastTo(g: Node, like: Node, axis?: number): Node;
  sumTo(g: Node, like: Node): Node;
}
