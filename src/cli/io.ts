// Owns where the command line's output goes: standard output and error, or a caller's buffers.
/** Where `main` writes (and reads standard input from): the process's streams, or a caller's. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars draw only there). */
  readonly interactive?: boolean;
  /** Standard input, read whole, for the file name `-`. */
  readonly stdin?: () => string;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
};
