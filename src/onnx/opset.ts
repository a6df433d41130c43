// Owns which ONNX versions the export writes: the opsets it supports and the IR version each
// needs, from the table of released versions in ONNX's docs/Versioning.md.

/**
 * The opset the export writes unless asked otherwise: ONNX 1.16's, IR version 10, which ONNX
 * Runtime loads from 1.20 on (onnxruntime-web too) and PyTorch's exporter writes today.
 */
export const DEFAULT_OPSET = 21;

/**
 * Each supported opset of the default domain and the IR version of the ONNX release that
 * introduced it. From 18 on every Reduce op takes its axes as an input, the one form the export
 * writes; 26 is the newest opset ONNX Runtime 1.30 loads.
 */
export const opsetIrVersions: Readonly<Record<number, number>> = {
  18: 8,
  19: 9,
  20: 9,
  21: 10,
  22: 10,
  23: 11,
  24: 12,
  25: 13,
  26: 13,
};

/** The oldest opset the export writes: the first whose Reduce ops all take their axes as an input. */
export const MIN_OPSET = 18;
/** The newest opset the export writes: the newest ONNX Runtime 1.30 loads. */
export const MAX_OPSET = 26;

/** The IR version a model of this opset declares; throws RangeError outside the supported range. */
export function irVersionFor(opset: number): number {
  const ir = Number.isInteger(opset) ? opsetIrVersions[opset] : undefined;
  if (ir === undefined) throw new RangeError(`opset must be a whole number from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  return ir;
}
