// Owns where the command line's output goes: standard output and error, or a caller's buffers.
/** Where `main` writes (and reads standard input from): the process's streams, or a caller's. */
export interface Io {
  out(text: string): void;
  /** Writes bytes to standard output (`gradc export -o -`); without it, bytes cannot go there. */
  readonly outBytes?: (bytes: Uint8Array) => void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars draw only there). */
  readonly interactive?: boolean;
  /** Standard input, read whole, for the file name `-`. */
  readonly stdin?: () => string;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  outBytes: (bytes) => process.stdout.write(bytes),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
};
