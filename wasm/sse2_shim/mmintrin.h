/* Empty on purpose: Eigen's SSE path includes <mmintrin.h> (MMX), which Emscripten does not ship and
   which Eigen never uses; with this directory first on the include path, clang's x86 header is not reached. */
#pragma once
