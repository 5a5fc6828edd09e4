// Gradient checking as a reusable helper (after tiny-dnn's gradient_check.h): central differences of a
// scalar function over every entry of a parameter, compared with the analytic gradient by relative error.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

namespace testgrad {

struct Mismatch {
  double worst_relative_error = 0;
  long worst_index = -1;
  double analytic = 0, numeric = 0;
};

// Relative error |a - n| / max(|a| + |n|, 1e-4): the floor keeps rounding noise on near-zero entries from
// counting, while a wrong sign or factor of 2 on any sizeable entry still gives 1 or 1/3.
// `values` points at `count` parameters that `f` reads; `analytic` holds df/dvalues.
inline Mismatch check(double* values, const double* analytic, long count, const std::function<double()>& f,
                      double h = 1e-5) {
  Mismatch m;
  for (long i = 0; i < count; ++i) {
    const double saved = values[i];
    values[i] = saved + h;
    const double up = f();
    values[i] = saved - h;
    const double down = f();
    values[i] = saved;
    const double numeric = (up - down) / (2 * h);
    const double rel = std::abs(numeric - analytic[i]) / std::max(1e-4, std::abs(numeric) + std::abs(analytic[i]));
    if (rel > m.worst_relative_error) m = {rel, i, analytic[i], numeric};
  }
  return m;
}

}  // namespace testgrad
