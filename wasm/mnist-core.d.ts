// TypeScript declarations of the Embind module built from wasm/bindings.cpp (web/generated/mnist_*.mjs).
// Every object returned here must be delete()d; fallible calls return null and leave an error for
// takeError() (web/src/core.ts turns that into a thrown CoreError).

export interface EmbindObject {
  delete(): void;
}

export interface Dataset extends EmbindObject {
  size(): number;
  label(index: number): number;
  image(index: number): Uint8Array | null; // (784) copy
  pixels(): Uint8Array; // (size * 784) copy
  labels(): Uint8Array; // (size) copy
}

export interface StepResult {
  status: 'running' | 'epoch-ended' | 'finished' | 'diverged';
  batches: number;
  batchLoss: number; // mean cross-entropy of the last batch run (no weight-decay term)
  threads: number; // the threads the steps run on now: fewer than the pool's when the others' cores are busy
  heldBack: boolean; // fewer than the pool's because more were measured slower (not a run's start on one)
}

/** What the core's ThreadGovernor did in a run: steps and their seconds on one thread [0] and on more [1]
 *  (probes included), probes started, and switches of the count it settled on. */
export interface ThreadTally {
  steps: [number, number];
  seconds: [number, number];
  probes: number;
  switches: number;
  // the run's first 8 probes: when each ended (seconds of training), the count tried, its steps, the mean
  // step it was judged on against the current count's, its stalls' seconds, and whether it won
  first: Array<{ at: number; threads: number; steps: number; mean: number; current: number; stalled: number; won: boolean }>;
}

export interface EpochStats {
  epoch: number; // 1-based
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
  confusion: Uint32Array; // (10 * 10) [true * 10 + predicted]
  wrong: Uint32Array; // dataset indices predicted wrongly
  wrongPredicted: Uint8Array; // what each of them was predicted as
}

export interface Gradients {
  cost: number;
  dW1: Float32Array; // (784 * H)
  db1: Float32Array; // (H)
  dW2: Float32Array; // (H * 10)
  db2: Float32Array; // (10)
}

export interface Parameters {
  hidden: number;
  W1: Float32Array;
  b1: Float32Array;
  W2: Float32Array;
  b2: Float32Array;
}

export interface DigitImage {
  empty: boolean;
  pixels: Float32Array; // (28 * 28) in [0, 1]
}

/** The strongest hidden units (largest incoming weight norm), in index order (include/mnist/explain.hpp). */
export interface UnitPictures {
  hidden: number; // H, all the units there are
  units: Uint32Array; // (n) the units shown, n = min(H, count)
  images: Float32Array; // (n * 784) each unit's incoming weights W1[:, j] as a row-major 28x28 image
  outputs: Float32Array; // (n * 10) each unit's weights W2[j, :] to the ten outputs
  strongest: number; // the unit of largest incoming norm (-1 when H is 0)
}

/** One image explained for its predicted class c (include/mnist/explain.hpp). */
export interface Explanation {
  scores: Float32Array; // (10) logits z2
  predicted: number; // c, the largest logit
  bias: number; // b2[c]: with every unit's contribution a1[j] W2[j, c], the score z2[c]
  pro: Uint32Array; // up to k units with the largest positive contributions, largest first
  proValues: Float32Array;
  con: Uint32Array; // up to k units with the most negative contributions, most negative first
  conValues: Float32Array;
  images: Float32Array; // ((pro + con) * 784) those units' incoming weights as 28x28 images, pro first
  evidence: Float32Array; // (784) input x gradient of z2[c] with respect to the input pixels
}

export interface Model extends EmbindObject {
  hidden(): number;
  predict(images: Float32Array): Float32Array | null;
  evaluate(data: Dataset, decay: number): Evaluation | null;
  // The same in pieces: startEvaluation, then evaluateSome until it returns true, then evaluation.
  startEvaluation(data: Dataset): void;
  evaluateSome(maxImages: number): boolean | null;
  evaluation(decay: number): Evaluation;
  gradients(images: Float32Array, labels: Uint8Array, decay: number): Gradients | null;
  parameters(): Parameters;
  toBytes(): Uint8Array | null; // the model file (include/mnist/model_file.hpp)
  units(count: number): UnitPictures;
  activity(data: Dataset, first: number, count: number): Uint32Array | null; // (H) images of data[first, first + count) each unit is active on
  explain(pixels: Float32Array, k: number): Explanation | null;
}

