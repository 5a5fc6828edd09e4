// <Eigen/Core> as the core uses it: every Eigen allocation (the parameters, AlignedVector) starts on a
// 64-byte cache line. Threads split W1 and the hidden-layer buffers by columns on 16-float (64-byte)
// boundaries, so with aligned rows no cache line is written by two threads (a shared line per row of W1
// made the threaded W1 update pay a cache-line transfer per row). Core headers include this instead of
// <Eigen/Core>, so every translation unit agrees on the alignment.
#pragma once

#ifdef EIGEN_CORE_H
#error "include the mnist headers before <Eigen/Core>: they set its alignment (mnist/eigen_core.hpp)"
#endif
#define EIGEN_MAX_ALIGN_BYTES 64
// GCC 12.2's AVX-512 headers (pulled in by Eigen with -march=native) initialise _mm512_undefined_ps() and
// kin with `__m512 __Y = __Y;`, which GCC then reports as (maybe) uninitialised wherever Eigen's packet code
// is inlined into ours, system header or not: a false positive (GCC bug 105593, fixed in 12.3). The pragma
// only covers locations inside the headers included here; the project's own code keeps both warnings.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
