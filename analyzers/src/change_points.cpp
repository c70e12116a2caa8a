// Change points (docs/history.md): E-divisive candidate splits, Welch t-test acceptance.
#include "analyzers/change_points.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace perfgate {
namespace {

// Regularised incomplete beta I_x(a, b) by its continued fraction (modified Lentz), accurate to
// ~1e-12 for the moderate a, b of a t distribution.
double incomplete_beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-14) break;
  }
  return h;
}

double regularized_incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * incomplete_beta_fraction(a, b, x) / a;
  return 1 - front * incomplete_beta_fraction(b, a, 1 - x) / b;
}

struct Moments {
  double mean = 0, variance = 0;
  size_t n = 0;
};

Moments moments(const double* v, size_t n) {
  Moments m;
  m.n = n;
  for (size_t i = 0; i < n; ++i) m.mean += v[i];
  m.mean /= static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) m.variance += (v[i] - m.mean) * (v[i] - m.mean);
  m.variance = n > 1 ? m.variance / static_cast<double>(n - 1) : 0;
  return m;
}

double welch_p(const Moments& a, const Moments& b) {
  const double va = a.variance / static_cast<double>(a.n), vb = b.variance / static_cast<double>(b.n);
  const double se2 = va + vb;
  if (se2 <= 0) return a.mean == b.mean ? 1.0 : 0.0;
  const double t = (b.mean - a.mean) / std::sqrt(se2);
  // Welch-Satterthwaite degrees of freedom; a side with zero variance contributes nothing.
  const double denom =
      (a.n > 1 ? va * va / static_cast<double>(a.n - 1) : 0) + (b.n > 1 ? vb * vb / static_cast<double>(b.n - 1) : 0);
  const double df = denom > 0 ? se2 * se2 / denom : static_cast<double>(a.n + b.n - 2);
  return regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

double relative_change(double before, double after) {
  if (before == 0) return after == 0 ? 0 : std::numeric_limits<double>::infinity();
  return after / before - 1;
}

// Sums of |x_i - x_j| over rectangles of the distance matrix in O(1) after O(n^2) preparation:
// what makes every candidate split of a segment cost O(1) instead of O(n^2).
class DistanceSums {
 public:
  explicit DistanceSums(const std::vector<double>& x) : n_(x.size()), prefix_((n_ + 1) * (n_ + 1), 0.0) {
    for (size_t i = 0; i < n_; ++i) {
      for (size_t j = 0; j < n_; ++j) {
        at(i + 1, j + 1) = std::fabs(x[i] - x[j]) + at(i, j + 1) + at(i + 1, j) - at(i, j);
      }
    }
  }
  // Sum over i in [r0, r1), j in [c0, c1).
  [[nodiscard]] double rect(size_t r0, size_t r1, size_t c0, size_t c1) const {
    return get(r1, c1) - get(r0, c1) - get(r1, c0) + get(r0, c0);
  }

 private:
  double& at(size_t i, size_t j) { return prefix_[i * (n_ + 1) + j]; }
  [[nodiscard]] double get(size_t i, size_t j) const { return prefix_[i * (n_ + 1) + j]; }
  size_t n_;
  std::vector<double> prefix_;
};

// The E-divisive statistic q-hat of splitting [a, b) at tau (Matteson & James 2014, alpha = 1):
// scaled energy distance between the two sides; the larger, the more the sides differ in distribution.
double q_hat(const DistanceSums& d, size_t a, size_t tau, size_t b) {
  const double m = static_cast<double>(tau - a), k = static_cast<double>(b - tau);
  const double between = d.rect(a, tau, tau, b) * 2 / (m * k);
  const double within_left = d.rect(a, tau, a, tau) / (m * (m - 1));
  const double within_right = d.rect(tau, b, tau, b) / (k * (k - 1));
  return m * k / (m + k) * (between - within_left - within_right);
}

struct Search {
  const std::vector<double>& x;
  const DistanceSums& d;
  const ChangePointOptions& options;
  std::vector<size_t> found;

  bool significant(size_t a, size_t tau, size_t b) const {
    const Moments left = moments(x.data() + a, tau - a), right = moments(x.data() + tau, b - tau);
    return welch_p(left, right) < options.max_p_value &&
           std::fabs(relative_change(left.mean, right.mean)) >= options.min_magnitude &&
           std::fabs(right.mean - left.mean) >= options.min_absolute;
  }

  void split(size_t a, size_t b) {
    const size_t ms = options.min_segment;
    if (b - a < 2 * ms) return;
    size_t best = 0;
    double best_q = -std::numeric_limits<double>::infinity();
    for (size_t tau = a + ms; tau + ms <= b; ++tau) {
      const double q = q_hat(d, a, tau, b);
      if (q > best_q) {
        best_q = q;
        best = tau;
      }
    }
    if (!significant(a, best, b)) return;
    found.push_back(best);
    split(a, best);
    split(best, b);
  }
};

}  // namespace

double welch_t_test_p_value(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 2 || b.size() < 2) return 1;
  return welch_p(moments(a.data(), a.size()), moments(b.data(), b.size()));
}

std::vector<ChangePoint> find_change_points(const std::vector<double>& values, const ChangePointOptions& options) {
  std::vector<double> x;
  std::vector<size_t> original;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) {
      x.push_back(values[i]);
      original.push_back(i);
    }
  }
  ChangePointOptions o = options;
  o.min_segment = std::max<size_t>(2, o.min_segment);
  if (x.size() < 2 * o.min_segment) return {};
  const DistanceSums d(x);
  Search search{x, d, o, {}};
  search.split(0, x.size());
  std::vector<size_t> cuts = search.found;
  std::sort(cuts.begin(), cuts.end());
  // Binary segmentation tested each split against its parent segment; re-test each against its final
  // neighbours and drop the weakest that no longer holds, until every remaining one does.
  for (;;) {
    size_t weakest = cuts.size();
    double weakest_p = -1;
    for (size_t c = 0; c < cuts.size(); ++c) {
      const size_t a = c == 0 ? 0 : cuts[c - 1], b = c + 1 == cuts.size() ? x.size() : cuts[c + 1];
      if (search.significant(a, cuts[c], b)) continue;
      const double p = welch_p(moments(x.data() + a, cuts[c] - a), moments(x.data() + cuts[c], b - cuts[c]));
      if (p > weakest_p) {
        weakest_p = p;
        weakest = c;
      }
    }
    if (weakest == cuts.size()) break;
    cuts.erase(cuts.begin() + static_cast<std::ptrdiff_t>(weakest));
  }
  std::vector<ChangePoint> out;
  for (size_t c = 0; c < cuts.size(); ++c) {
    const size_t a = c == 0 ? 0 : cuts[c - 1], b = c + 1 == cuts.size() ? x.size() : cuts[c + 1];
    const Moments left = moments(x.data() + a, cuts[c] - a), right = moments(x.data() + cuts[c], b - cuts[c]);
    out.push_back(
        {original[cuts[c]], left.mean, right.mean, relative_change(left.mean, right.mean), welch_p(left, right)});
  }
  return out;
}

}  // namespace perfgate
