// Force-included into the SIMD build before any Eigen header, so Eigen 3.4's SSE2 kernels compile to
// WebAssembly SIMD through Emscripten's SSE-to-SIMD128 headers (-msse2). clang reports itself as GCC 4.2,
// which sends Eigen down inline-asm paths with x86 register constraints (pmin/pmax "GCC < 6.3" workaround);
// claiming a modern GCC turns them off. Nothing else changes: EIGEN_COMP_CLANG stays set.
#pragma once
#include <Eigen/src/Core/util/Macros.h>
#undef EIGEN_COMP_GNUC
#define EIGEN_COMP_GNUC 120
