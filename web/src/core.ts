// A thin typed face over the Embind module: turns the bindings' error values into thrown CoreErrors and
// keeps the delete() discipline in one place. Used by the worker (the only place the module runs on the
// page) and by the Node tests. Not here: scheduling or messages (worker.ts), the DOM.
import type {
  Dataset,
  DigitImage,
  Evaluation,
  Explanation,
  FineTuneOptions,
  Gradients,
  MemoryInfo,
  Model,
  MnistModule,
  MnistModuleFactory,
  MnistModuleOptions,
  Reservation,
  StepResult,
  Trainer,
  TrainerConfig,
  UnitPictures,
} from '../../wasm/mnist-core';

export type {
  Dataset,
  Model,
  Trainer,
  TrainerConfig,
  StepResult,
  Evaluation,
  DigitImage,
  Gradients,
  MemoryInfo,
  MnistModuleOptions,
  Explanation,
  FineTuneOptions,
  UnitPictures,
};

/** An error the core reported: `code` is the core's ErrorCode name ("invalid-argument", ...). */
export class CoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CoreError';
  }
}

/** True when this JavaScript engine validates a tiny module that uses a SIMD instruction (i8x16.popcnt). */
export function simdSupported(): boolean {
  const bytes = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11];
  try {
    return WebAssembly.validate(new Uint8Array(bytes));
  } catch {
    return false;
  }
}

/** Why the page runs the scalar build, for the page to say; null if it runs a SIMD build. */
export function simdUnavailable(preferSimd: boolean): string | null {
  if (!preferSimd) return 'the page was opened with ?nosimd';
  return simdSupported() ? null : 'this browser has no WebAssembly SIMD';
}

/** Why threads cannot share memory here (the threaded build needs it), for the page to say; null if they can. */
export function threadsUnavailable(): string | null {
  if (globalThis.crossOriginIsolated !== true) return 'the page is not cross-origin isolated (its server sends no COOP and COEP headers)';
  // WebKitGTK: isolated, but no SharedArrayBuffer and no shared memory posted to a worker.
  if (typeof SharedArrayBuffer === 'undefined') return 'this browser shares no memory between workers';
  return null;
}

/**
 * Loads the fastest build this engine runs: SIMD with threads when the page is cross-origin isolated,
 * SIMD alone otherwise, and the scalar build without SIMD (or when `preferSimd` is false). The threaded
 * build trains with `threads` threads if given (capped at its pool's size), else trainingThreads().
 * The WebAssembly is fetched and compiled while the build's JavaScript is imported, not after it.
 */
export async function loadCore(preferSimd = true, options: MnistModuleOptions = {}, threads?: number): Promise<Core> {
  const simd = simdUnavailable(preferSimd) === null;
  const build = simd && threadsUnavailable() === null ? 'threads' : simd ? 'simd' : 'nosimd';
  const [factory, compiled] = await Promise.all([
    build === 'threads'
      ? import('../generated/mnist_threads.mjs').then((m) => m.default as MnistModuleFactory)
      : build === 'simd'
        ? import('../generated/mnist_simd.mjs').then((m) => m.default as MnistModuleFactory)
        : import('../generated/mnist_nosimd.mjs').then((m) => m.default as MnistModuleFactory),
    compileWasm(WASM_URLS[build]),
  ]);
  const module = await factory({ ...options, instantiateWasm: instantiateCompiled(compiled) });
  module.setThreads(threads ?? trainingThreads(navigator.hardwareConcurrency));
  return new Core(module);
}

// The same files Emscripten's JavaScript would fetch (Vite emits each once, under its content hash).
const WASM_URLS = {
  threads: new URL('../generated/mnist_threads.wasm', import.meta.url),
  simd: new URL('../generated/mnist_simd.wasm', import.meta.url),
  nosimd: new URL('../generated/mnist_nosimd.wasm', import.meta.url),
};

