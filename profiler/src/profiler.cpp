#include "profiler/profiler.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "profiler/pg_sampler.h"
#include "profiler/profile_summary.h"

namespace perfgate {
namespace {

// Moves every sample from the profiler's clock (t = 0 when it started, before the run) onto the
// run's timeline and drops what was sampled before the first request was due: the run's phases
// start there, and a sample from before it would count idle CPU into the first phase.
void shift_to_timeline(Profile& profile, int64_t offset_ms) {
  if (offset_ms == 0) return;
  for (auto& timeline : profile.processes) {
    for (auto& s : timeline.samples) s.t_ms -= offset_ms;
    std::erase_if(timeline.samples, [](const ProcessSample& s) { return s.t_ms < 0; });
    if (timeline.exited_at_ms >= 0) timeline.exited_at_ms = std::max<int64_t>(0, timeline.exited_at_ms - offset_ms);
  }
  for (auto& s : profile.postgres) s.t_ms -= offset_ms;
  std::erase_if(profile.postgres, [](const PgSample& s) { return s.t_ms < 0; });
}

}  // namespace

struct Profiler::State {
  ProfilerOptions options;
  const Clock* clock = nullptr;
  MonoTime run_start{0};
  std::unique_ptr<ProcessSampler> processes;
  std::unique_ptr<PgSampler> pg;

  mutable std::mutex mutex;  // guards live, stopping, and the vectors below until the threads join
  std::condition_variable wake;
  bool stopping = false;
  LiveSnapshot live;
  std::vector<PgSample> pg_samples;
  std::vector<std::string> notes;
  int64_t pg_errors = 0;
  std::thread process_thread;
  std::thread pg_thread;

  int64_t t_ms(MonoTime now) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - run_start).count();
  }

  // Sleeps until `due` on the injected clock; false when stop() was requested.
  bool wait_until(MonoTime due) {
    std::unique_lock lock(mutex);
    while (!stopping) {
      const MonoTime now = clock->now();
      if (now >= due) return true;
      wake.wait_for(lock, due - now);
    }
    return false;
  }

  // Fixed-rate schedule anchored at the run start; a late pass skips missed slots instead of
  // bunching up, so samples stay evenly spaced for the slope fit.
  template <typename Fn>
  void run_every(std::chrono::milliseconds period, Fn&& pass) {
    MonoTime due = clock->now() + period;
    while (wait_until(due)) {
      const MonoTime now = clock->now();
      pass(now);
      due += period;
      if (due <= now) due = now + period;
    }
  }
};

Profiler::Profiler(std::unique_ptr<State> state) : state_(std::move(state)) {}

Profiler::~Profiler() { stop(); }

Result<std::unique_ptr<Profiler>> Profiler::start(const ProfilerOptions& options, const Clock& clock,
                                                  MonoTime run_start) {
  if (options.processes.empty() && options.pg_dsn.empty()) {
    return invalid_input("profiler: nothing to profile; give a PID, a process pattern or a PostgreSQL DSN");
  }
  if (options.interval < std::chrono::milliseconds(1)) {
    return invalid_input("profiler: sample interval must be >= 1ms (got " + std::to_string(options.interval.count()) +
                         "ms)");
  }
  if (!options.pg_dsn.empty() && options.pg_interval < std::chrono::milliseconds(10)) {
    return invalid_input("profiler: PostgreSQL sample interval must be >= 10ms (got " +
                         std::to_string(options.pg_interval.count()) + "ms)");
  }
  auto state = std::make_unique<State>();
  state->options = options;
  state->clock = &clock;
  state->run_start = run_start;
  if (!options.processes.empty()) {
    auto sampler = ProcessSampler::create(options.processes, clock.now());
    if (!sampler) return sampler.error();
    state->processes = std::move(*sampler);
  }
  if (!options.pg_dsn.empty()) {
    auto pg = PgSampler::connect(options.pg_dsn);
    if (!pg) return pg.error();
    state->pg = std::move(*pg);
  }
  State* s = state.get();
  if (s->processes) {
    s->process_thread = std::thread([s] {
      s->run_every(s->options.interval, [s](MonoTime now) {
        s->processes->sample(now, s->t_ms(now));
        const ProcessTotals totals = s->processes->totals();
        std::lock_guard lock(s->mutex);
        s->live.rss_bytes = totals.rss_bytes;
        s->live.cpu_percent = totals.cpu_percent;
        s->live.processes = totals.processes;
        ++s->live.samples;
      });
    });
  }
  if (s->pg) {
    s->pg_thread = std::thread([s] {
      s->run_every(s->options.pg_interval, [s](MonoTime now) {
        auto sample = s->pg->sample(s->t_ms(now));
        std::lock_guard lock(s->mutex);
        if (sample) {
          s->live.pg_connections = sample->total;
          s->pg_samples.push_back(*sample);
        } else if (s->pg_errors++ == 0) {
          s->notes.push_back("postgres sampling failed at " + std::to_string(s->t_ms(now)) +
                             " ms: " + sample.error().message);
        }
      });
    });
  }
  return std::unique_ptr<Profiler>(new Profiler(std::move(state)));
}

void Profiler::stop() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->process_thread.joinable()) state_->process_thread.join();
  if (state_->pg_thread.joinable()) state_->pg_thread.join();
}

LiveSnapshot Profiler::live() const {
  std::lock_guard lock(state_->mutex);
  return state_->live;
}

Profile Profiler::finish(const std::vector<PhaseInfo>& phases, int64_t total_requests,
                         const PhaseRequests& requests_by_phase, std::optional<MonoTime> timeline_start,
                         std::span<const IntervalStats> timeline) {
  stop();
  Profile profile;
  State& s = *state_;
  profile.interval_ms = s.options.processes.empty() ? s.options.pg_interval.count() : s.options.interval.count();
  if (s.processes) profile.processes = s.processes->take_timelines(profile.notes);
  profile.postgres = std::move(s.pg_samples);
  s.pg_samples.clear();
  if (s.pg_errors > 1) {
    s.notes.push_back("postgres sampling failed " + std::to_string(s.pg_errors) + " times in total");
  }
  profile.notes.insert(profile.notes.end(), s.notes.begin(), s.notes.end());
  s.notes.clear();
  s.pg_errors = 0;
  if (timeline_start) shift_to_timeline(profile, s.t_ms(*timeline_start));
  summarize_profile(profile, phases, total_requests, requests_by_phase, timeline);
  return profile;
}

}  // namespace perfgate
