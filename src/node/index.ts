// The `gradc/node` entry: the parts of gradc that need Node.js: the bundled MNIST digits, PNG
// pictures, training curves drawn headless, and the command line itself (`main`).
export { loadMnist } from "./mnist.js";
export { svgToPng } from "./png.js";
export { trainingCurves, trainingCurvesSpec } from "../draw/curves.js";
export { main } from "../cli/main.js";
export { startLanguageServer } from "./lsp.js";
export type { Io } from "../cli/io.js";
