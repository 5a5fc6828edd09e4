// Writes the per-epoch history as CSV and as an SVG like the reference report's Figure 1: loss per epoch
// and accuracy per epoch, train against validation.
#pragma once

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "mnist/trainer.hpp"

namespace cli {

inline std::string history_csv(const std::vector<mnist::EpochStats>& h) {
  std::ostringstream s;
  s << "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy\n";
  for (const auto& e : h)
    s << e.epoch << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.validation_loss << ','
      << e.validation_accuracy << '\n';
  return s.str();
}

// One panel: two polylines (train, validation) over epochs 1..n, with the y range fitted to the data.
inline void svg_panel(std::ostringstream& s, double x0, const std::string& title, const std::vector<double>& train,
                      const std::vector<double>& val) {
  const double w = 420, h = 300, left = 60, top = 40, pw = w - 90, ph = h - 100;
  double lo = 1e300, hi = -1e300;
  for (double v : train) lo = std::min(lo, v), hi = std::max(hi, v);
  for (double v : val) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi - lo < 1e-9) hi = lo + 1;
  const double pad = (hi - lo) * 0.08;
  lo -= pad, hi += pad;
  const size_t n = train.size();
  auto X = [&](size_t i) { return x0 + left + (n <= 1 ? pw / 2 : pw * double(i) / double(n - 1)); };
  auto Y = [&](double v) { return top + ph * (1 - (v - lo) / (hi - lo)); };
  s << "<text x='" << x0 + left + pw / 2 << "' y='24' text-anchor='middle' font-size='16'>" << title << "</text>\n";
  s << "<rect x='" << x0 + left << "' y='" << top << "' width='" << pw << "' height='" << ph
    << "' fill='none' stroke='#999'/>\n";
  for (int t = 0; t <= 4; ++t) {
    const double v = lo + (hi - lo) * t / 4;
    char label[32];
    std::snprintf(label, sizeof label, "%.4g", v);
    s << "<text x='" << x0 + left - 6 << "' y='" << Y(v) + 4 << "' text-anchor='end' font-size='11'>" << label
      << "</text>\n";
  }
  for (size_t i = 0; i < n; ++i)
    s << "<text x='" << X(i) << "' y='" << top + ph + 16 << "' text-anchor='middle' font-size='11'>" << i + 1
      << "</text>\n";
  s << "<text x='" << x0 + left + pw / 2 << "' y='" << top + ph + 36
    << "' text-anchor='middle' font-size='12'>epoch</text>\n";
  auto line = [&](const std::vector<double>& v, const char* colour) {
    s << "<polyline fill='none' stroke='" << colour << "' stroke-width='2' points='";
    for (size_t i = 0; i < v.size(); ++i) s << X(i) << ',' << Y(v[i]) << ' ';
    s << "'/>\n";
  };
  line(train, "#1f77b4");
  line(val, "#ff7f0e");
  s << "<text x='" << x0 + left + 8 << "' y='" << top + ph + 56 << "' font-size='12' fill='#1f77b4'>train</text>"
    << "<text x='" << x0 + left + 60 << "' y='" << top + ph + 56
    << "' font-size='12' fill='#ff7f0e'>validation</text>\n";
}

inline std::string history_svg(const std::vector<mnist::EpochStats>& h) {
  std::vector<double> tl, vl, ta, va;
  for (const auto& e : h) {
    tl.push_back(e.train_loss), vl.push_back(e.validation_loss);
    ta.push_back(e.train_accuracy), va.push_back(e.validation_accuracy);
  }
  std::ostringstream s;
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='840' height='300' font-family='sans-serif'>\n"
    << "<rect width='100%' height='100%' fill='white'/>\n";
  svg_panel(s, 0, "Loss per epoch", tl, vl);
  svg_panel(s, 420, "Accuracy per epoch", ta, va);
  s << "</svg>\n";
  return s.str();
}

}  // namespace cli
