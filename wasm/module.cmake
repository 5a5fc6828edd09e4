# The WebAssembly module (included by the top-level CMakeLists.txt under emcmake only): the Embind
# bindings over the header-only core, as an ES6 module factory for the page's worker.
#   MNIST_WASM_SIMD=ON   -msimd128 (+ Eigen's SSE2 path through Emscripten's SSE-to-SIMD128 headers)
#   MNIST_WASM_SIMD=OFF  scalar WebAssembly MVP, for browsers without SIMD (chosen at run time)
# Flags are per target; scripts/build-wasm.sh configures one build directory for each variant.
option(MNIST_WASM_SIMD "Build the module with WebAssembly SIMD (-msimd128)" ON)
option(MNIST_WASM_EIGEN_SSE2 "With SIMD, run Eigen's SSE2 kernels on WebAssembly SIMD" ON)

if(MNIST_WASM_SIMD)
  set(MNIST_WASM_NAME mnist_simd)
else()
  set(MNIST_WASM_NAME mnist_nosimd)
endif()

add_executable(mnist_wasm ${CMAKE_CURRENT_LIST_DIR}/bindings.cpp)
target_link_libraries(mnist_wasm PRIVATE mnist_core)
set_target_properties(mnist_wasm PROPERTIES OUTPUT_NAME ${MNIST_WASM_NAME} SUFFIX ".mjs")

# -fexceptions at compile and link: the bindings catch mnist::Error and hand JavaScript its message.
target_compile_options(mnist_wasm PRIVATE -O3 -fexceptions -Wall -Wextra)
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
