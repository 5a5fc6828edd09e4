// The Emscripten factories in web/generated/ (built by scripts/build-wasm.sh, gitignored).
declare module '*/generated/mnist_simd.mjs' {
  const factory: import('../../wasm/mnist-core').MnistModuleFactory;
  export default factory;
}
declare module '*/generated/mnist_nosimd.mjs' {
  const factory: import('../../wasm/mnist-core').MnistModuleFactory;
  export default factory;
}
declare module '*/generated/mnist_threads.mjs' {
  const factory: import('../../wasm/mnist-core').MnistModuleFactory;
  export default factory;
}
