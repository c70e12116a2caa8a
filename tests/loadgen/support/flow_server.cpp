#include "loadgen/support/flow_server.h"

#include <httplib.h>

#include <map>
#include <mutex>
#include <thread>

namespace perfgate::testing {

struct FlowServer::State {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<int64_t> streams_completed{0};
  std::atomic<int64_t> streams_cancelled{0};
  std::atomic<int64_t> job_polls{0};
  std::atomic<int64_t> number{0};
  std::mutex mutex;
  std::map<std::string, int64_t> requests;
  std::map<std::string, std::pair<int64_t, int64_t>> jobs;  // id -> (polls so far, ready after)
  int64_t next_job = 0;

  void count(const std::string& route) {
    std::lock_guard lock(mutex);
    ++requests[route];
  }
};

namespace {

int64_t param(const httplib::Request& req, const char* name, int64_t fallback) {
  return req.has_param(name) ? std::stoll(req.get_param_value(name)) : fallback;
}

}  // namespace

FlowServer::FlowServer() : state_(std::make_unique<State>()) {}

std::unique_ptr<FlowServer> FlowServer::start() {
  std::unique_ptr<FlowServer> s(new FlowServer());
  State& st = *s->state_;
  st.server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  st.server.Get("/stream", [&st](const httplib::Request& req, httplib::Response& res) {
    st.count("stream");
    const int64_t events = param(req, "events", 10);
    const auto first = std::chrono::milliseconds(param(req, "first_ms", 100));
    const auto every = std::chrono::milliseconds(param(req, "every_ms", 10));
    res.set_header("Cache-Control", "no-cache");
    auto sent = std::make_shared<int64_t>(0);
    res.set_chunked_content_provider(
        "text/event-stream",
        [events, first, every, sent](size_t, httplib::DataSink& sink) {
          std::this_thread::sleep_for(*sent == 0 ? first : every);
          if (*sent < events) {
            ++*sent;
            const std::string e =
                "event: progress\ndata: {\"progress\":" + std::to_string(100 * *sent / events) + "}\n\n";
            return sink.write(e.data(), e.size());
          }
          const std::string done = ": end of export\nevent: done\ndata: {\"rows\":" + std::to_string(events) + "}\n\n";
          if (!sink.write(done.data(), done.size())) return false;
          sink.done();
          return true;
        },
        [&st](bool success) { (success ? st.streams_completed : st.streams_cancelled).fetch_add(1); });
  });
  st.server.Post("/jobs", [&st](const httplib::Request& req, httplib::Response& res) {
    st.count("jobs");
    std::string id;
    {
      std::lock_guard lock(st.mutex);
      id = "j" + std::to_string(++st.next_job);
      st.jobs[id] = {0, param(req, "ready_after", 1)};
    }
    res.status = 202;
    res.set_header("X-Cache", "miss");
    res.set_content("{\"job_id\":\"" + id + "\"}", "application/json");
  });
  st.server.Get(R"(/jobs/(\w+))", [&st](const httplib::Request& req, httplib::Response& res) {
    st.count("job");
    st.job_polls.fetch_add(1);
    std::lock_guard lock(st.mutex);
    auto it = st.jobs.find(req.matches[1]);
    if (it == st.jobs.end()) {
      res.status = 404;
      return;
    }
    const bool done = ++it->second.first >= it->second.second;
    res.set_content(std::string("{\"status\":\"") + (done ? "done" : "running") + "\"}", "application/json");
  });
  st.server.Get("/number", [&st](const httplib::Request&, httplib::Response& res) {
    st.count("number");
    const int64_t n = st.number.fetch_add(1) + 1;
    res.set_header("X-Number", std::to_string(n));
    res.set_content("{\"n\":" + std::to_string(n) + "}", "application/json");
  });
  st.server.Get(R"(/echo/(\w+))", [&st](const httplib::Request& req, httplib::Response& res) {
    st.count("echo");
    res.set_content("{\"echo\":\"" + std::string(req.matches[1]) + "\"}", "application/json");
  });
  st.port = st.server.bind_to_any_port("127.0.0.1");
  if (st.port <= 0) return nullptr;
  st.thread = std::thread([&st] { st.server.listen_after_bind(); });
  return s;
}

FlowServer::~FlowServer() {
  state_->server.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::string FlowServer::url() const { return "http://127.0.0.1:" + std::to_string(state_->port); }
int64_t FlowServer::streams_completed() const { return state_->streams_completed.load(); }
int64_t FlowServer::streams_cancelled() const { return state_->streams_cancelled.load(); }
int64_t FlowServer::job_polls() const { return state_->job_polls.load(); }
int64_t FlowServer::requests(const std::string& route) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->requests.find(route);
  return it == state_->requests.end() ? 0 : it->second;
}

}  // namespace perfgate::testing
