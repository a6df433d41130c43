// Owns the formatter's layout language and its printer: texts, line breaks taken only when the
// group around them does not fit the width, indentation, and fill (as many items a line as fit)
// — Wadler's "prettier printer", as Prettier implements it. A text may print a source token;
// comments inside a statement are printed after the token they follow, at the end of its line,
// and every group around such a comment breaks. So a layout depends only on the tokens and on
// where the comments are, never on how the input was laid out: formatting is idempotent.
import type { IToken } from "chevrotain";
import { InternalError } from "../diagnostics.js";

export type Doc = string | Text | Line | Group | Indent | Fill | readonly Doc[];

/** A source token, printed as written (numbers keep their spelling). */
export interface Text {
  readonly kind: "text";
  readonly token: IToken;
}

/** A break: a space (`soft`: nothing) when its group fits on the line, else a new line. */
export interface Line {
  readonly kind: "line";
  readonly soft: boolean;
}

/** Contents printed flat if they fit in the rest of the line, with every line broken if not. */
export interface Group {
  readonly kind: "group";
  readonly contents: Doc;
}

/** Contents whose broken lines are indented one step further. */
export interface Indent {
  readonly kind: "indent";
  readonly contents: Doc;
}

/** Items and the breaks between them (item, break, item, …): a break is taken where the next item does not fit. */
export interface Fill {
  readonly kind: "fill";
  readonly parts: readonly Doc[];
}

export const line: Line = { kind: "line", soft: false };
export const softline: Line = { kind: "line", soft: true };
export const text = (token: IToken): Text => ({ kind: "text", token });
export const group = (...contents: Doc[]): Group => ({ kind: "group", contents });
export const indent = (...contents: Doc[]): Indent => ({ kind: "indent", contents });
export const fill = (parts: readonly Doc[]): Fill => ({ kind: "fill", parts });

/** One step of indentation. */
export const INDENT = 2;

export interface PrintOptions {
  /** The widest a line may be, when it can be broken. */
  readonly width: number;
  /** The column the document starts at; the lines it breaks start there too, plus their indentation. */
  readonly indent: number;
  /** The comments inside the document, each list after the token it follows. */
  readonly commentsAfter: ReadonlyMap<IToken, readonly string[]>;
}

/** How wide a text is on screen: wide East Asian characters take two columns, combining marks none. */
export function textWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0000-\u007f]/.test(s)) return s.length;
  let width = 0;
  for (const c of s) width += /\p{M}/u.test(c) ? 0 : WIDE.test(c) ? 2 : 1;
  return width;
}
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/** The tokens a document prints, in order. */
export function tokensOf(doc: Doc): IToken[] {
  const found: IToken[] = [];
  const stack: Doc[] = [doc];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (typeof d === "string") continue;
    if (isList(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push(d[i]!);
    } else if (d.kind === "text") found.push(d.token);
    else if (d.kind === "group" || d.kind === "indent") stack.push(d.contents);
    else if (d.kind === "fill") for (let i = d.parts.length - 1; i >= 0; i--) stack.push(d.parts[i]!);
  }
  return found;
}

function isList(d: Doc): d is readonly Doc[] {
  return Array.isArray(d);
}

/** The groups that hold a comment between two of their tokens: they always break. */
function brokenGroups(doc: Doc, commented: (t: IToken) => boolean): Set<Group> {
  const broken = new Set<Group>();
  // Each document's last token, and whether a token before it has a comment after it.
  const visit = (d: Doc): { last?: IToken; inner: boolean } => {
    if (typeof d === "string") return { inner: false };
    if (isList(d) || d.kind === "fill") {
      const items = isList(d) ? d : d.parts;
      let last: IToken | undefined;
      let inner = false;
      for (const item of items) {
        const s = visit(item);
        if (s.last) {
          if (last && commented(last)) inner = true;
          last = s.last;
        }
        inner ||= s.inner;
      }
      return { last, inner };
    }
    if (d.kind === "text") return { last: d.token, inner: false };
    if (d.kind === "line") return { inner: false };
    const s = visit(d.contents);
    if (d.kind === "group" && s.inner) broken.add(d);
    return s;
  };
  visit(doc);
  return broken;
}

type Command =
  | { readonly ind: number; readonly flat: boolean; readonly doc: Doc }
  | { readonly ind: number; readonly fill: Fill; readonly at: number };

