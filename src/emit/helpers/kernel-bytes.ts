// Stand-in for the `kernelBytes` constant a wasm-target module declares itself (the base64 of the
// kernels for its dtype); the helpers are tested with the f64 kernels.
import { wasmKernelsBase64 } from "../../generated/wasm-kernels.js";

export const kernelBytes: string = wasmKernelsBase64.f64;
