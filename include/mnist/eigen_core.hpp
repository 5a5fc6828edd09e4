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
#include <Eigen/Core>
