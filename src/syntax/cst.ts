// Owns reading Chevrotain's concrete syntax tree: a node's children by rule or token name, and
// the tokens at its edges. The AST builder and the formatter both read the tree through these.
import type { CstNode, IToken } from "chevrotain";

type Children = Record<string, (CstNode | IToken)[] | undefined>;

export function kids(node: CstNode): Children {
  return node.children as Children;
}

/** The tokens of one kind directly under a node, in source order. */
export function tokens(node: CstNode, name: string): IToken[] {
  return (kids(node)[name] ?? []) as IToken[];
}

/** The nodes of one rule directly under a node, in source order. */
export function nodes(node: CstNode, name: string): CstNode[] {
  return (kids(node)[name] ?? []) as CstNode[];
}

/** The first item, which the grammar guarantees; its absence is a broken parse tree. */
export function one<T>(items: T[], what: string): T {
  const item = items[0];
  if (item === undefined) throw new Error(`parse tree has no ${what}`);
  return item;
}

/**
 * The first or last token below a node, without collecting them all (literals can be huge):
 * the children are listed by name, so the edge is the first (last) item of one of the lists.
 * Only that item of each list is followed, so the walk takes as many steps as the tree is deep.
 */
export function edgeToken(node: CstNode, last: boolean): IToken | undefined {
  let best: IToken | undefined;
  for (const list of Object.values(node.children) as (CstNode | IToken)[][]) {
    const item = last ? list[list.length - 1] : list[0];
    if (!item) continue;
    const t = "children" in item ? edgeToken(item, last) : item;
    if (t && (!best || (last ? t.startOffset > best.startOffset : t.startOffset < best.startOffset))) best = t;
  }
  return best;
}
