#include "profiler/slope.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

namespace perfgate {
namespace {

double median_of(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

double order_statistic(std::vector<double>& v, size_t k) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

SlopeFit theil_sen(std::span<const double> x, std::span<const double> y, size_t max_points) {
  assert(x.size() == y.size());
  max_points = std::max<size_t>(max_points, 3);
  const size_t n_all = x.size();
  const size_t n = std::min(n_all, max_points);
  SlopeFit fit;
  if (n < 3) return fit;
  std::vector<double> xs(n);
  std::vector<double> ys(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t j = n == n_all ? i : i * (n_all - 1) / (n - 1);
    xs[i] = x[j];
    ys[i] = y[j];
  }
  std::vector<double> slopes;
  slopes.reserve(n * (n - 1) / 2);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const double dx = xs[j] - xs[i];
      if (dx != 0) slopes.push_back((ys[j] - ys[i]) / dx);
    }
  }
  if (slopes.empty()) return fit;
  fit.points = n;
  fit.slope = median_of(slopes);
  std::vector<double> residuals(n);
  for (size_t i = 0; i < n; ++i) residuals[i] = ys[i] - fit.slope * xs[i];
  fit.intercept = median_of(residuals);

  const double pairs = static_cast<double>(slopes.size());
  const double dn = static_cast<double>(n);
  const double c = 1.96 * std::sqrt(dn * (dn - 1) * (2 * dn + 5) / 18.0);
  const double lo_rank = std::max(0.0, std::floor((pairs - c) / 2.0));
  const double hi_rank = std::min(pairs - 1, std::ceil((pairs + c) / 2.0));
  const double lo = order_statistic(slopes, static_cast<size_t>(lo_rank));
  const double hi = order_statistic(slopes, static_cast<size_t>(hi_rank));
  fit.ci_half_width = (hi - lo) / 2.0;
  return fit;
}

}  // namespace perfgate
