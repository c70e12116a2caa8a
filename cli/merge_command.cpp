// perfgate merge SHARD.json... -o RESULT.json: one result from the shards of a distributed run
// (docs/distributed.md). The merge logic lives in distributed/; this file reads, writes and reports.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "analyzers/spikes.h"
#include "cli/command.h"
#include "cli/run_summary.h"
#include "core/run_result_io.h"
#include "core/units.h"
#include "distributed/merge.h"

namespace perfgate::cli {
namespace {

struct MergeCommandOptions {
  std::vector<std::string> shards;
  std::string out;
  std::string max_skew = "1s";
  std::string profile;
};

// The per-interval p95 a shard's spikes were judged against when it was given (--spike-p95, the
// same for every shard of a run); nullopt: judge against the phase before each spike.
std::optional<double> given_spike_p95(const std::vector<ShardResult>& shards) {
  for (const ShardResult& s : shards) {
    for (const SpikeVerdict& v : s.result.spikes) {
      if (v.limit_source == "--spike-p95") return v.p95_limit_us;
    }
  }
  return std::nullopt;
}

std::string joined(const std::vector<int>& segments, int count) {
  std::string out;
  for (int k : segments) out += (out.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(count);
  return out;
}

ExitCode run_merge(const MergeCommandOptions& o) {
  auto skew = parse_duration(o.max_skew);
  if (!skew) return report_error(skew.error().with_context("--max-skew"));
  std::vector<ShardResult> shards;
  std::vector<std::string> absent;
  for (const std::string& path : o.shards) {
    // A shard killed with SIGKILL (or lost with its node) writes nothing: its file is absent, and
    // the merge names its segment as missing rather than refusing the shards that did finish.
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) {
      absent.push_back(path);
      continue;
    }
    auto result = read_run_result(path);
    if (!result) return report_error(result.error());
    shards.push_back(ShardResult{path, std::move(*result)});
  }
  for (const auto& path : absent)
    std::fprintf(stderr, "perfgate: warning: %s: no such shard result (counted as missing)\n", path.c_str());
  if (shards.empty())
    return report_error(
        invalid_input("no shard result could be read; give the files 'perfgate run --segment K/N --out FILE' wrote"));
  auto merged = merge_shards(shards, MergeOptions{std::chrono::duration_cast<std::chrono::milliseconds>(*skew)});
  if (!merged) return report_error(merged.error());
  // A shard's spike verdict saw only its slice of the load; the recovery of the whole is judged on
  // the merged timeline.
  merged->spikes = judge_spikes(*merged, given_spike_p95(shards));
  if (!o.profile.empty()) {
    auto profile = read_run_result(o.profile);
    if (!profile) return report_error(profile.error().with_context("--profile"));
    if (auto st = attach_profile(*merged, *profile, o.profile); !st)
      return report_error(st.error().with_context("--profile"));
  }
  std::string command = "perfgate merge";
  for (const auto& path : o.shards) command += " " + path;
  command += " -o " + o.out;
  merged->context.command_line = command;
  if (auto st = write_run_result(*merged, o.out); !st) return report_error(st.error());

  const MergeInfo& info = *merged->merge;
  std::printf("merged %zu of %d shards of %s (start skew %lld ms)\n", info.shards.size(), info.segment_count,
              merged->context.scenario_name.c_str(), static_cast<long long>(info.start_skew_ms));
  if (!info.missing_segments.empty()) {
    std::printf("PARTIAL: missing segment(s) %s: no result (killed or lost shard)\n",
                joined(info.missing_segments, info.segment_count).c_str());
  }
  if (!info.partial_segments.empty()) {
    std::printf("PARTIAL: interrupted or failed segment(s) %s\n",
                joined(info.partial_segments, info.segment_count).c_str());
  }
  for (const ShardSummary& s : info.shards) {
    if (s.generator.saturated)
      std::printf("segment %s generator saturated: %s\n", s.segment.to_string().c_str(), s.generator.note.c_str());
  }
  print_run_summary(stdout, *merged, o.out);
  return ExitCode::kPass;
}

}  // namespace

void add_merge_command(CLI::App& app, CommandSlot& slot) {
  auto o = std::make_shared<MergeCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("merge", "Merge the shard results of a distributed run (run --segment K/N) into one result");
  cmd->add_option("shards", o->shards, "Shard result files (a missing file counts as a missing segment)")->required();
  cmd->add_option("-o,--out", o->out, "Merged result file (written atomically)")->required();
  cmd->add_option("--max-skew", o->max_skew, "Largest accepted difference between shard start times (default 1s)");
  cmd->add_option("--profile", o->profile,
                  "A 'perfgate profile' result taken beside the target during the run: attach it");
  cmd->callback([o, &slot] { slot.run = [o] { return run_merge(*o); }; });
}

}  // namespace perfgate::cli
