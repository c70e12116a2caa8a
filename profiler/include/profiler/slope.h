#pragma once
// Robust trend fitting for the memory-growth (leak) signal of soak runs.

#include <cstddef>
#include <span>

namespace perfgate {

/// A fitted line y = intercept + slope * x with a ~95% interval on the slope.
struct SlopeFit {
  double slope = 0;  ///< in y units per x unit
  double intercept = 0;
  double ci_half_width = 0;  ///< half-width of Sen's ~95% confidence interval on the slope
  size_t points = 0;         ///< points used after subsampling; < 3 means no fit (all zero)
};

/// Theil-Sen estimator: the median of the slopes of all point pairs (pairs with equal x skipped),
/// intercept the median of y - slope * x. Unaffected by up to ~29% outliers. The interval is Sen's
/// (1968) order-statistic interval from the Kendall-tau variance, z = 1.96. When there are more than
/// `max_points` points, an evenly spaced subsample of `max_points` (>= 3) is used, bounding the cost
/// at max_points^2 / 2 pairs. `x` and `y` must have the same length.
SlopeFit theil_sen(std::span<const double> x, std::span<const double> y, size_t max_points = 400);

}  // namespace perfgate
