# The WebAssembly module (included by the top-level CMakeLists.txt under emcmake only): the Embind
# bindings over the header-only core, as an ES6 module factory for the page's worker.
#   MNIST_WASM_SIMD=ON   -msimd128 (+ Eigen's SSE2 path through Emscripten's SSE-to-SIMD128 headers)
#   MNIST_WASM_SIMD=OFF  scalar WebAssembly MVP, for browsers without SIMD (chosen at run time)
#   MNIST_WASM_THREADS=ON  with SIMD, Emscripten pthreads: the trainer splits each step across a pool of
#                          up to 4 threads; loaded only when the page is cross-origin isolated
# Flags are per target; scripts/build-wasm.sh configures one build directory for each variant.
option(MNIST_WASM_SIMD "Build the module with WebAssembly SIMD (-msimd128)" ON)
option(MNIST_WASM_EIGEN_SSE2 "With SIMD, run Eigen's SSE2 kernels on WebAssembly SIMD" ON)
option(MNIST_WASM_THREADS "Build the threaded module (pthreads, SharedArrayBuffer)" OFF)
set(MNIST_WASM_MAX_THREADS 4)

if(MNIST_WASM_THREADS)
  set(MNIST_WASM_NAME mnist_threads)
elseif(MNIST_WASM_SIMD)
  set(MNIST_WASM_NAME mnist_simd)
else()
  set(MNIST_WASM_NAME mnist_nosimd)
endif()

add_executable(mnist_wasm ${CMAKE_CURRENT_LIST_DIR}/bindings.cpp)
target_link_libraries(mnist_wasm PRIVATE mnist_core mnist_warnings)
set_target_properties(mnist_wasm PROPERTIES OUTPUT_NAME ${MNIST_WASM_NAME} SUFFIX ".mjs")

# -fexceptions at compile and link: the bindings catch mnist::Error and hand JavaScript its message.
target_compile_options(mnist_wasm PRIVATE -O3 -fexceptions)
target_link_options(mnist_wasm PRIVATE
  -O3 -fexceptions --bind
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createMnistModule
  -sENVIRONMENT=web,worker -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=33554432
  -sFILESYSTEM=0)

if(MNIST_WASM_SIMD)
  target_compile_options(mnist_wasm PRIVATE -msimd128)
  target_link_options(mnist_wasm PRIVATE -msimd128)
  if(MNIST_WASM_EIGEN_SSE2)
    # Eigen 3.4 has no WebAssembly packet path; its SSE2 one compiles to SIMD128 with two workarounds
    # (TOOLCHAIN.md): an empty <mmintrin.h>, and a prelude that turns off Eigen's x86 inline-asm paths.
    target_compile_options(mnist_wasm PRIVATE -msse2
      -include ${CMAKE_CURRENT_LIST_DIR}/eigen_wasm_sse2.hpp)
    target_include_directories(mnist_wasm BEFORE PRIVATE ${CMAKE_CURRENT_LIST_DIR}/sse2_shim)
  endif()
endif()

if(MNIST_WASM_THREADS)
  # No preloaded pool of workers: a thread's worker is created and loaded when the thread is (setThreads, once,
  # when the module loads), so the module is ready without waiting for any, and a machine with 2 cores loads
  # one worker, not MAX_THREADS - 1 (they compete with the page's first load for the cores). A thread whose
  # worker has not loaded yet costs a call nothing: the pool's caller runs every part no thread started.
  target_compile_options(mnist_wasm PRIVATE -pthread)
  target_compile_definitions(mnist_wasm PRIVATE MNIST_MAX_THREADS=${MNIST_WASM_MAX_THREADS})
  # Growing shared memory makes JavaScript's heap views slower; the page only touches them to copy arrays.
  target_link_options(mnist_wasm PRIVATE -pthread -sUSE_PTHREADS=1
    -Wno-pthreads-mem-growth)
endif()
