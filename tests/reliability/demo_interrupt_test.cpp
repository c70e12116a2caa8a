// `perfgate demo` stopped during its "after" half leaves nothing behind: no PostgreSQL, no report
// service, no throw-away cluster directory. A SIGINT or SIGTERM stops it gracefully (exit 3, the
// reports of what ran written); a SIGKILL cannot be caught, and the servers still stop by their
// parent-death signal. (A CI run once left a PostgreSQL and a `perfgate-testbed --fixed` running
// after a test runner SIGKILLed the demo in its second half.) Other tests run in parallel, so the
// processes are found by what is unique to this demo: its TMPDIR, its cluster's port, its own pid.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reliability/support/perfgate_process.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Everything the child wrote to stderr so far (the harness names the file proc-*.err).
std::string stderr_of(const fs::path& scratch) {
  std::string all;
  for (const auto& e : fs::directory_iterator(scratch)) {
    if (e.path().extension() == ".err") all += slurp(e.path());
  }
  return all;
}

std::string cmdline_of(long pid) {
  std::string text = slurp("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : text) c = c == '\0' ? ' ' : c;
  return text;
}

// Live (not zombie) processes whose parent is `parent`.
std::vector<long> children_of(long parent) {
  std::vector<long> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = slurp(e.path() / "stat");
    const size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z') out.push_back(std::stol(name));
  }
  return out;
}

// Live processes that belong to this demo: descendants of `root` (while it runs), and anything whose
// command line names the demo's TMPDIR (the postmaster: `postgres -D TMPDIR/perfgate-pg-*/data`) or
// its cluster's port (the report services: `--dsn host=127.0.0.1 port=N ...`).
std::set<long> demo_processes(long root, const std::string& tmpdir, int pg_port) {
  std::set<long> found;
  std::vector<long> frontier{root};
  while (!frontier.empty()) {
    const long p = frontier.back();
    frontier.pop_back();
    for (long c : children_of(p)) {
      if (found.insert(c).second) frontier.push_back(c);
    }
  }
  const std::string port = "port=" + std::to_string(pg_port) + " ";
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(name);
    const std::string cmd = cmdline_of(pid);
    if (pid != root && (cmd.find(tmpdir + "/") != std::string::npos || cmd.find(port) != std::string::npos)) {
      const std::string stat = slurp(e.path() / "stat");
      const size_t close = stat.rfind(')');
      if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z') found.insert(pid);
    }
  }
  found.erase(root);
  return found;
}

bool alive(long pid) {
  const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

class DemoInterrupt : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("perfgate-demo-interrupt-" + std::to_string(::getpid()) + "-" + std::to_string(GetParam()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "scratch");
    fs::create_directories(root_ / "tmp");
    ::chmod(root_.c_str(), 0755);
    ::chmod((root_ / "tmp").c_str(), 0755);  // the cluster runs as the postgres user under root
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_P(DemoInterrupt, ASignalDuringTheAfterHalfLeavesNoProcessAndNoClusterDirectory) {
  const int signal = GetParam();
  const std::string tmpdir = (root_ / "tmp").string();
  testing::ProcessOptions options;
  options.extra_env = {"TMPDIR=" + tmpdir};
  options.kill_after = seconds(240);
  testing::PerfgateProcess demo(
      {"demo", "--quiet", "--duration", "8s", "--data-scale", "0.02", "--out", (root_ / "demo").string()},
      (root_ / "scratch").string(), options);
  const auto until = std::chrono::steady_clock::now() + seconds(180);
  while (stderr_of(root_ / "scratch").find("[6/7]") == std::string::npos && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(milliseconds(100));
  const std::string before_signal = stderr_of(root_ / "scratch");
  ASSERT_NE(before_signal.find("[6/7]"), std::string::npos) << before_signal;
  std::this_thread::sleep_for(milliseconds(1500));  // the "after" load is running

  std::smatch port;
  ASSERT_TRUE(std::regex_search(before_signal, port, std::regex("port ([0-9]+), pid ([0-9]+)"))) << before_signal;
  const int pg_port = std::stoi(port[1]);
  const long postmaster = std::stol(port[2]);
  const std::set<long> started = demo_processes(demo.pid(), tmpdir, pg_port);
  ASSERT_TRUE(started.count(postmaster)) << "the cluster is not running: " << before_signal;
  bool fixed_service = false;
  for (long pid : started) fixed_service = fixed_service || cmdline_of(pid).find("--fixed") != std::string::npos;
  ASSERT_TRUE(fixed_service) << "the \"after\" half's perfgate-testbed --fixed is not running";
  ASSERT_FALSE(fs::is_empty(tmpdir)) << "the cluster's directory is under TMPDIR";

  demo.send_signal(signal);
  const auto o = demo.finish();
  EXPECT_FALSE(o.timed_out) << o.err;
  if (signal == SIGKILL) {
    // Nothing in perfgate runs: the kernel's parent-death signal stops the servers.
    const auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (!demo_processes(demo.pid(), tmpdir, pg_port).empty() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(100));
  } else {
    EXPECT_EQ(o.exit_code, 3) << o.err;
    EXPECT_NE(o.err.find("demo interrupted during the \"after\" half"), std::string::npos) << o.err;
    EXPECT_TRUE(fs::exists(root_ / "demo" / "after.json")) << "what ran is still written";
    // Only a caught signal can remove the cluster's directory.
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(tmpdir)) left.push_back(e.path().string());
    EXPECT_TRUE(left.empty()) << left.front();
  }
  for (long pid : started) EXPECT_FALSE(alive(pid)) << "still running: " << pid << " " << cmdline_of(pid);
  const std::set<long> remaining = demo_processes(demo.pid(), tmpdir, pg_port);
  for (long pid : remaining) ADD_FAILURE() << "still running: " << pid << " " << cmdline_of(pid);
}

INSTANTIATE_TEST_SUITE_P(Reliability, DemoInterrupt, ::testing::Values(SIGTERM, SIGINT, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& s) {
                           return s.param == SIGINT ? "Sigint" : s.param == SIGTERM ? "Sigterm" : "Sigkill";
                         });

}  // namespace
}  // namespace perfgate
