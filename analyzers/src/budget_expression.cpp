// The rule expression language of budgets files (docs/budgets.md, "Rules").
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "analyzers/budget.h"
#include "core/metric_names.h"
#include "core/units.h"

namespace perfgate {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

bool strip_suffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  if (lower(s.substr(s.size() - suffix.size())) != suffix) return false;
  s.remove_suffix(suffix.size());
  s = trim(s);
  return true;
}

Error rule_error(std::string_view text, const std::string& problem, const std::string& fix) {
  return invalid_input("rule \"" + std::string(text) + "\": " + problem + "; " + fix);
}

// "1%" or "0.01": shares are written either way; a bare number above 1 is almost surely a percent
// written without its sign, so it is refused rather than read as a share that can never be reached.
std::optional<double> parse_share(std::string_view s) {
  s = trim(s);
  if (strip_suffix(s, "%")) {
    auto v = parse_number(s);
    if (!v || *v < 0 || *v > 100) return std::nullopt;
    return *v / 100.0;
  }
  auto v = parse_number(s);
  if (!v || *v < 0 || *v > 1) return std::nullopt;
  return v;
}

std::optional<double> parse_time_us(std::string_view s) {
  auto d = parse_duration(trim(s));
  if (!d) return std::nullopt;
  return static_cast<double>(d->count());
}

// "p95" -> 95, "p999" -> 99.9, "p99.5" -> 99.5, "max" -> 100.
std::optional<double> parse_percentile_name(std::string_view name) {
  if (name == "max") return 100.0;
  if (name.size() < 2 || name[0] != 'p') return std::nullopt;
  std::string_view digits = name.substr(1);
  if (digits.size() >= 3 && digits.find('.') == std::string_view::npos && digits.substr(0, 2) == "99") {
    auto rest = parse_number("0." + std::string(digits.substr(2)));
    if (!rest) return std::nullopt;
    return 99.0 + *rest;
  }
  auto v = parse_number(digits);
  if (!v || *v <= 0 || *v > 100) return std::nullopt;
  return v;
}

constexpr std::string_view kFindingKinds[] = {"n_plus_one",   "missing_index", "slow_query",   "duplicate_index",
                                              "unused_index", "invalid_index", "query_rewrite"};

constexpr const char* kKnownNames =
    "p50, p90, p95, p99, p999, max, mean, error_rate, timeout_share(DURATION), rps, tally(NAME, VALUE), "
    "time_to_first_event.pNN, completion.pNN, poll_time.pNN, metric(NAME).pNN, recovery.pNN, "
    "peak_rss, rss_slope, cpu, cpu_per_request, pg_connections, queries_per_request, slow_query_mean, "
    "rss_growth(SPAN), cpu_per_request_drift(SPAN), max_sustainable_rps, "
    "no KIND";

struct Lhs {
  std::string name;               // identifier before any '(' or '.'
  std::vector<std::string> args;  // inside parentheses
  std::string suffix;             // after '.'
};

