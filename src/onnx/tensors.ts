// Owns reading an ONNX TensorProto's values: float32 and float64 tensors (gradc's element types)
// as numbers, from float_data, double_data or raw_data (little-endian, as the format says), and
// int64 tensors as whole numbers (for `axes` given as an input). Anything else is refused with a
// reason: another element type, values kept in an external file, a size that does not add up.
import { TensorProto_DataLocation, TensorProto_DataType, type TensorProto } from "./proto/onnx_pb.js";

/** A tensor that cannot be read, and why (a sentence fragment: `it is int64`). */
export class TensorError extends Error {}

/** The element types gradc computes in, by their ONNX codes. */
export const floatTypes: ReadonlyMap<number, "f32" | "f64"> = new Map([
  [TensorProto_DataType.FLOAT, "f32"],
  [TensorProto_DataType.DOUBLE, "f64"],
]);

/** An ONNX element type as people write it: `float32`, `int64`, `type 99`. */
export function elementTypeName(code: number): string {
  const names: Readonly<Record<number, string>> = {
    [TensorProto_DataType.FLOAT]: "float32",
    [TensorProto_DataType.DOUBLE]: "float64",
    [TensorProto_DataType.FLOAT16]: "float16",
    [TensorProto_DataType.BFLOAT16]: "bfloat16",
    [TensorProto_DataType.INT8]: "int8",
    [TensorProto_DataType.INT16]: "int16",
    [TensorProto_DataType.INT32]: "int32",
    [TensorProto_DataType.INT64]: "int64",
    [TensorProto_DataType.UINT8]: "uint8",
    [TensorProto_DataType.UINT16]: "uint16",
    [TensorProto_DataType.UINT32]: "uint32",
    [TensorProto_DataType.UINT64]: "uint64",
    [TensorProto_DataType.BOOL]: "bool",
    [TensorProto_DataType.STRING]: "string",
    [TensorProto_DataType.COMPLEX64]: "complex64",
    [TensorProto_DataType.COMPLEX128]: "complex128",
  };
  return names[code] ?? (code === TensorProto_DataType.UNDEFINED ? "undefined" : `type ${code}`);
}

/** A tensor's dimensions as numbers; every one is a size (an initializer has no symbolic ones). */
export function tensorDims(t: TensorProto): number[] {
  return t.dims.map((d) => {
    if (d < 0n || d > BigInt(Number.MAX_SAFE_INTEGER)) throw new TensorError(`it has the dimension ${d}`);
    return Number(d);
  });
}

function elementCount(t: TensorProto): number {
  return tensorDims(t).reduce((a, b) => a * b, 1);
}

function refuseExternal(t: TensorProto): void {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
    const location = t.externalData.find((e) => e.key === "location")?.value;
    throw new TensorError(
      `its values are in an external file${location ? ` ("${location}")` : ""}; gradc reads only models that hold their values (save the model without external data)`,
    );
  }
  if (t.segment) throw new TensorError("it is stored in segments");
}

/** raw_data as `count` little-endian values of `size` bytes each, read by `read(view, byteOffset)`. */
function rawValues<T>(t: TensorProto, count: number, size: number, read: (view: DataView, at: number) => T): T[] {
  if (t.rawData.length !== count * size) {
    throw new TensorError(`its raw data has ${t.rawData.length} bytes, not the ${count * size} of ${count} ${elementTypeName(t.dataType)} values`);
  }
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
  return Array.from({ length: count }, (_, i) => read(view, i * size));
}

/** The values of a tensor: from raw_data when it has some, else from its typed field. */
function values<T>(t: TensorProto, size: number, read: (view: DataView, at: number) => T, field: readonly T[]): T[] {
  refuseExternal(t);
  const count = elementCount(t);
  if (t.rawData.length > 0) return rawValues(t, count, size, read);
  if (field.length !== count) throw new TensorError(`it has ${field.length} values, not the ${count} its dimensions hold`);
  return [...field];
}

/** The float32 or float64 values of a tensor, in row-major order. */
export function floatValues(t: TensorProto): Float64Array {
  const dtype = floatTypes.get(t.dataType);
  if (!dtype) {
    refuseExternal(t);
    throw new TensorError(`it is ${elementTypeName(t.dataType)}; gradc computes in float32 or float64`);
  }
  return Float64Array.from(
    dtype === "f32"
      ? values(t, 4, (v, at) => v.getFloat32(at, true), t.floatData)
      : values(t, 8, (v, at) => v.getFloat64(at, true), t.doubleData),
  );
}

/** The whole numbers of an int64 (or int32) tensor, such as the `axes` of a reduction. */
export function integerValues(t: TensorProto): number[] {
  if (t.dataType === TensorProto_DataType.INT64) return values(t, 8, (v, at) => v.getBigInt64(at, true), t.int64Data).map(Number);
  if (t.dataType === TensorProto_DataType.INT32) return values(t, 4, (v, at) => v.getInt32(at, true), t.int32Data);
  refuseExternal(t);
  throw new TensorError(`it is ${elementTypeName(t.dataType)}, not int64`);
}
