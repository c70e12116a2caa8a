#include "distributed/shard_start.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "core/files.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

std::string ready_name(const Segment& s) {
  return "ready-" + std::to_string(s.index) + "-of-" + std::to_string(s.count) + ".json";
}

std::string format_ms(int64_t ms) { return std::to_string(ms) + " ms"; }

// Reads every peer's announcement; returns the announced clocks by segment index, or an error for a
// file of another split or another segment.
Result<std::map<int, int64_t>> read_peers(const std::string& dir, const Segment& self) {
  static const std::regex kName(R"(ready-(\d+)-of-(\d+)\.json)");
  std::map<int, int64_t> clocks;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::smatch m;
    if (!std::regex_match(name, m, kName)) continue;
    const std::string path = entry.path().string();
    auto text = read_file(path);
    if (!text) continue;  // being renamed into place: read it on the next round
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("segment") || !j.contains("clock_unix_ms") ||
        !j["segment"].is_string() || !j["clock_unix_ms"].is_number_integer()) {
      return invalid_input(path +
                           ": not a perfgate barrier file (expected segment and clock_unix_ms); "
                           "use an empty directory per run for --barrier");
    }
    auto segment = parse_segment(j["segment"].get<std::string>());
    if (!segment) return invalid_input(path + ": segment: " + segment.error().message);
    if (segment->count != self.count) {
      return invalid_input(path + ": segment: " + segment->to_string() + " splits the load into " +
                           std::to_string(segment->count) + " segments but this shard is " + self.to_string() +
                           "; every shard of a run needs the same N (or the directory holds an older run's files)");
    }
    if (ready_name(*segment) != name) {
      return invalid_input(path + ": segment: " + segment->to_string() + " does not match the file name");
    }
    clocks[segment->index] = j["clock_unix_ms"].get<int64_t>();
  }
  if (ec) return invalid_input(dir + ": cannot list the barrier directory: " + ec.message());
  return clocks;
}

Result<int64_t> from_barrier(const ShardStartOptions& o, const std::function<bool()>& stopped) {
  std::error_code ec;
  fs::create_directories(o.barrier_dir, ec);
  const std::string own = (fs::path(o.barrier_dir) / ready_name(o.segment)).string();
  if (fs::exists(own, ec)) {
    return invalid_input(own + ": segment: " + o.segment.to_string() +
                         " has already announced itself here: two shards with the same --segment, or an older "
                         "run's barrier; use an empty directory per run");
  }
  const nlohmann::json mine{{"segment", o.segment.to_string()}, {"clock_unix_ms", wall_clock_unix_ms()}};
  if (auto st = write_file_atomically(own, mine.dump() + "\n"); !st) return st.error();
  const int64_t deadline = wall_clock_unix_ms() + o.barrier_timeout.count();
  while (true) {
    auto peers = read_peers(o.barrier_dir, o.segment);
    if (!peers) return peers.error();
    const int64_t now = wall_clock_unix_ms();
    for (const auto& [index, clock] : *peers) {
      // A peer's announcement can never come from this host's future; one that does was written by
      // a clock ahead of ours by at least the difference.
      if (clock - now > o.max_skew.count()) {
        return invalid_input((fs::path(o.barrier_dir) / ready_name(Segment{index, o.segment.count})).string() +
                             ": clock_unix_ms: " + format_ms(clock - now) + " ahead of this host's clock (shard " +
                             o.segment.to_string() + "), more than the allowed skew of " +
                             format_ms(o.max_skew.count()) +
                             "; keep the shards' clocks in sync (NTP) or raise --max-skew");
      }
    }
    if (static_cast<int>(peers->size()) == o.segment.count) {
      int64_t latest = 0;
      for (const auto& [index, clock] : *peers) latest = std::max(latest, clock);
      return latest + o.barrier_margin.count();
    }
    if (now >= deadline || (stopped && stopped())) {
      std::string missing;
      for (int k = 1; k <= o.segment.count; ++k) {
        if (peers->count(k) == 0) missing += (missing.empty() ? "" : ", ") + Segment{k, o.segment.count}.to_string();
      }
      return unavailable("--barrier " + o.barrier_dir + ": segment(s) " + missing +
                         (now >= deadline ? " did not arrive within " + format_ms(o.barrier_timeout.count())
                                          : " had not arrived when the shard was stopped") +
                         "; no load was sent");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

int64_t wall_clock_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> resolve_shard_start(const ShardStartOptions& o, const std::function<bool()>& stopped) {
  if (!o.start_at.empty() && !o.barrier_dir.empty()) {
    return invalid_input("--start-at and --barrier: give one way to start the shards together, not both");
  }
  if (!o.barrier_dir.empty()) return from_barrier(o, stopped);
  if (o.start_at.empty()) return int64_t{0};
  auto at = parse_rfc3339_ms(o.start_at);
  if (!at) return invalid_input("--start-at: " + at.error().message);
  const int64_t late = wall_clock_unix_ms() - *at;
  if (late > o.max_skew.count()) {
    return invalid_input("--start-at: " + o.start_at + " was " + format_ms(late) +
                         " ago on this host's clock, more than the allowed skew of " + format_ms(o.max_skew.count()) +
                         ": this shard started too late or its clock is apart from its peers'; "
                         "choose a start far enough ahead for every shard to be ready, or raise --max-skew");
  }
  return *at;
}

}  // namespace perfgate
