#pragma once
// A loopback HTTP server with known timings for the flow tests (cpp-httplib, one thread per
// connection): SSE streams with a known first-event delay and rate, jobs that become ready after a
// known number of polls, numbered responses for extraction and checks. Counts what it served.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace perfgate::testing {

/// Routes:
///   GET  /stream?events=N&first_ms=F&every_ms=E  SSE: first event after F ms, then one every E ms,
///        each `event: progress` with data {"progress":P}; then `event: done`. A client that closes
///        early is counted in streams_cancelled().
///   POST /jobs?ready_after=K  202 {"job_id":"jI"}, X-Cache: miss (K = polls until done)
///   GET  /jobs/{id}           {"status":"running"} until the Kth poll of that job, then {"status":"done"}
///   GET  /number              {"n":I} with X-Number: I, I = 1, 2, 3, ... per request
///   GET  /echo/{text}         {"echo":"text"}
class FlowServer {
 public:
  /// Starts on a free 127.0.0.1 port; nullptr when it cannot bind.
  static std::unique_ptr<FlowServer> start();
  ~FlowServer();
  FlowServer(const FlowServer&) = delete;
  FlowServer& operator=(const FlowServer&) = delete;

  [[nodiscard]] std::string url() const;
  [[nodiscard]] int64_t streams_completed() const;
  [[nodiscard]] int64_t streams_cancelled() const;
  [[nodiscard]] int64_t job_polls() const;
  [[nodiscard]] int64_t requests(const std::string& route) const;

 private:
  struct State;
  FlowServer();
  std::unique_ptr<State> state_;
};

}  // namespace perfgate::testing
