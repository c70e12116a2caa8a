#include "reports/hdr_log.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>

namespace perfgate {
namespace {

struct TaggedTimeline {
  std::string tag;  // "" for the whole run
  std::string at;   // place in the result, for messages
  const std::vector<IntervalStats>* intervals;
};

// HdrHistogram readers split a line on ',' and take "Tag=" up to the first comma; whitespace ends a
// token for some of them. Such characters in an endpoint name become '_'.
std::string tag_of(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') c = '_';
  }
  return out;
}

std::string seconds(int64_t ms) {
  char text[48];
  std::snprintf(text, sizeof text, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
  return text;
}

std::string iso_utc(int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

Result<std::string> render_hdr_log(const RunResult& result, const HdrLogOptions& options) {
  std::vector<TaggedTimeline> timelines;
  if (options.endpoint.empty()) {
    timelines.push_back({"", "/timeline", &result.timeline});
    for (size_t i = 0; i < result.endpoints.size(); ++i) {
      const EndpointStats& e = result.endpoints[i];
      if (e.kind == "step" || e.timeline.empty()) continue;
      timelines.push_back({tag_of(e.name), "/endpoints/" + std::to_string(i) + "/timeline", &e.timeline});
    }
  } else {
    const EndpointStats* e = result.find_endpoint(options.endpoint);
    if (e == nullptr || e->kind == "step") {
      std::string names;
      for (const auto& c : result.endpoints) {
        if (c.kind != "step") names += (names.empty() ? "" : ", ") + c.name;
      }
      return invalid_input("--endpoint: no endpoint '" + options.endpoint +
                           "' in the result (endpoints: " + (names.empty() ? "none" : names) + ")");
    }
    timelines.push_back({tag_of(e->name), "/endpoints/" + e->name + "/timeline", &e->timeline});
  }
  size_t lines = 0;
  for (const auto& t : timelines) {
    for (size_t k = 0; k < t.intervals->size(); ++k) {
      const IntervalStats& i = (*t.intervals)[k];
      if (i.histogram.empty()) {
        return invalid_input(t.at + "/" + std::to_string(k) +
                             ": the interval carries no histogram (a result written before perfgate kept "
                             "per-interval histograms, or merged from such shards); rerun to get an interval log");
      }
      if (auto h = Histogram::from_base64(i.histogram); !h) {
        return invalid_input(t.at + "/" + std::to_string(k) + "/histogram: " + h.error().message);
      }
      ++lines;
    }
  }
  if (lines == 0) return invalid_input("the result has no intervals (a run that never started?)");

  std::string out = "#[Histogram log format version 1.3]\n";
  out += "#[perfgate " + result.context.tool_version + ": scenario " + tag_of(result.context.scenario_name) +
         ", latency in microseconds from the due time (open model) or send time (closed), Interval_Max in "
         "milliseconds]\n";
  // Timestamps are relative to the run's t = 0; StartTime and BaseTime put that instant on the
  // wall clock, so tools that show absolute times show the run's.
  const int64_t start_ms = result.start_unix_ms;
  out += "#[StartTime: " + seconds(start_ms) + " (seconds since epoch), " + iso_utc(start_ms) + "]\n";
  out += "#[BaseTime: " + seconds(start_ms) + " (seconds since epoch)]\n";
  out += "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
  // Ordered by start time, every timeline's line for an interval together (stable: whole run first):
  // HdrHistogram's readers expect timestamps that do not go backwards.
  std::vector<std::pair<int64_t, std::string>> rows;
  for (const auto& t : timelines) {
    for (const IntervalStats& i : *t.intervals) {
      char fields[96];
      std::snprintf(fields, sizeof fields, "%s,%s,%.3f,", seconds(i.t_ms).c_str(), seconds(i.duration_ms).c_str(),
                    i.max_us / 1000.0);
      rows.emplace_back(i.t_ms, (t.tag.empty() ? "" : "Tag=" + t.tag + ",") + fields + i.histogram + "\n");
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [t_ms, row] : rows) out += row;
  return out;
}

}  // namespace perfgate
