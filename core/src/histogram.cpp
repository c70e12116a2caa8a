#include "core/histogram.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>

namespace perfgate {

Status Histogram::validate(const HistogramConfig& config) {
  if (config.lowest_discernible_value < 1) {
    return invalid_input("histogram lowest_discernible_value must be >= 1");
  }
  if (config.highest_trackable_value < 2 * config.lowest_discernible_value) {
    return invalid_input("histogram highest_trackable_value must be >= 2 * lowest_discernible_value");
  }
  if (config.significant_figures < 1 || config.significant_figures > 5) {
    return invalid_input("histogram significant_figures must be in 1..5");
  }
  return {};
}

Histogram::Histogram(HistogramConfig config) : config_(config) {
  [[maybe_unused]] const Status valid = validate(config);
  assert(valid.ok());
  const int64_t largest_single_unit_value = 2 * static_cast<int64_t>(std::pow(10, config.significant_figures));
  unit_magnitude_ = static_cast<int>(std::floor(std::log2(static_cast<double>(config.lowest_discernible_value))));
  const int sub_bucket_count_magnitude =
      static_cast<int>(std::ceil(std::log2(static_cast<double>(largest_single_unit_value))));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  sub_bucket_count_ = int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (sub_bucket_count_ - 1) << unit_magnitude_;

  // Buckets double in width; count how many are needed to cover the highest trackable value.
  int64_t smallest_untrackable = sub_bucket_count_ << unit_magnitude_;
  int buckets = 1;
  while (smallest_untrackable <= config.highest_trackable_value) {
    if (smallest_untrackable > INT64_MAX / 2) {
      ++buckets;
      break;
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  bucket_count_ = buckets;
  counts_.assign(static_cast<size_t>((bucket_count_ + 1) * sub_bucket_half_count_), 0);
}

int Histogram::bucket_index(int64_t value) const {
  // The power of two that contains the value, relative to the first bucket.
  const int pow2_ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | sub_bucket_mask_));
  return pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
}

int Histogram::sub_bucket_index(int64_t value, int bucket) const {
  return static_cast<int>(value >> (bucket + unit_magnitude_));
}

size_t Histogram::counts_index(int64_t value) const {
  const int bucket = bucket_index(value);
  const int sub_bucket = sub_bucket_index(value, bucket);
  const int64_t bucket_base = static_cast<int64_t>(bucket + 1) << sub_bucket_half_count_magnitude_;
  return static_cast<size_t>(bucket_base + (sub_bucket - sub_bucket_half_count_));
}

int64_t Histogram::value_at_index(size_t index) const {
  int bucket = static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1;
  int64_t sub_bucket =
      static_cast<int64_t>(index & static_cast<size_t>(sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << (bucket + unit_magnitude_);
}

int64_t Histogram::lowest_equivalent_value(int64_t value) const {
  const int bucket = bucket_index(value);
  return static_cast<int64_t>(sub_bucket_index(value, bucket)) << (bucket + unit_magnitude_);
}

int64_t Histogram::highest_equivalent_value(int64_t value) const {
  const int bucket = bucket_index(value);
  const int sub_bucket = sub_bucket_index(value, bucket);
  const int adjusted = sub_bucket >= sub_bucket_count_ ? bucket + 1 : bucket;
  const int64_t range = int64_t{1} << (unit_magnitude_ + adjusted);
  return lowest_equivalent_value(value) + range - 1;
}

int64_t Histogram::median_equivalent_value(int64_t value) const {
  const int64_t low = lowest_equivalent_value(value);
  return low + (highest_equivalent_value(value) - low + 1) / 2;
}

void Histogram::record(int64_t value, int64_t count) {
  if (count <= 0) return;
  if (value < 0) {
    underflow_count_ += count;
    return;
  }
  if (value > max_value_) max_value_ = value;
  if (value > config_.highest_trackable_value) {
    overflow_count_ += count;
    value = config_.highest_trackable_value;
  }
  counts_[counts_index(value)] += count;
  total_count_ += count;
  if (value < min_value_) min_value_ = value;
}

void Histogram::record_corrected(int64_t value, int64_t expected_interval) {
  record(value);
  if (expected_interval <= 0) return;
  for (int64_t missing = value - expected_interval; missing >= expected_interval; missing -= expected_interval) {
    record(missing);
  }
}

void Histogram::add_at_index(size_t index, int64_t count) {
  if (count <= 0 || index >= counts_.size()) return;
  counts_[index] += count;
  total_count_ += count;
  const int64_t low = value_at_index(index);
  min_value_ = std::min(min_value_, low);
  max_value_ = std::max(max_value_, highest_equivalent_value(low));
}

void Histogram::merge(const Histogram& other) {
  if (other.total_count_ == 0 && other.underflow_count_ == 0) return;
  if (config_ == other.config_) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_count_ += other.total_count_;
    min_value_ = std::min(min_value_, other.min_value_);
    max_value_ = std::max(max_value_, other.max_value_);
    overflow_count_ += other.overflow_count_;
  } else {
    const int64_t overflow_before = overflow_count_;
    other.for_each_bucket(
        [&](const HistogramBucket& b) { record(b.lowest + (b.highest - b.lowest + 1) / 2, b.count); });
    // Re-recording saturated values would count them again; other's overflow is the true figure.
    overflow_count_ = overflow_before + other.overflow_count_;
    if (other.total_count_ > 0) {
      min_value_ = std::min(min_value_, other.min_value_);
      max_value_ = std::max(max_value_, other.max_value_);
    }
  }
  underflow_count_ += other.underflow_count_;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  min_value_ = INT64_MAX;
  max_value_ = 0;
  overflow_count_ = 0;
  underflow_count_ = 0;
}

int64_t Histogram::min() const { return total_count_ == 0 ? 0 : min_value_; }
int64_t Histogram::max() const { return total_count_ == 0 ? 0 : max_value_; }

int64_t Histogram::value_at_percentile(double percentile) const {
  if (total_count_ == 0) return 0;
  const double requested = std::clamp(percentile, 0.0, 100.0);
  if (requested == 0.0) return min();
  int64_t count_at_percentile =
      static_cast<int64_t>(std::ceil((requested / 100.0) * static_cast<double>(total_count_) - 1e-9));
  count_at_percentile = std::max<int64_t>(count_at_percentile, 1);
  int64_t running = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    running += counts_[i];
    if (running >= count_at_percentile) {
      // Never report above the exact max: the bucket's upper edge can exceed every recorded value.
      return std::min(highest_equivalent_value(value_at_index(i)), max_value_);
    }
  }
  return max();
}

double Histogram::mean() const {
  if (total_count_ == 0) return 0;
  double sum = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0)
      sum += static_cast<double>(median_equivalent_value(value_at_index(i))) * static_cast<double>(counts_[i]);
  }
  return sum / static_cast<double>(total_count_);
}

