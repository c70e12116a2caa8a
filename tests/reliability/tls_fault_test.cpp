// TLS handshake failure: an https:// target with a self-signed certificate (made with openssl at
// test time, served by cpp-httplib's SSLServer) fails every request as a connect error, exits 3 like
// any unreachable target and writes its result; `--insecure` accepts the certificate knowingly and
// then every request succeeds.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/run_result_io.h"
#include "loadgen/engine.h"
#include "reliability/support/perfgate_process.h"
#include "scenarios/parser.h"

namespace perfgate {
namespace {

using std::chrono::milliseconds;

class SelfSignedServer {
 public:
  explicit SelfSignedServer(const std::filesystem::path& dir) {
    const std::string cert = (dir / "cert.pem").string();
    const std::string key = (dir / "key.pem").string();
    const std::string make = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout '" + key +
                             "' -out '" + cert + "' >/dev/null 2>&1";
    ok_ = std::system(make.c_str()) == 0;
    if (!ok_) return;
    server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    server_->Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // bind_to_any_port already listens: connections queue until the thread accepts them.
  }
  ~SelfSignedServer() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] bool ok() const { return ok_ && port_ > 0 && server_->is_valid(); }
  [[nodiscard]] std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  bool ok_ = false;
  int port_ = 0;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
};

class TlsFault : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("perfgate-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> args(const std::string& url, const std::string& out) const {
    return {"run",       "--url", url,         "--rate", "10",      "--duration", "1s",
            "--timeout", "2s",    "--threads", "2",      "--quiet", "--out",      out};
  }
  std::filesystem::path dir_;
};

int64_t count(const RunResult& r, const std::string& category) {
  int64_t n = 0;
  for (const auto& e : r.endpoints) {
    const auto it = e.errors.by_category.find(category);
    if (it != e.errors.by_category.end()) n += it->second;
  }
  return n;
}

TEST_F(TlsFault, SelfSignedCertificateFailsAsConnectUnlessInsecureIsGiven) {
  SelfSignedServer server(dir_);
  ASSERT_TRUE(server.ok());
  const std::string out = (dir_ / "verify.json").string();
  const auto o = testing::run_perfgate(args(server.url(), out), dir_.string());
  EXPECT_FALSE(o.signalled) << o.err;
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("unreachable"), std::string::npos) << o.err;
  EXPECT_LE(o.wall, milliseconds(1000 + 2000 + 5000));
  auto verified = read_run_result(out);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(verified->total_requests(), 10);
  EXPECT_EQ(count(*verified, "connect"), 10);

  const std::string insecure_out = (dir_ / "insecure.json").string();
  auto insecure_args = args(server.url(), insecure_out);
  insecure_args.emplace_back("--insecure");
  const auto i = testing::run_perfgate(insecure_args, dir_.string());
  EXPECT_EQ(i.exit_code, 0) << i.err;
  auto accepted = read_run_result(insecure_out);
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(accepted->total_requests(), 10);
  EXPECT_EQ(accepted->total_errors(), 0);
}

TEST_F(TlsFault, HandshakeFailuresLeaveNoDescriptorOpenInTheEngine) {
  SelfSignedServer server(dir_);
  ASSERT_TRUE(server.ok());
  QuickOptions quick;
  quick.url = server.url();
  quick.rate = 10;
  quick.duration = std::chrono::milliseconds(500);
  quick.timeout = std::chrono::seconds(2);
  auto scenario = scenario_from_quick(quick);
  ASSERT_TRUE(scenario.ok());
  EngineOptions engine;
  engine.threads = 2;
  // libcurl and OpenSSL keep process-wide state (opened once): warm them up before counting.
  ASSERT_TRUE(run_load(*scenario, engine, SteadyClock::instance()).ok());
  const int before = testing::open_descriptor_count();
  for (TlsVerification tls : {TlsVerification::kVerify, TlsVerification::kSkip}) {
    engine.tls = tls;
    auto r = run_load(*scenario, engine, SteadyClock::instance());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->total_requests(), 5);
    EXPECT_EQ(count(*r, "connect"), tls == TlsVerification::kVerify ? 5 : 0);
    // The TLS server runs in this process and closes its side of each connection on its own thread,
    // a moment after the engine closed ours: wait for that, but a leak in the engine never settles.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (testing::open_descriptor_count() != before && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_EQ(testing::open_descriptor_count(), before) << "descriptors leaked";
  }
}

}  // namespace
}  // namespace perfgate
