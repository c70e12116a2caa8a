// The change-point detector's power and false-alarm rate on synthetic histories (bench/README.md):
// 60 runs around 100 with 5% Gaussian noise, one planted +20% step at a random run in [10, 50);
// and the same histories with no step. Prints the rates over 100 seeds (or argv[1]).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "analyzers/change_points.h"

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 100;
  int found_at_step = 0, exactly_one = 0, flat_clean = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<double> noise(0.0, 0.05);
    const size_t step_at = 10 + static_cast<size_t>(rng() % 40);
    std::vector<double> stepped, flat;
    for (size_t i = 0; i < 60; ++i) {
      stepped.push_back(100.0 * (i >= step_at ? 1.2 : 1.0) * (1 + noise(rng)));
      flat.push_back(100.0 * (1 + noise(rng)));
    }
    const auto points = perfgate::find_change_points(stepped);
    bool hit = false;
    for (const auto& p : points) hit = hit || std::abs(static_cast<long>(p.index) - static_cast<long>(step_at)) <= 1;
    found_at_step += hit ? 1 : 0;
    exactly_one += hit && points.size() == 1 ? 1 : 0;
    flat_clean += perfgate::find_change_points(flat).empty() ? 1 : 0;
  }
  const perfgate::ChangePointOptions defaults;
  std::printf("seeds: %d (60 runs, 5%% noise, defaults: p < %g, magnitude >= %g%%, %zu runs a side)\n", seeds,
              defaults.max_p_value, defaults.min_magnitude * 100, defaults.min_segment);
  std::printf("+20%% step found at its run +-1:            %d/%d (%.0f%%)\n", found_at_step, seeds,
              100.0 * found_at_step / seeds);
  std::printf("  ... and no other change point:          %d/%d (%.0f%%)\n", exactly_one, seeds,
              100.0 * exactly_one / seeds);
  std::printf("flat history with no change point:       %d/%d (%.0f%%)\n", flat_clean, seeds,
              100.0 * flat_clean / seeds);
  return 0;
}
