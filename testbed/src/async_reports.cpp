#include "async_reports.h"

#include <algorithm>

namespace perfgate::testbed_service {
namespace {

using nlohmann::json;

constexpr std::size_t kRetainedJobs = 10000;

std::string cache_key(long user_id, int days) { return std::to_string(user_id) + ":" + std::to_string(days); }

}  // namespace

const char* to_string(JobStatus status) {
  switch (status) {
    case JobStatus::kPending:
      return "pending";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kDone:
      return "done";
    case JobStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

AsyncReports::AsyncReports(ConnectionPool& pool, ServiceStats& stats, const ServiceOptions& options)
    : pool_(pool), stats_(stats), options_(options) {
  for (int i = 0; i < std::max(1, options.async_workers); ++i) workers_.emplace_back([this] { work(); });
}

AsyncReports::~AsyncReports() { shutdown(); }

void AsyncReports::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

AsyncReports::Submission AsyncReports::submit(long user_id, int days) {
  const std::string key = cache_key(user_id, days);
  std::lock_guard lock(mutex_);
  stats_.async_requests++;
  if (auto cached = cache_.find(key);
      cached != cache_.end() &&
      std::chrono::steady_clock::now() - cached->second.generated_at < std::chrono::seconds(options_.cache_ttl_s)) {
    stats_.async_cache_hits++;
    return Submission{true, cached->second.body, {}};
  }
  stats_.async_cache_misses++;
  if (auto active = active_.find(key); active != active_.end()) {
    stats_.async_duplicates++;
    return Submission{false, {}, active->second};
  }
  const std::string id = "job-" + std::to_string(next_id_++);
  Job job;
  job.view.id = id;
  job.view.user_id = user_id;
  job.key = key;
  job.days = days;
  jobs_.emplace(id, std::move(job));
  job_order_.push_back(id);
  queue_.push_back(id);
  active_[key] = id;
  while (job_order_.size() > kRetainedJobs) {
    auto oldest = jobs_.find(job_order_.front());
    if (oldest != jobs_.end() &&
        (oldest->second.view.status == JobStatus::kPending || oldest->second.view.status == JobStatus::kRunning)) {
      break;
    }
    if (oldest != jobs_.end()) jobs_.erase(oldest);
    job_order_.pop_front();
  }
  changed_.notify_one();
  return Submission{false, {}, id};
}

std::optional<JobView> AsyncReports::job(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto found = jobs_.find(id);
  if (found == jobs_.end()) return std::nullopt;
  return found->second.view;
}

AsyncReports::Job* AsyncReports::next_runnable() {
  // The first queued job whose user has no generation running: same-user jobs wait their turn so
  // they can reuse what the previous one cached, other users are not held back by them.
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    Job& job = jobs_.at(*it);
    if (running_users_.count(job.view.user_id) == 0) {
      queue_.erase(it);
      return &job;
    }
  }
  return nullptr;
}

void AsyncReports::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    Job* job = nullptr;
    changed_.wait(lock, [&] { return stopping_ || (job = next_runnable()) != nullptr; });
    if (stopping_) return;
    job->view.status = JobStatus::kRunning;
    running_users_.insert(job->view.user_id);
    const long user_id = job->view.user_id;
    const int days = job->days;
    const std::string id = job->view.id;
    lock.unlock();

    std::string body;
    std::string error;
    try {
      body = generate(user_id, days);
    } catch (const std::exception& e) {
      error = e.what();
    }

    lock.lock();
    running_users_.erase(user_id);
    auto found = jobs_.find(id);
    if (found != jobs_.end()) {
      active_.erase(found->second.key);
      if (error.empty()) {
        found->second.view.status = JobStatus::kDone;
        found->second.view.body = body;
        cache_[found->second.key] = CachedReport{body, std::chrono::steady_clock::now()};
        stats_.async_generations++;
      } else {
        found->second.view.status = JobStatus::kFailed;
        found->second.view.error = error;
        stats_.async_failures++;
      }
    }
    changed_.notify_all();
  }
}

std::string AsyncReports::generate(long user_id, int days) {
  ReportDelay delay(options_);
  Lease lease = pool_.acquire();
  if (!lease) throw std::runtime_error("database connection pool exhausted");
  pqxx::work tx(*lease);
  db_round_trip(options_);
  const pqxx::result rows = tx.exec_params(
      "select p.category, date_trunc('month', t.created_at)::date as month, count(*), sum(t.amount) "
      "from transactions t join products p on p.id = t.product_id "
      "where t.user_id = $1 and t.created_at >= (select max(created_at) from transactions) - make_interval(days => $2) "
      "group by 1, 2 order by 2, 1",
      user_id, days);
  json lines = json::array();
  for (const auto& r : rows) {
    lines.push_back({{"category", r[0].c_str()},
                     {"month", r[1].c_str()},
                     {"count", r[2].as<long>()},
                     {"total", std::stod(r[3].c_str())}});
  }
  std::string body = json{{"user_id", user_id}, {"days", days}, {"lines", lines}}.dump();
  db_round_trip(options_);
  tx.exec_params("insert into reports (user_id, kind, body) values ($1, 'user-summary', $2::jsonb)", user_id, body);
  tx.commit();
  return body;
}

void register_async_routes(httplib::Server& server, ServiceContext& ctx) {
  server.Post("/reports/async", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto user_id = int_param(req, res, "user_id", 1, 1, 2'000'000'000);
    if (!user_id) return;
    auto days = int_param(req, res, "days", 365, 1, 3650);
    if (!days) return;
    const auto submission = ctx.async_reports.submit(*user_id, static_cast<int>(*days));
    if (submission.cache_hit) {
      res.set_header("X-Cache", "hit");
      res.status = 200;
      res.set_content(submission.body, "application/json");
      return;
    }
    res.set_header("X-Cache", "miss");
    send_json(res, 202,
              {{"job_id", submission.job_id},
               {"status_url", "/reports/jobs/" + submission.job_id},
               {"result_url", "/reports/async/result/" + submission.job_id}});
  });
  server.Get(R"(/reports/jobs/([\w-]+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto job = ctx.async_reports.job(req.matches[1]);
    if (!job) return send_json(res, 404, {{"error", "no job " + std::string(req.matches[1])}});
    json body = {{"job_id", job->id}, {"status", to_string(job->status)}, {"user_id", job->user_id}};
    if (job->status == JobStatus::kDone) body["result_url"] = "/reports/async/result/" + job->id;
    if (job->status == JobStatus::kFailed) body["error"] = job->error;
    send_json(res, 200, body);
  });
  server.Get(R"(/reports/async/result/([\w-]+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto job = ctx.async_reports.job(req.matches[1]);
    if (!job) return send_json(res, 404, {{"error", "no job " + std::string(req.matches[1])}});
    switch (job->status) {
      case JobStatus::kDone:
        res.status = 200;
        res.set_content(job->body, "application/json");
        return;
      case JobStatus::kFailed:
        return send_json(res, 500, {{"job_id", job->id}, {"status", "failed"}, {"error", job->error}});
      default:
        return send_json(res, 202, {{"job_id", job->id}, {"status", to_string(job->status)}});
    }
  });
}

}  // namespace perfgate::testbed_service
