// The gradient check's defaults, apart so that the command line can show them without loading
// the check itself.
export const DEFAULT_DIM = 3;
export const DEFAULT_SAMPLES = 500;
export const DEFAULT_TOLERANCE = 1e-6;
