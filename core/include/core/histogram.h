#pragma once
// A High Dynamic Range histogram: fixed memory, constant-time record, exact merge, bounded relative
// error. The bucket layout is HdrHistogram's, so serialised histograms open in HdrHistogram tools.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace perfgate {

/// Configuration of a Histogram. Values are integers in the caller's unit (perfgate uses microseconds).
struct HistogramConfig {
  /// Smallest value distinguishable from 0; >= 1.
  int64_t lowest_discernible_value = 1;
  /// Largest value tracked exactly (to the precision below); >= 2 * lowest. Default: 1 h in us.
  int64_t highest_trackable_value = 3'600'000'000;
  /// Decimal digits of precision kept for every value, 1..5. 3 means relative error <= 0.1%.
  int significant_figures = 3;

  friend bool operator==(const HistogramConfig&, const HistogramConfig&) = default;
};

/// One point of a percentile distribution: `value` is the highest value at `percentile`.
struct PercentilePoint {
  double percentile = 0;  ///< 0..100
  int64_t value = 0;      ///< in the histogram's unit
  int64_t count_at_or_below = 0;
};

/// One non-empty bucket: every value in [lowest, highest] counted `count` times.
struct HistogramBucket {
  int64_t lowest = 0;
  int64_t highest = 0;
  int64_t count = 0;
};

/// Fixed-memory histogram of non-negative integer values with bounded relative error.
/// Memory is fixed at construction: 8 bytes per counter, (buckets + 1) * 2^(ceil(log2(2 * 10^digits)) - 1)
/// counters; the default config (1 us .. 1 h, 3 digits) holds 23,552 counters, 184 KiB.
/// Not thread-safe: one writer at a time;
/// workers own their own histograms and merge them after the run (STYLE.md, measurement rule 3).
class Histogram {
 public:
  /// Creates an empty histogram; an invalid config is a bug (use `validate` on user input first).
  explicit Histogram(HistogramConfig config = {});

  /// Checks a config: lowest >= 1, highest >= 2 * lowest, 1 <= significant_figures <= 5.
  static Status validate(const HistogramConfig& config);

  /// Records `value` `count` times. Negative values are not recorded and are counted in
  /// `underflow_count`; values above the highest trackable value are recorded as that value (so
  /// percentiles saturate rather than lie) and counted in `overflow_count`; `max` keeps the true value.
  void record(int64_t value, int64_t count = 1);

  /// Records `value` and, if it exceeds `expected_interval`, the samples a closed-loop client missed
  /// while waiting (value - interval, value - 2*interval, ... > interval), as wrk2/HdrHistogram do.
  /// Use only when latency was not already measured from the due time. `expected_interval` <= 0
  /// records `value` alone.
  void record_corrected(int64_t value, int64_t expected_interval);

  /// Adds every count of `other`. Exact when the configs are equal; otherwise each of other's
  /// buckets is re-recorded at its median value (within both histograms' precision).
  void merge(const Histogram& other);

  /// Forgets every recorded value; keeps the config and memory.
  void reset();

  /// The value at `percentile` (0..100, clamped): the highest value equivalent to the recorded value
  /// below which `percentile`% of the counts fall. 0 for an empty histogram.
  [[nodiscard]] int64_t value_at_percentile(double percentile) const;

  [[nodiscard]] int64_t total_count() const { return total_count_; }
  /// Smallest recorded value (exact), 0 when empty.
  [[nodiscard]] int64_t min() const;
  /// Largest recorded value (exact, even when above the trackable range), 0 when empty.
  [[nodiscard]] int64_t max() const;
  /// Mean from bucket medians (within precision); 0 when empty.
  [[nodiscard]] double mean() const;
  /// Standard deviation from bucket medians; 0 when empty.
  [[nodiscard]] double stddev() const;
  /// Values above the trackable range seen (recorded saturated).
  [[nodiscard]] int64_t overflow_count() const { return overflow_count_; }
  /// Negative values seen (not recorded).
  [[nodiscard]] int64_t underflow_count() const { return underflow_count_; }
  [[nodiscard]] bool empty() const { return total_count_ == 0; }
  [[nodiscard]] const HistogramConfig& config() const { return config_; }

  /// The percentile distribution for plots, HdrHistogram-style: `ticks_per_half_distance` points
  /// per halving of the distance to 100% (so tails get detail), ending at 100%.
  [[nodiscard]] std::vector<PercentilePoint> percentile_distribution(int ticks_per_half_distance = 5) const;

  /// Calls `visit` for every non-empty bucket in increasing value order.
  void for_each_bucket(const std::function<void(const HistogramBucket&)>& visit) const;

  /// Two values are equivalent when they share a bucket; these give the bucket bounds of `value`.
  [[nodiscard]] int64_t lowest_equivalent_value(int64_t value) const;
  [[nodiscard]] int64_t highest_equivalent_value(int64_t value) const;
  [[nodiscard]] int64_t median_equivalent_value(int64_t value) const;

  /// Size of the counts array (for memory accounting and the codec).
  [[nodiscard]] size_t counts_length() const { return counts_.size(); }
  /// Raw count at a counts index, and the value that index stands for (codec use).
  [[nodiscard]] int64_t count_at_index(size_t index) const { return counts_[index]; }
  [[nodiscard]] int64_t value_at_index(size_t index) const;
  /// Adds `count` at a counts index (codec use); keeps totals, min and max consistent.
  void add_at_index(size_t index, int64_t count);

  /// HdrHistogram V2 compressed encoding, base64 ("HISTFAAA..."), for storage in results.
  [[nodiscard]] std::string to_base64() const;
  /// Decodes `to_base64` output (or any HdrHistogram V2 compressed histogram). Errors are kInvalidInput.
  static Result<Histogram> from_base64(std::string_view text);

 private:
  [[nodiscard]] int bucket_index(int64_t value) const;
  [[nodiscard]] int sub_bucket_index(int64_t value, int bucket) const;
  [[nodiscard]] size_t counts_index(int64_t value) const;

  HistogramConfig config_;
  int unit_magnitude_ = 0;
  int sub_bucket_half_count_magnitude_ = 0;
  int64_t sub_bucket_count_ = 0;
  int64_t sub_bucket_half_count_ = 0;
  int64_t sub_bucket_mask_ = 0;
  int bucket_count_ = 0;
  std::vector<int64_t> counts_;
  int64_t total_count_ = 0;
  int64_t min_value_ = INT64_MAX;
  int64_t max_value_ = 0;
  int64_t overflow_count_ = 0;
  int64_t underflow_count_ = 0;
};

}  // namespace perfgate