export interface TrainerConfig {
  hidden?: number;
  epochs?: number;
  batch?: number;
  learningRate?: number;
  decay?: number;
  trainSize?: number; // 0 = all loaded images
  validationFraction?: number;
  seed?: number;
  optimizer?: string; // 'sgd' | 'momentum' | 'adam'; another gives null + takeError() 'invalid-argument'
  momentum?: number; // heavy-ball coefficient, in [0, 1) (momentum only)
  schedule?: string; // 'constant' | 'cosine' | 'onecycle'
  warmup?: number; // epochs of linear warm-up (cosine, onecycle), in [0, epochs)
  augment?: boolean; // random shifts of up to 2 pixels per image and epoch
}

/** The mix a fine-tune trains on (include/mnist/fine_tune.hpp); every field optional (the core's defaults). */
export interface FineTuneOptions {
  mnistExamples?: number; // MNIST training images drawn into the mix
  userPerBatch?: number; // the user's digits among each batch's examples, on average
  batch?: number;
  epochs?: number; // over the mix
  learningRate?: number;
  seed?: number;
}

export interface Trainer extends EmbindObject {
  step(maxBatches: number): StepResult | null; // stops early at an epoch's end or at divergence
  pinThreads(): void; // every step on all the pool's threads, the governor off (the bench's A/B)
  threadTally(): ThreadTally; // what the ThreadGovernor did so far
  epoch(): number;
  position(): number;
  epochSize(): number;
  validationSize(): number;
  finished(): boolean;
  // An epoch's end leaves its validation pass pending: validate runs up to maxImages of it, true once done
  // (the epoch's history row then has its validation figures); a step() would otherwise finish it first.
  validate(maxImages: number): boolean | null;
  validationPending(): boolean;
  history(): EpochStats[];
  model(): Model | null;
  units(count: number): UnitPictures; // the live weights, without copying the model
}

export interface BuildInfo {
  simd: boolean;
  eigenPackets: string;
  kernels: string; // 'wasmsimd' (the hand-written SIMD kernels) or 'portable'
  maxThreads: number; // 1 unless this is the threaded build
  threads: number; // what trainers use now (setThreads)
}

export interface MemoryInfo {
  heapBytes: number; // the WebAssembly memory's size (HEAP8.length); it grows, never shrinks
  mallocBytes: number; // allocated and not freed
  budgetBytes: number; // what training may still allocate (the 2 GB maximum less what is used, less a reserve)
  liveObjects: number; // Embind objects not yet deleted
}

/** Test hook: a block of heap memory held until delete(). */
export interface Reservation extends EmbindObject {
  bytes(): number;
}

export interface MnistModule {
  liveObjects(): number;
  takeError(): { code: string; message: string } | null;
  buildInfo(): BuildInfo;
  parseDataset(images: Uint8Array, labels: Uint8Array, what: string): Dataset | null;
  createTrainer(data: Dataset, config: TrainerConfig): Trainer | null;
  /** createTrainer's checks for a data set of `available` images, making nothing: false + error for a bad one. */
  checkConfig(config: TrainerConfig, available: number): boolean;
  /** A trainer over the user's digits mixed with images of `mnist`, starting from `model`'s parameters. */
  createFineTuner(model: Model, mnist: Dataset, user: Dataset, options: FineTuneOptions): Trainer | null;
  /** n images (n * 784) and n labels as a pair of IDX files (MNIST's format); null + error for bad input. */
  encodeIdx(pixels: Uint8Array, labels: Uint8Array): { images: Uint8Array; labels: Uint8Array } | null;
  maxThreads(): number; // threads a trainer may use: 1, or the threaded build's pool + 1
  setThreads(threads: number): number; // for trainers created from now on; clamped, returns the count
  preprocessDigit(ink: Float32Array, width: number, height: number): DigitImage | null;
  loadModel(bytes: Uint8Array): Model | null; // null + takeError() 'malformed-model' for a bad file
  memoryInfo(): MemoryInfo;
  reserveMemory(bytes: number): Reservation | null; // test hook; null + 'out-of-memory' when it does not fit
  abortModule(): never; // test hook: std::abort(), the module is dead afterwards
}

export interface MnistModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  onAbort?: (what: unknown) => void; // Emscripten calls it when the module aborts (or fails to load)
  printErr?: (text: string) => void;
  // Instantiates the module itself (e.g. from a module compiled while the JavaScript loaded): receives the
  // imports, hands Emscripten the instance (and the module, which the threaded build's workers share).
  instantiateWasm?: (
    imports: WebAssembly.Imports,
    receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ) => WebAssembly.Exports | Record<string, never>;
}

export type MnistModuleFactory = (options?: MnistModuleOptions) => Promise<MnistModule>;
