// Owns the limits of `gradc import`, apart from the importer so that the command line can check a
// file's size before it reads it, without loading the ONNX reader.

/** The largest model imported, in bytes: its params' JSON is about five times as large. */
export const MAX_MODEL_BYTES = 32 * 1024 * 1024;

/** The oldest version of the default ONNX opset imported: element-wise ops broadcast from 7 on. */
export const MIN_OPSET = 7;

/** Why a model of `bytes` bytes is not imported, if it is too large. */
export function modelTooLarge(bytes: number): string | undefined {
  if (bytes <= MAX_MODEL_BYTES) return undefined;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `the model is ${mb(bytes)}; gradc imports models of up to ${mb(MAX_MODEL_BYTES)}.`;
}