std::optional<Lhs> parse_lhs(std::string_view s, size_t& pos) {
  Lhs lhs;
  size_t start = pos;
  while (pos < s.size() && is_ident_char(s[pos])) ++pos;
  if (pos == start) return std::nullopt;
  lhs.name = lower(s.substr(start, pos - start));
  if (pos < s.size() && s[pos] == '(') {
    const size_t close = s.find(')', pos);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view inner = s.substr(pos + 1, close - pos - 1);
    while (true) {
      const size_t comma = inner.find(',');
      lhs.args.emplace_back(trim(inner.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      inner.remove_prefix(comma + 1);
    }
    pos = close + 1;
  }
  if (pos < s.size() && s[pos] == '.') {
    start = ++pos;
    while (pos < s.size() && (is_ident_char(s[pos]) || s[pos] == '.')) ++pos;
    lhs.suffix = lower(s.substr(start, pos - start));
  }
  return lhs;
}

std::optional<BudgetOp> parse_op(std::string_view s, size_t& pos) {
  while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  if (s.substr(pos, 2) == "<=") {
    pos += 2;
    return BudgetOp::kLessEqual;
  }
  if (s.substr(pos, 2) == ">=") {
    pos += 2;
    return BudgetOp::kGreaterEqual;
  }
  if (s.substr(pos, 1) == "<") {
    pos += 1;
    return BudgetOp::kLess;
  }
  if (s.substr(pos, 1) == ">") {
    pos += 1;
    return BudgetOp::kGreater;
  }
  return std::nullopt;
}

// Reads the right-hand side into rule.limit according to the metric's unit.
Status parse_limit(std::string_view text, std::string_view value, BudgetRule& rule) {
  std::optional<double> v;
  std::string expected;
  switch (rule.metric) {
    case BudgetMetric::kLatency:
    case BudgetMetric::kRecovery:
    case BudgetMetric::kCpuPerRequest:
    case BudgetMetric::kSlowQueryMean:
      v = parse_time_us(value);
      expected = "a duration such as 250ms or 1.5s";
      break;
    case BudgetMetric::kNamedMetric:
      v = parse_time_us(value);
      if (!v) v = parse_number(value);
      expected = "a duration such as 2s, or a number for count metrics";
      break;
    case BudgetMetric::kErrorRate:
    case BudgetMetric::kTimeoutShare:
    case BudgetMetric::kTallyShare:
      v = parse_share(value);
      expected = "a share such as 1% or 0.01";
      break;
    case BudgetMetric::kThroughput:
    case BudgetMetric::kMaxSustainableRps: {
      std::string_view s = trim(value);
      if (!strip_suffix(s, "rps")) strip_suffix(s, "/s");
      v = parse_number(s);
      expected = "requests per second such as 50 or 50/s";
      break;
    }
    case BudgetMetric::kPeakRss:
    case BudgetMetric::kRssGrowth: {
      auto b = parse_bytes(trim(value));
      if (b) v = static_cast<double>(*b);
      expected = "a size such as 2GB or 512MiB";
      break;
    }
    case BudgetMetric::kRssSlope: {
      std::string_view s = trim(value);
      strip_suffix(s, "mb/h");
      v = parse_number(s);
      expected = "MB per hour such as 20MB/h";
      break;
    }
    case BudgetMetric::kCpu:
    case BudgetMetric::kCpuDrift: {
      std::string_view s = trim(value);
      strip_suffix(s, "%");
      v = parse_number(s);
      expected = rule.metric == BudgetMetric::kCpu ? "percent of one core such as 80%"
                                                   : "a percent of the starting CPU per request such as 10%";
      break;
    }
    case BudgetMetric::kPgConnections: {
      std::string_view s = trim(value);
      if (strip_suffix(s, "%")) {
        rule.limit_is_share = true;
        v = parse_number(s);
        if (v) *v /= 100.0;
      } else {
        v = parse_number(s);
      }
      expected = "a count such as 80, or a share of max_connections such as 80%";
      break;
    }
    case BudgetMetric::kQueriesPerRequest:
    case BudgetMetric::kNoFindings:
      v = parse_number(value);
      expected = "a number such as 10";
      break;
  }
  if (!v || *v < 0)
    return rule_error(text, "cannot read limit \"" + std::string(trim(value)) + "\"", "write " + expected);
  rule.limit = *v;
  return {};
}

}  // namespace

Result<BudgetRule> parse_budget_rule(std::string_view text) {
  BudgetRule rule;
  rule.text = std::string(trim(text));
  const std::string_view s = rule.text;
  if (s.empty()) return rule_error(text, "empty rule", "write e.g. \"p95 < 1s\"");

  if (lower(s.substr(0, 3)) == "no ") {
    const std::string kind = lower(trim(s.substr(3)));
    if (std::find(std::begin(kFindingKinds), std::end(kFindingKinds), kind) == std::end(kFindingKinds)) {
      return rule_error(text, "unknown finding kind \"" + kind + "\"",
                        "use one of n_plus_one, missing_index, slow_query, duplicate_index, unused_index, "
                        "invalid_index, query_rewrite");
    }
    rule.metric = BudgetMetric::kNoFindings;
    rule.metric_name = kind;
    rule.label = "no_" + kind;
    rule.op = BudgetOp::kLessEqual;
    rule.limit = 0;
    return rule;
  }

  size_t pos = 0;
  auto lhs = parse_lhs(s, pos);
  if (!lhs) return rule_error(text, "expected a metric name at the start", std::string("use one of ") + kKnownNames);
  auto op = parse_op(s, pos);
  if (!op) return rule_error(text, "expected <, <=, > or >= after the metric", "write e.g. \"p95 < 1s\"");
  rule.op = *op;
  std::string_view value = s.substr(pos);
  std::string_view within;
  const std::string lowered = lower(value);
  if (const size_t w = lowered.find(" within "); w != std::string::npos) {
    within = value.substr(w + 8);
    value = value.substr(0, w);
  }

  // "p99.5" is one percentile name, not a metric "p99" with a ".5" figure.
  if (!lhs->suffix.empty() &&
      std::all_of(lhs->suffix.begin(), lhs->suffix.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
      parse_percentile_name(lhs->name)) {
    lhs->name += "." + lhs->suffix;
    lhs->suffix.clear();
  }
  const std::string& name = lhs->name;
  const bool has_args = !lhs->args.empty();
  auto percentile_suffix = [&](double fallback) -> std::optional<double> {
    if (lhs->suffix.empty()) return fallback;
    return parse_percentile_name(lhs->suffix);
  };
  // Shorthands ("completion.p95") are the budget names of core's metric table; metric(NAME) takes any name there.
  const EndpointMetricName* shorthand = has_args ? nullptr : find_endpoint_metric(name);

  if (auto latency_pct = parse_percentile_name(name); latency_pct && !has_args && lhs->suffix.empty()) {
    rule.metric = BudgetMetric::kLatency;
    rule.percentile = *latency_pct;
    rule.label = name;
  } else if (name == "mean" && !has_args && lhs->suffix.empty()) {
    rule.metric = BudgetMetric::kLatency;
    rule.mean = true;
    rule.label = "mean";
  } else if (shorthand != nullptr || name == "metric") {
    if (name == "metric" && (lhs->args.size() != 1 || lhs->args[0].empty())) {
      return rule_error(text, "metric() takes one metric name", "write e.g. \"metric(polls).p95 <= 10\"");
    }
    const EndpointMetricName* known = name == "metric" ? find_endpoint_metric(lhs->args[0]) : shorthand;
    if (known == nullptr) {
      std::string names;
      for (const auto& m : endpoint_metric_names()) names += (names.empty() ? "" : ", ") + std::string(m.name);
      return rule_error(text, "no run records a metric \"" + lhs->args[0] + "\"", "use one of " + names);
    }
    auto pct = percentile_suffix(95);
    if (!pct)
      return rule_error(text, "unknown percentile \"." + lhs->suffix + "\"", "use .p50, .p90, .p95, .p99 or .max");
    rule.metric = BudgetMetric::kNamedMetric;
    rule.metric_name = std::string(known->name);
    rule.percentile = *pct;
    rule.label = (name == "metric" ? lhs->args[0] : name) + "." + (lhs->suffix.empty() ? "p95" : lhs->suffix);
  } else if (name == "recovery") {
    auto pct = percentile_suffix(95);
    if (!pct || (*pct != 50 && *pct != 90 && *pct != 95 && *pct != 99 && *pct != 100)) {
      return rule_error(text, "recovery needs one of the per-second figures",
                        "write recovery.p50, .p90, .p95, .p99 or .max");
    }
    if (within.empty()) return rule_error(text, "recovery needs a time window", "append e.g. \"within 30s\"");
    auto w = parse_time_us(within);
    if (!w)
      return rule_error(text, "cannot read window \"" + std::string(within) + "\"", "write a duration such as 30s");
    rule.metric = BudgetMetric::kRecovery;
    rule.percentile = *pct;
    rule.within_us = *w;
    rule.label = "recovery." + (lhs->suffix.empty() ? std::string("p95") : lhs->suffix);
  } else if (name == "timeout_share") {
    if (lhs->args.size() != 1)
      return rule_error(text, "timeout_share needs the timeout", "write e.g. \"timeout_share(15s) <= 0.1%\"");
    auto t = parse_time_us(lhs->args[0]);
    if (!t || *t <= 0)
      return rule_error(text, "cannot read timeout \"" + lhs->args[0] + "\"", "write a duration such as 15s");
    rule.metric = BudgetMetric::kTimeoutShare;
    rule.timeout_us = *t;
    rule.label = "timeout_share";
  } else if (name == "rss_growth" || name == "cpu_per_request_drift") {
    const bool rss = name == "rss_growth";
    if (lhs->args.size() > 1 || !lhs->suffix.empty()) {
      return rule_error(
          text, name + " takes the span to project over",
          rss ? "write e.g. \"rss_growth(24h) <= 500MB\"" : "write e.g. \"cpu_per_request_drift(24h) <= 10%\"");
    }
    if (!lhs->args.empty()) {
      auto h = parse_time_us(lhs->args[0]);
      if (!h || *h <= 0)
        return rule_error(text, "cannot read span \"" + lhs->args[0] + "\"", "write a duration such as 24h");
      rule.horizon_us = *h;
    }
    rule.metric = rss ? BudgetMetric::kRssGrowth : BudgetMetric::kCpuDrift;
    rule.label = name;
  } else if (name == "tally") {
    if (lhs->args.size() != 2 || lhs->args[0].empty() || lhs->args[1].empty()) {
      return rule_error(text, "tally() takes a tally name and a value", "write e.g. \"tally(x_cache, hit) >= 80%\"");
    }
    rule.metric = BudgetMetric::kTallyShare;
    rule.metric_name = lhs->args[0];
    rule.tally_value = lhs->args[1];
    rule.label = "tally." + rule.metric_name + "." + rule.tally_value;
  } else {
    static const std::pair<std::string_view, BudgetMetric> kSimple[] = {
        {"error_rate", BudgetMetric::kErrorRate},
        {"rps", BudgetMetric::kThroughput},
        {"throughput", BudgetMetric::kThroughput},
        {"peak_rss", BudgetMetric::kPeakRss},
        {"rss_slope", BudgetMetric::kRssSlope},
        {"cpu", BudgetMetric::kCpu},
        {"cpu_per_request", BudgetMetric::kCpuPerRequest},
        {"pg_connections", BudgetMetric::kPgConnections},
        {"queries_per_request", BudgetMetric::kQueriesPerRequest},
        {"slow_query_mean", BudgetMetric::kSlowQueryMean},
        {"max_sustainable_rps", BudgetMetric::kMaxSustainableRps}};
    const auto it =
        std::find_if(std::begin(kSimple), std::end(kSimple), [&](const auto& p) { return p.first == name; });
    if (it == std::end(kSimple) || has_args || !lhs->suffix.empty()) {
      return rule_error(text, "unknown metric \"" + std::string(s.substr(0, pos)) + "\"",
                        std::string("use one of ") + kKnownNames);
    }
    rule.metric = it->second;
    rule.label = name == "throughput" ? "rps" : name;
  }
  if (!within.empty() && rule.metric != BudgetMetric::kRecovery) {
    return rule_error(text, "\"within\" applies only to recovery rules",
                      "remove it or write recovery.p95 < LIMIT within T");
  }
  if (Status st = parse_limit(text, value, rule); !st) return st.error();
  return rule;
}

bool endpoint_matches(std::string_view pattern, std::string_view name) {
  // Iterative glob with single-star backtracking: linear enough for endpoint names.
  size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string endpoint_category(std::string_view name) { return std::string(name.substr(0, name.find('.'))); }

}  // namespace perfgate
