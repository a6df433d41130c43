// The `gradc/runtime` entry: what code that runs generated modules needs, without the compiler:
// optimizers and the training loop, seeded random numbers, tensors and name-keyed records, and
// training data parsed from text. Browser-safe: it imports nothing from Node.
export { sgd, momentum, adagrad, adam, makeOptimizer, optimizerNames, defaultLearningRates, OptimizerError } from "../train/optimizers.js";
export type { Optimizer, OptimizerName, Params, Grads } from "../train/optimizers.js";
export { train, accuracy, planTraining, TrainError } from "../train/trainer.js";
export type { TrainOptions, TrainResult, EpochStats, Accuracies } from "../train/trainer.js";
export { loadCsv, loadJson, argmax, DataError, TRAIN_FRACTION } from "../train/data.js";
export type { Examples, Split } from "../train/data.js";
export { decodeMnist } from "../train/mnist.js";
export type { MnistIndex } from "../train/mnist.js";
export { mulberry32, gaussian, shuffle } from "./random.js";
export { ownRecord, setOwn, getOwn, assignOwn } from "./records.js";
export { fromNested, toNested, filledTensor, isTensor, ValueError } from "./tensor.js";
export { parseJson, JsonError } from "./json.js";
export type { Tensor, Value } from "./tensor.js";
export type { GraphForward, GraphModule, GraphTrainer, GraphTrainerOptions, ValueMeta } from "./load.js";
export type { Dtype } from "../emit/options.js";
