// Owns the names in generated code: every identifier comes from here, so user names are kept
// where they are safe and changed (`class` → `class_1`) where they would clash with a reserved
// word, a runtime helper, a loop counter or another name.
import { helperNames } from "./runtime.js";

const reservedWords = [
  // ECMAScript reserved words, strict-mode and TypeScript-reserved identifiers.
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
  "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
  "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try",
  "typeof", "var", "void", "while", "with", "yield", "let", "static", "implements", "interface",
  "package", "private", "protected", "public", "await", "async", "of", "arguments", "eval",
  "undefined", "NaN", "Infinity", "globalThis", "as", "any", "boolean", "constructor", "declare",
  "get", "module", "require", "number", "set", "string", "symbol", "type", "from", "object",
  "never", "unknown", "keyof", "readonly", "infer", "is", "asserts", "namespace", "abstract",
  "satisfies", "accessor", "out", "override", "bigint", "unique", "global",
];

/** The names a generated module declares besides its helpers, and the globals it uses. */
const moduleNames = [
  "Arr", "Tensor", "Inputs", "Params", "Outputs", "Grads", "Saved", "Forward", "Defaults", "Buffers",
  "meta", "defaults", "init", "forward", "backward", "inputs", "params", "fwd", "upstream", "saved",
  "dims", "random", "buffers", "buffersKey", "buffersFor", "generation", "buf", "key", "kernelBytes",
  "i", ...Array.from({ length: 10 }, (_, i) => `i${i}`),
  "Math", "Object", "Array", "Number", "JSON", "String", "Error", "Map", "Float64Array", "Float32Array",
  "ArrayBuffer", "Uint8Array", "WebAssembly",
  // createTrainer and what it declares.
  "Trainer", "TrainerOptions", "TrainerBuffers", "createTrainer", "options", "rule", "own", "kern", "slot1",
  "slot2", "layout", "held", "heldKey", "steps", "store", "step",
];

/** Allocates distinct, safe identifiers. */
export class Namer {
  private readonly used = new Set<string>([...reservedWords, ...helperNames, ...moduleNames]);

  /** A fresh identifier close to `preferred` (a user's name). Claim these before temporaries. */
  claim(preferred: string): string {
    let base = preferred.replace(/[^\p{ID_Continue}]/gu, "_");
    if (!/^[\p{ID_Start}_]/u.test(base)) base = `_${base}`;
    // i, i0, i1, … are the emitted loops' counters.
    if (!this.used.has(base) && !/^i\d*$/.test(base)) {
      this.used.add(base);
      return base;
    }
    return this.numbered(`${base}_`);
  }

  /** A fresh temporary: t1, t2, … skipping names already taken. */
  temporary(): string {
    return this.numbered("t");
  }

  private numbered(base: string): string {
    for (let i = 1; ; i++) {
      const name = `${base}${i}`;
      if (!this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
  }
}

/** A property key as written in an object literal or interface. */
export function propertyKey(name: string): string {
  if (name === "__proto__") return `["__proto__"]`;
  return /^[\p{ID_Start}_$][\p{ID_Continue}$]*$/u.test(name) ? name : JSON.stringify(name);
}

/** A number as a TypeScript expression that evaluates to exactly it. */
export function numberLiteral(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "(-Infinity)";
  if (Object.is(v, -0)) return "(-0)";
  return v < 0 ? `(${String(v)})` : String(v);
}
