#include "core/segment.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace perfgate {
namespace {

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil), so the
// conversion does not depend on the process's time zone the way mktime does.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::string Segment::to_string() const { return std::to_string(index) + "/" + std::to_string(count); }

int64_t Segment::share_of(int64_t total) const {
  if (total <= 0 || index > total) return 0;
  return (total - index) / count + 1;
}

Result<Segment> parse_segment(std::string_view text) {
  const std::string shown(text);
  const auto slash = text.find('/');
  Segment s;
  if (slash == std::string_view::npos || !parse_int(text.substr(0, slash), s.index) ||
      !parse_int(text.substr(slash + 1), s.count)) {
    return invalid_input("\"" + shown + "\": expected K/N, shard K (1-based) of N, e.g. 2/4");
  }
  if (s.count < 1 || s.count > kMaxSegments) {
    return invalid_input("\"" + shown + "\": segment count " + std::to_string(s.count) + " is out of range 1.." +
                         std::to_string(kMaxSegments));
  }
  if (s.index < 1 || s.index > s.count) {
    return invalid_input("\"" + shown + "\": segment index " + std::to_string(s.index) + " is out of range 1.." +
                         std::to_string(s.count) + " (K is 1-based)");
  }
  return s;
}

Result<int64_t> parse_rfc3339_ms(std::string_view text) {
  const std::string shown(text);
  const auto fail = [&] {
    return invalid_input("\"" + shown + "\": expected an RFC 3339 time such as 2026-12-04T12:00:00Z");
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':' || !parse_int(text.substr(0, 4), year) || !parse_int(text.substr(5, 2), month) ||
      !parse_int(text.substr(8, 2), day) || !parse_int(text.substr(11, 2), hour) ||
      !parse_int(text.substr(14, 2), minute) || !parse_int(text.substr(17, 2), second)) {
    return fail();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return fail();
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return fail();
    for (int d = digits; d < 3; ++d) millis *= 10;
  }
  int64_t offset_s = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    pos = text.size();
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!parse_int(text.substr(pos + 1, 2), oh) || !parse_int(text.substr(pos + 4, 2), om) || oh > 23 || om > 59) {
      return fail();
    }
    offset_s = (text[pos] == '+' ? 1 : -1) * (int64_t{oh} * 3600 + int64_t{om} * 60);
  } else {
    return fail();
  }
  const int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second - offset_s;
  return seconds * 1000 + millis;
}

std::string format_rfc3339_ms(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  const int64_t millis = unix_ms - static_cast<int64_t>(seconds) * 1000;
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return text;
}

}  // namespace perfgate
