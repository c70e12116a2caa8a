#pragma once
// Background report generation (seed 002): a cache of finished reports, de-duplication of
// identical requests (same key -> same job), and at most one running generation per reported user.

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "service_context.h"

namespace perfgate::testbed_service {

enum class JobStatus { kPending, kRunning, kDone, kFailed };

/// A snapshot of one job.
struct JobView {
  std::string id;
  JobStatus status = JobStatus::kPending;
  long user_id = 0;
  std::string body;   ///< the report JSON when done
  std::string error;  ///< why it failed
};

/// Owns the worker threads; thread-safe. Workers stop on shutdown() or destruction.
class AsyncReports {
 public:
  AsyncReports(ConnectionPool& pool, ServiceStats& stats, const ServiceOptions& options);
  ~AsyncReports();
  AsyncReports(const AsyncReports&) = delete;
  AsyncReports& operator=(const AsyncReports&) = delete;

  /// A fresh cached report (cache hit), or the id of the job that will produce it: an existing
  /// pending/running job for the same key (counted as a duplicate) or a newly queued one.
  struct Submission {
    bool cache_hit = false;
    std::string body;
    std::string job_id;
  };
  Submission submit(long user_id, int days);

  [[nodiscard]] std::optional<JobView> job(const std::string& id) const;

  void shutdown();

 private:
  struct Job {
    JobView view;
    std::string key;
    int days = 0;
  };
  struct CachedReport {
    std::string body;
    std::chrono::steady_clock::time_point generated_at;
  };
  void work();
  Job* next_runnable();  // requires mutex_
  std::string generate(long user_id, int days);

  ConnectionPool& pool_;
  ServiceStats& stats_;
  const ServiceOptions& options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  long next_id_ = 1;
  std::map<std::string, Job> jobs_;
  std::deque<std::string> job_order_;          // for bounded retention of finished jobs
  std::deque<std::string> queue_;              // pending job ids, FIFO
  std::map<std::string, std::string> active_;  // key -> pending/running job id
  std::set<long> running_users_;
  std::map<std::string, CachedReport> cache_;
  std::vector<std::thread> workers_;
};

/// POST /reports/async, GET /reports/jobs/{id}, GET /reports/async/result/{id}.
void register_async_routes(httplib::Server& server, ServiceContext& ctx);

/// "pending", "running", "done" or "failed".
const char* to_string(JobStatus status);

}  // namespace perfgate::testbed_service
