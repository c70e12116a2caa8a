#include "core/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace perfgate {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Reads a leading non-negative decimal number; returns the characters consumed (0 when none).
size_t read_number(std::string_view s, double& value) {
  size_t i = 0;
  bool digits = false;
  int dots = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    digits = digits || std::isdigit(static_cast<unsigned char>(s[i]));
    dots += s[i] == '.' ? 1 : 0;
    ++i;
  }
  if (!digits || dots > 1) return 0;
  value = std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
  return i;
}

}  // namespace

Result<std::chrono::microseconds> parse_duration(std::string_view text) {
  const std::string_view s = trim(text);
  auto bad = [&](const std::string& why) {
    return invalid_input("invalid duration '" + std::string(text) + "': " + why +
                         " (examples: 500ms, 15s, 1.5m, 1h30m)");
  };
  if (s.empty()) return bad("empty");
  double total_us = 0;
  size_t i = 0;
  while (i < s.size()) {
    double number = 0;
    const size_t used = read_number(s.substr(i), number);
    if (used == 0) return bad("expected a number");
    i += used;
    size_t unit_end = i;
    while (unit_end < s.size() && std::isalpha(static_cast<unsigned char>(s[unit_end]))) ++unit_end;
    const std::string_view unit = s.substr(i, unit_end - i);
    double scale = 0;
    if (unit == "us")
      scale = 1;
    else if (unit == "ms")
      scale = 1e3;
    else if (unit == "s")
      scale = 1e6;
    else if (unit == "m" || unit == "min")
      scale = 60e6;
    else if (unit == "h")
      scale = 3600e6;
    else if (unit.empty())
      return bad("missing unit");
    else
      return bad("unknown unit '" + std::string(unit) + "'");
    total_us += number * scale;
    i = unit_end;
  }
  if (total_us > 1e15) return bad("too long");
  return std::chrono::microseconds{static_cast<int64_t>(std::llround(total_us))};
}

Result<int64_t> parse_bytes(std::string_view text) {
  const std::string_view s = trim(text);
  double number = 0;
  const size_t used = read_number(s, number);
  auto bad = [&](const std::string& why) {
    return invalid_input("invalid size '" + std::string(text) + "': " + why + " (examples: 512MB, 2GiB)");
  };
  if (used == 0) return bad("expected a number");
  const std::string_view unit = trim(s.substr(used));
  double scale = 0;
  if (unit == "B" || unit.empty())
    scale = 1;
  else if (unit == "KB" || unit == "kB")
    scale = 1e3;
  else if (unit == "MB")
    scale = 1e6;
  else if (unit == "GB")
    scale = 1e9;
  else if (unit == "KiB")
    scale = 1024.0;
  else if (unit == "MiB")
    scale = 1024.0 * 1024;
  else if (unit == "GiB")
    scale = 1024.0 * 1024 * 1024;
  else
    return bad("unknown unit '" + std::string(unit) + "'");
  return static_cast<int64_t>(std::llround(number * scale));
}

std::string format_duration_us(double us) {
  char buf[48];
  if (us < 1000)
    snprintf(buf, sizeof buf, "%.0fus", us);
  else if (us < 10'000)
    snprintf(buf, sizeof buf, "%.2fms", us / 1e3);
  else if (us < 1'000'000)
    snprintf(buf, sizeof buf, "%.1fms", us / 1e3);
  else if (us < 60e6)
    snprintf(buf, sizeof buf, "%.2fs", us / 1e6);
  else {
    const auto total_s = static_cast<int64_t>(us / 1e6);
    snprintf(buf, sizeof buf, "%ldm%02lds", static_cast<long>(total_s / 60), static_cast<long>(total_s % 60));
  }
  return buf;
}

std::string format_bytes(double bytes) {
  char buf[48];
  if (bytes < 1024)
    snprintf(buf, sizeof buf, "%.0f B", bytes);
  else if (bytes < 1024.0 * 1024)
    snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024);
  else if (bytes < 1024.0 * 1024 * 1024)
    snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024));
  else
    snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

}  // namespace perfgate
