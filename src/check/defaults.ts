// The gradient check's defaults, apart so that the command line can show them without loading
// the check itself.
/** The size a symbolic dimension (`N`) gets when the check is not given one. */
export const DEFAULT_DIM = 3;
/** At most this many elements of each gradient are checked by default. */
export const DEFAULT_SAMPLES = 500;
/** The relative error a gradient may have by default. */
export const DEFAULT_TOLERANCE = 1e-6;