/** Lays a document out; the first line starts at `options.indent`, which the caller has written. */
export function printDoc(doc: Doc, options: PrintOptions): string {
  const { width, commentsAfter } = options;
  const broken = brokenGroups(doc, (t) => commentsAfter.has(t));
  const out: string[] = [];
  let column = options.indent;
  /** Comments waiting for the end of the line. */
  const pending: string[] = [];
  const newline = (ind: number) => {
    out.push(`\n${" ".repeat(ind)}`);
    column = ind;
  };
  /** Ends the line: the comments that wait for its end first, each further one on a line of its own. */
  const endLine = (ind: number) => {
    pending.forEach((comment, i) => {
      if (i > 0) newline(ind);
      out.push(i === 0 ? `  ${comment}` : comment);
    });
    pending.length = 0;
    newline(ind);
  };

  /** Whether `next`, flat, and what follows it up to the next break fit in `room` columns. */
  const fits = (next: Doc, rest: readonly Command[], room: number): boolean => {
    const queue: { doc: Doc; flat: boolean }[] = [{ doc: next, flat: true }];
    let r = rest.length - 1;
    while (room >= 0) {
      const item = queue.pop();
      if (!item) {
        const c = rest[r--];
        if (!c) return true;
        if ("fill" in c) queue.push({ doc: c.fill.parts[c.at] ?? "", flat: true });
        else queue.push({ doc: c.doc, flat: c.flat });
        continue;
      }
      const { doc: d, flat } = item;
      if (typeof d === "string") room -= textWidth(d);
      else if (isList(d)) for (let i = d.length - 1; i >= 0; i--) queue.push({ doc: d[i]!, flat });
      else if (d.kind === "text") room -= textWidth(d.token.image);
      else if (d.kind === "line") {
        if (!flat) return true;
        room -= d.soft ? 0 : 1;
      } else if (d.kind === "group") queue.push({ doc: d.contents, flat: flat && !broken.has(d) });
      else if (d.kind === "indent") queue.push({ doc: d.contents, flat });
      else for (let i = d.parts.length - 1; i >= 0; i--) queue.push({ doc: d.parts[i]!, flat });
    }
    return false;
  };

  const stack: Command[] = [{ ind: options.indent, flat: false, doc }];
  while (stack.length > 0) {
    const c = stack.pop()!;
    const { ind } = c;
    if ("fill" in c) {
      // One item, then the break before the next: flat if both fit on the line.
      const { parts } = c.fill;
      const item = parts[c.at]!;
      const room = width - column;
      if (c.at + 2 < parts.length) {
        stack.push({ ind, fill: c.fill, at: c.at + 2 });
        stack.push({ ind, flat: fits([item, parts[c.at + 1]!, parts[c.at + 2]!], [], room), doc: parts[c.at + 1]! });
      }
      stack.push({ ind, flat: fits(item, [], room), doc: item });
      continue;
    }
    const { flat, doc: d } = c;
    if (typeof d === "string" || (!isList(d) && d.kind === "text")) {
      const s = typeof d === "string" ? d : d.token.image;
      // A comma or a closing bracket may come before a comment that waits for the end of the
      // line: no group opens or breaks between them, so the layout stays the same.
      if (pending.length > 0 && s !== "," && s !== ")" && s !== "]") {
        // A comment ended the line: the space that separated this text goes, and the text
        // continues the statement on the next line, at least one step in.
        if (typeof d === "string" && s.trim() === "") continue;
        endLine(Math.max(ind, options.indent + INDENT));
      }
      out.push(s);
      column += textWidth(s);
      const comments = typeof d === "string" ? undefined : commentsAfter.get(d.token);
      if (comments) pending.push(...comments);
    } else if (isList(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push({ ind, flat, doc: d[i]! });
    } else if (d.kind === "line") {
      if (flat && (pending.length === 0 || d.soft)) {
        out.push(d.soft ? "" : " ");
        column += d.soft ? 0 : 1;
      } else endLine(ind);
    } else if (d.kind === "group") {
      const asFlat = flat || (!broken.has(d) && fits(d.contents, stack, width - column));
      stack.push({ ind, flat: asFlat, doc: d.contents });
    } else if (d.kind === "indent") {
      stack.push({ ind: ind + INDENT, flat, doc: d.contents });
    } else if (flat) {
      for (let i = d.parts.length - 1; i >= 0; i--) stack.push({ ind, flat, doc: d.parts[i]! });
    } else if (d.parts.length > 0) {
      stack.push({ ind, fill: d, at: 0 });
    }
  }
  // Every comment inside a document is followed by one of its tokens, so none is left waiting.
  if (pending.length > 0) throw new InternalError("a comment after the last token of a statement reached the printer");
  return out.join("");
}
