// Owns the choices a generated module is made with, shared by every emitter.

/** Element type of the generated tensors. */
export type Dtype = "f64" | "f32";
/** `ts`: plain loops everywhere; `wasm`: matrix products in embedded WebAssembly SIMD. */
export type Target = "ts" | "wasm";
/** The language of the generated module: TypeScript, or plain JavaScript (with a `.d.ts` apart). */
export type Lang = "ts" | "js";
