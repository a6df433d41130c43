// Owns the names an imported graph gets: ONNX names (`/fc1/Gemm_output_0`, `onnx::Gemm_5`,
// `fc1.weight`, `batch size`) made into gradc names that read well and are valid, distinct and no
// keyword (`fc1_Gemm`, `Gemm_5`, `fc1_weight`, `batch_size`). Op names need no avoiding: values,
// ops and dimensions live in separate namespaces (docs/language.md, "Lexical rules").
import { identifierPattern, keywords } from "../../grammar/tokens.js";

/** The readable core of an ONNX name, before it is made distinct: letters, digits and `_` only. */
export function readableName(onnx: string): string {
  let name = onnx
    // PyTorch names a node's output after the node, plus this suffix; the node's name reads better.
    .replace(/_output_0$/, "")
    // PyTorch's name for values it made up, such as a Linear layer's weight given as an input.
    .replace(/^onnx::/, "")
    .replace(/[^\p{L}\p{Nd}_]+/gu, "_")
    .replace(/^_+|_+$/g, "");
  if (name === "") name = "v";
  // A name starts with a letter or `_` (`/0/Gemm`, nn.Sequential's first layer, is `_0_Gemm`).
  if (/^\p{Nd}/u.test(name)) name = `_${name}`;
  // A keyword gets a trailing underscore, as Python spells `class_` (PyTorch calls values `input`).
  if (keywords.includes(name)) name = `${name}_`;
  return name;
}

/** Hands out distinct names in one namespace: the readable name, else it with `_1`, `_2`, …. */
export class NameTable {
  private readonly taken = new Set<string>();

  /** A name not handed out before, from an ONNX name. */
  fresh(onnx: string): string {
    return this.claim(readableName(onnx));
  }

  /** `base` itself if it is free, else `base_1`, `base_2`, …; `base` must be a valid name. */
  claim(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}

/** Whether `name` reads back as one name token (a check of the rules above). */
export function isValidName(name: string): boolean {
  identifierPattern.lastIndex = 0;
  const m = identifierPattern.exec(name);
  return m !== null && m[0] === name && !keywords.includes(name);
}