double Histogram::stddev() const {
  if (total_count_ == 0) return 0;
  const double m = mean();
  double sum_sq = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const double d = static_cast<double>(median_equivalent_value(value_at_index(i))) - m;
    sum_sq += d * d * static_cast<double>(counts_[i]);
  }
  return std::sqrt(sum_sq / static_cast<double>(total_count_));
}

void Histogram::for_each_bucket(const std::function<void(const HistogramBucket&)>& visit) const {
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const int64_t low = value_at_index(i);
    visit(HistogramBucket{low, highest_equivalent_value(low), counts_[i]});
  }
}

std::vector<PercentilePoint> Histogram::percentile_distribution(int ticks_per_half_distance) const {
  std::vector<PercentilePoint> points;
  if (total_count_ == 0 || ticks_per_half_distance < 1) return points;
  // Percentile steps halve their distance to 100% every `ticks` points: 0, 50, 75, 87.5, ...
  double percentile = 0;
  while (true) {
    const int64_t value = value_at_percentile(percentile);
    int64_t at_or_below = 0;
    for (size_t i = 0; i < counts_.size() && value_at_index(i) <= value; ++i) at_or_below += counts_[i];
    points.push_back(PercentilePoint{percentile, value, at_or_below});
    if (at_or_below >= total_count_ || percentile >= 100.0) break;
    const double half_distance = std::pow(2.0, std::floor(std::log2(100.0 / (100.0 - percentile))) + 1);
    const double step = 100.0 / (half_distance * ticks_per_half_distance);
    percentile = std::min(100.0, percentile + step);
  }
  if (points.back().percentile < 100.0) points.push_back(PercentilePoint{100.0, max(), total_count_});
  return points;
}

}  // namespace perfgate
