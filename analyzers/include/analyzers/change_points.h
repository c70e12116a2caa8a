#pragma once
// Change points in a series of runs (docs/history.md, "Change points"): where a metric's level moved
// and stayed moved. An E-divisive-means style method, as Apache Otava (Hunter) uses: hierarchical
// binary segmentation on the energy (E-) statistic picks the most divergent split of a segment, and a
// Welch t-test between the two sides, with a minimum relative change, decides whether it is real.

#include <cstddef>
#include <vector>

#include "core/history.h"

namespace perfgate {

/// Parameters of the change point search; the defaults are documented in docs/history.md.
struct ChangePointOptions {
  double max_p_value = 0.001;   ///< a split counts only when the two sides' means differ at this level, (0, 1)
  double min_magnitude = 0.05;  ///< and their means differ by at least this relative change (0.05 = 5%)
  double min_absolute = 0;      ///< and by at least this much in the values' unit (error-rate floors)
  size_t min_segment = 5;       ///< runs on each side of a split, >= 2
};

/// The change points of `values` (oldest first), in index order. NaN values are skipped: they never
/// enter a segment, and indexes still refer to `values`. Fewer than 2 * min_segment finite values
/// give none. Deterministic; O(n^2) time and memory in the number of finite values.
std::vector<ChangePoint> find_change_points(const std::vector<double>& values, const ChangePointOptions& options = {});

/// The two-sided p-value of Welch's t-test between samples a and b (each >= 2 values); 1 when both
/// have zero variance and equal means, 0 when both have zero variance and different means.
double welch_t_test_p_value(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace perfgate
