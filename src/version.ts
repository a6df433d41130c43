// The version gradc reports and writes into generated headers.
export const version = "0.1.0";