/** Fetches and compiles a module, streaming when the server sends application/wasm. */
async function compileWasm(url: URL): Promise<WebAssembly.Module> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url.pathname.split('/').pop()}: HTTP ${response.status}`);
  if (response.headers.get('Content-Type') === 'application/wasm') return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Emscripten's instantiateWasm hook over a module compiled already: instantiated at once (a compiled module
 *  needs no compiling there, so no size limit applies), as the threaded build's own workers do it. */
function instantiateCompiled(compiled: WebAssembly.Module): MnistModuleOptions['instantiateWasm'] {
  return (imports, receiveInstance) => {
    const instance = new WebAssembly.Instance(compiled, imports);
    receiveInstance(instance, compiled);
    return instance.exports;
  };
}

/**
 * Threads to train with on `cores` logical cores: all of them (the module caps it at its pool's size).
 * The step's threads meet several times per batch, so a thread that loses its core stalls the others; the
 * page's own work while training is small, so on 2 cores two threads win (docs/performance.md). When
 * another program holds a core, the core's ThreadGovernor (include/mnist/thread_governor.hpp) trains on
 * fewer threads by itself; step() says how many.
 */
export function trainingThreads(cores: number | undefined): number {
  return Math.max(1, cores || 1);
}

export class Core {
  constructor(readonly module: MnistModule) {}

  get build() {
    return this.module.buildInfo();
  }

  /** Embind objects created and not yet deleted. */
  liveObjects(): number {
    return this.module.liveObjects();
  }

  /** Throws the error the last fallible call left, if any; otherwise returns its value. */
  private check<T>(value: T | null): T {
    const error = this.module.takeError();
    if (error) throw new CoreError(error.code, error.message);
    if (value === null) throw new CoreError('internal', 'the WebAssembly core returned nothing');
    return value;
  }

  /** Parses IDX image and label files; the caller owns (deletes) the dataset. */
  parseDataset(images: Uint8Array, labels: Uint8Array, what: string): Dataset {
    return this.check(this.module.parseDataset(images, labels, what));
  }

  /** Validates the config (throws CoreError "invalid-argument") and allocates a trainer. */
  createTrainer(data: Dataset, config: TrainerConfig): Trainer {
    return this.check(this.module.createTrainer(data, config));
  }

  /** Throws the CoreError createTrainer would throw for `config` on `available` images; makes nothing. */
  checkConfig(config: TrainerConfig, available: number): void {
    this.check(this.module.checkConfig(config, available));
  }

  /** A trainer that fine-tunes `model` on the user's digits mixed with `mnist` images (fine_tune.hpp). */
  createFineTuner(model: Model, mnist: Dataset, user: Dataset, options: FineTuneOptions): Trainer {
    return this.check(this.module.createFineTuner(model, mnist, user, options));
  }

  /** Images (n * 784 bytes) and labels (n digits) as a pair of IDX files, MNIST's format. */
  encodeIdx(pixels: Uint8Array, labels: Uint8Array): { images: Uint8Array; labels: Uint8Array } {
    return this.check(this.module.encodeIdx(pixels, labels));
  }

  /** Runs up to maxBatches batches; stops early at an epoch's end and at divergence (status 'diverged':
   *  a NaN, infinite or exploded loss, which the core catches before applying that batch's update). */
  step(trainer: Trainer, maxBatches: number): StepResult {
    return this.check(trainer.step(maxBatches));
  }

  /** A copy of the trainer's current parameters; the caller deletes it. */
  model(trainer: Trainer): Model {
    return this.check(trainer.model());
  }

  predict(model: Model, images: Float32Array): Float32Array {
    return this.check(model.predict(images));
  }

  evaluate(model: Model, data: Dataset, decay = 0): Evaluation {
    return this.check(model.evaluate(data, decay));
  }

  /** An evaluation of `model` on all of `data` in pieces: start, then evaluateSome until it returns true. */
  startEvaluation(model: Model, data: Dataset): void {
    model.startEvaluation(data);
  }

  evaluateSome(model: Model, maxImages: number): boolean {
    return this.check(model.evaluateSome(maxImages));
  }

  evaluation(model: Model, decay = 0): Evaluation {
    return model.evaluation(decay);
  }

  /** Runs up to maxImages of the validation pass an epoch's end left; true once it is done. */
  validate(trainer: Trainer, maxImages: number): boolean {
    return this.check(trainer.validate(maxImages));
  }

  gradients(model: Model, images: Float32Array, labels: Uint8Array, decay: number): Gradients {
    return this.check(model.gradients(images, labels, decay));
  }

  /** The `count` hidden units of largest incoming norm: their pictures and output weights. */
  units(source: Model | Trainer, count: number): UnitPictures {
    return source.units(count);
  }

  /** On how many of images [first, first + count) of `data` each hidden unit is active (all: 0 marks a dead unit). */
  activity(model: Model, data: Dataset, first = 0, count = data.size()): Uint32Array {
    return this.check(model.activity(data, first, count));
  }

  /** Why the model predicts what it does for one image (784 pixels in [0, 1]): the k units for and against. */
  explain(model: Model, pixels: Float32Array, k: number): Explanation {
    return this.check(model.explain(pixels, k));
  }

  /** A model from a model file's bytes; throws CoreError 'malformed-model' naming what is wrong. */
  loadModel(bytes: Uint8Array): Model {
    return this.check(this.module.loadModel(bytes));
  }

  /** The model file of a model (magic, version, shape, weights, CRC-32). */
  modelBytes(model: Model): Uint8Array {
    return this.check(model.toBytes());
  }

  memory(): MemoryInfo {
    return this.module.memoryInfo();
  }

  /** Test hook: holds `bytes` of heap until the reservation is deleted. */
  reserve(bytes: number): Reservation {
    return this.check(this.module.reserveMemory(bytes));
  }

  /** MNIST-style crop, fit and centring of a drawing (ink in [0, 1], row-major). */
  preprocess(ink: Float32Array, width: number, height: number): DigitImage {
    return this.check(this.module.preprocessDigit(ink, width, height));
  }
}

/** Deletes Embind objects, ignoring nulls. */
export function release(...objects: Array<{ delete(): void } | null | undefined>): void {
  for (const o of objects) o?.delete();
}
