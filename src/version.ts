// The version gradc reports and writes into generated headers.
/** gradc's version, as `gradc --version` prints it. */
export const version = "0.1.0";
