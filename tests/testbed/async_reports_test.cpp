#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "service_fixture.h"

namespace perfgate {
namespace {

using nlohmann::json;
using testing::client_for;
using testing::start_service;
using testing::stats_of;

json job_status(const TestbedProcess& service, const std::string& id) {
  auto client = client_for(service);
  auto res = client.Get(("/reports/jobs/" + id).c_str());
  return res && res->status == 200 ? json::parse(res->body) : json();
}

json wait_until_finished(const TestbedProcess& service, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  json job = job_status(service, id);
  while ((job.is_null() || job["status"] == "pending" || job["status"] == "running") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    job = job_status(service, id);
  }
  return job;
}

TEST(AsyncReports, ConcurrentIdenticalRequestsShareOneGenerationAndThenHitTheCache) {
  // The knob makes each generation take >= 1 s, so the burst normally finds it pending or running;
  // a straggler arriving after it finished gets the cached copy, which is equally not a generation.
  auto service = start_service({"--delay-ms", "1000"});
  ASSERT_NE(service, nullptr);
  constexpr int kRequests = 8;
  std::vector<int> statuses(kRequests);
  std::vector<std::string> job_ids(kRequests);
  std::vector<std::string> cache_headers(kRequests);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      auto client = client_for(*service);
      ++ready;
      while (ready.load() < kRequests) std::this_thread::yield();
      auto res = client.Post("/reports/async?user_id=11");
      if (!res) return;
      statuses[i] = res->status;
      cache_headers[i] = res->get_header_value("X-Cache");
      if (res->status == 202) job_ids[i] = json::parse(res->body)["job_id"];
    });
  }
  for (auto& t : threads) t.join();
  // Which thread's request reaches the service first is up to the scheduler: the job id to expect
  // is the one any queued (202) request got.
  std::string job_id;
  for (int i = 0; i < kRequests; ++i) {
    if (statuses[i] == 202 && job_id.empty()) job_id = job_ids[i];
  }
  ASSERT_FALSE(job_id.empty()) << "no request was queued";
  int queued = 0;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(statuses[i] == 202 || statuses[i] == 200) << i << ": " << statuses[i];
    EXPECT_EQ(cache_headers[i], statuses[i] == 202 ? "miss" : "hit") << i;
    if (statuses[i] == 202) {
      EXPECT_EQ(job_ids[i], job_id) << i;
      ++queued;
    }
  }
  json job = wait_until_finished(*service, job_id);
  EXPECT_EQ(job["status"], "done") << job.dump();

  auto client = client_for(*service);
  auto hit = client.Post("/reports/async?user_id=11");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, 200);
  EXPECT_EQ(hit->get_header_value("X-Cache"), "hit");
  auto result = client.Get(("/reports/async/result/" + job_id).c_str());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, hit->body);
  EXPECT_EQ(json::parse(result->body)["user_id"], 11);

  json stats = stats_of(*service);
  EXPECT_EQ(stats["async_generations"], 1);
  EXPECT_EQ(stats["async_duplicates"], queued - 1);
  EXPECT_EQ(stats["async_cache_hits"], kRequests - queued + 1);
}

TEST(AsyncReports, OnlyOneGenerationRunsAtATimeForTheSameReportedUser) {
  auto service = start_service({"--delay-ms", "200", "--async-workers", "4"});
  ASSERT_NE(service, nullptr);
  auto client = client_for(*service);
  auto first = client.Post("/reports/async?user_id=12&days=30");
  auto second = client.Post("/reports/async?user_id=12&days=60");
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->status, 202);
  ASSERT_EQ(second->status, 202);
  const std::string a = json::parse(first->body)["job_id"];
  const std::string b = json::parse(second->body)["job_id"];
  EXPECT_NE(a, b);

  bool both_running = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  json ja;
  json jb;
  do {
    ja = job_status(*service, a);
    jb = job_status(*service, b);
    both_running = both_running || (ja["status"] == "running" && jb["status"] == "running");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while ((ja["status"] != "done" || jb["status"] != "done") && std::chrono::steady_clock::now() < deadline);
  EXPECT_FALSE(both_running);
  EXPECT_EQ(ja["status"], "done");
  EXPECT_EQ(jb["status"], "done");
  EXPECT_EQ(stats_of(*service)["async_generations"], 2);
  EXPECT_EQ(client.Get("/reports/jobs/job-999")->status, 404);
}

}  // namespace
}  // namespace perfgate
