#include "testbed/pg_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <thread>
#include <vector>

#include "core/child_processes.h"
#include "subprocess.h"

namespace perfgate {
namespace {

using namespace std::chrono_literals;
using testbed_detail::Output;
using testbed_detail::RunAs;
using testbed_detail::SpawnSpec;

constexpr const char* kPackages = "postgresql-15 postgresql-contrib postgresql-15-hypopg";
constexpr int kPortAttempts = 3;

std::string quote_setting(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The port is released before postgres binds it, so another process may take it in between; the
// caller retries with a fresh port when the server reports the address in use.
Result<int> free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string reason = std::strerror(errno);
    close(fd);
    return unavailable("cannot find a free loopback port: " + reason);
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

Status check_binaries(const std::string& bin_dir) {
  for (const char* name : {"initdb", "postgres", "psql", "pg_isready"}) {
    std::string path = bin_dir + "/" + name;
    if (access(path.c_str(), X_OK) != 0) {
      return unavailable("PostgreSQL binary " + path + " not found; install it with: apt-get install -y " + kPackages +
                         " (or set PgClusterOptions::bin_dir)");
    }
  }
  return {};
}

Status write_config(const std::string& conf_path, int port, const std::string& socket_dir,
                    const PgClusterOptions& options) {
  std::map<std::string, std::string> settings = {
      {"listen_addresses", "127.0.0.1"},
      {"port", std::to_string(port)},
      {"unix_socket_directories", socket_dir},
      {"shared_preload_libraries", "pg_stat_statements"},
      {"pg_stat_statements.track", "all"},
      {"max_connections", std::to_string(options.max_connections)},
      // A throw-away cluster: durability costs time and buys nothing.
      {"fsync", "off"},
      {"synchronous_commit", "off"},
      {"full_page_writes", "off"},
  };
  for (const auto& [name, value] : options.settings) settings[name] = value;
  std::ofstream out(conf_path, std::ios::app);
  out << "\n# perfgate throw-away cluster\n";
  for (const auto& [name, value] : settings) out << name << " = " << quote_setting(value) << "\n";
  out.close();
  if (!out) return io_error(conf_path + ": cannot append settings");
  return {};
}

// A client tool of `bin_dir` with `options`, aimed at `database` on the loopback port as postgres.
std::vector<std::string> client_argv(const std::string& bin_dir, const char* tool, int port,
                                     const std::string& database, std::initializer_list<std::string> options) {
  std::vector<std::string> argv{bin_dir + "/" + tool};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"-h", "127.0.0.1", "-p", std::to_string(port), "-U", "postgres", "-d", database});
  return argv;
}

}  // namespace

Result<std::unique_ptr<PgCluster>> PgCluster::start(const PgClusterOptions& options) {
  if (Status binaries = check_binaries(options.bin_dir); !binaries) return binaries.error();
  auto identity = testbed_detail::identity_for(RunAs::kPostgresIfRoot);
  if (!identity) return identity.error();

  std::unique_ptr<PgCluster> cluster(new PgCluster());
  cluster->bin_dir_ = options.bin_dir;
  cluster->database_ = options.database;
  // $TMPDIR as mkdtemp(3) users expect (tests point it at a directory they check and remove); the
  // server's Unix socket lives in this directory, so a path too long for a socket falls back to /tmp.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string parent = tmpdir != nullptr && *tmpdir != '\0' && std::strlen(tmpdir) < 60 ? tmpdir : "/tmp";
  std::string pattern = parent + "/perfgate-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return io_error("mkdtemp " + parent + ": " + std::strerror(errno));
  cluster->root_dir_ = pattern;
  // Registered from its creation, not only once the server runs: a signal between initdb and the
  // server's start (or during either) must not leave the directory behind either.
  cluster->dir_slot_ = register_directory(cluster->root_dir_);
  cluster->data_dir_ = cluster->root_dir_ + "/data";
  if (identity->switches() && chown(pattern.c_str(), identity->uid, identity->gid) != 0) {
    return io_error(cluster->root_dir_ + ": chown to postgres: " + std::strerror(errno));
  }

  SpawnSpec initdb;
  initdb.argv = {options.bin_dir + "/initdb",
                 "-D",
                 cluster->data_dir_,
                 "-U",
                 "postgres",
                 "--auth=trust",
                 "-E",
                 "UTF8",
                 "--locale=C",
                 "--no-sync"};
  initdb.working_dir = cluster->root_dir_;
  initdb.run_as = RunAs::kPostgresIfRoot;
  // initdb takes seconds: a SIGINT/SIGTERM meanwhile must not leave the directory behind.
  initdb.cleanup_dir = cluster->root_dir_;
  auto initdb_run = testbed_detail::run_captured(initdb, 120s);
  if (!initdb_run) return initdb_run.error();
  if (initdb_run->exit_code != 0) {
    return unavailable("initdb failed (exit " + std::to_string(initdb_run->exit_code) + "): " + initdb_run->err +
                       initdb_run->out);
  }

  const std::string conf_path = cluster->data_dir_ + "/postgresql.conf";
  const std::string base_conf = testbed_detail::file_tail(conf_path, 1 << 20);
  for (int attempt = 1;; ++attempt) {
    auto port = free_loopback_port();
    if (!port) return port.error();
    {
      std::ofstream reset(conf_path, std::ios::trunc);
      reset << base_conf;
    }
    if (Status written = write_config(conf_path, *port, cluster->root_dir_, options); !written) {
      return written.error();
    }
    SpawnSpec server;
    server.argv = {options.bin_dir + "/postgres", "-D", cluster->data_dir_};
    server.working_dir = cluster->root_dir_;
    server.output_file = cluster->log_path();
    server.run_as = RunAs::kPostgresIfRoot;
    // Immediate shutdown: the postmaster stops its backends and exits (its directory stays behind).
    server.parent_death_signal = SIGQUIT;
    auto spawned = testbed_detail::spawn(server);
    if (!spawned) return spawned.error();
    cluster->pid_ = spawned->pid;
    cluster->port_ = *port;
    cluster->registry_slot_ =
        register_child(ChildProcess{spawned->pid, StopScope::kProcess, SIGQUIT, cluster->root_dir_});

    Status ready = cluster->wait_until_ready(60s);
    if (ready) break;
    const std::string log = testbed_detail::file_tail(cluster->log_path(), 4000);
    cluster->stop_server();
    if (attempt < kPortAttempts && log.find("Address already in use") != std::string::npos) continue;
    return ready.error();
  }

  if (!options.database.empty() && options.database != "postgres") {
    auto created = cluster->psql("CREATE DATABASE " + quote_identifier(options.database), "postgres");
    if (!created) return created.error().with_context("creating database " + options.database);
  }
  if (options.create_extensions) {
    auto extensions =
        cluster->psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE EXTENSION IF NOT EXISTS hypopg;");
    if (!extensions) {
      return unavailable("cannot create extensions pg_stat_statements and hypopg (install: apt-get install -y " +
                         std::string(kPackages) + "): " + extensions.error().message);
    }
  }
  return cluster;
}

Status PgCluster::wait_until_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  SpawnSpec probe;
  probe.argv = client_argv(bin_dir_, "pg_isready", port_, "postgres", {"-q", "-t", "2"});
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(static_cast<pid_t>(pid_), &status, WNOHANG) == static_cast<pid_t>(pid_)) {
      unregister_child(registry_slot_);
      registry_slot_ = -1;
      pid_ = 0;
      return unavailable("postgres exited during startup; log tail (" + log_path() + "):\n" +
                         testbed_detail::file_tail(log_path(), 4000));
    }
    auto probed = testbed_detail::run_captured(probe, 10s);
    if (probed && probed->exit_code == 0) return {};
    std::this_thread::sleep_for(50ms);
  }
  return unavailable("postgres did not become ready within " + std::to_string(timeout.count() / 1000) +
                     " s; log tail (" + log_path() + "):\n" + testbed_detail::file_tail(log_path(), 4000));
}

PgCluster::~PgCluster() { stop(); }

std::string PgCluster::dsn(std::string_view database) const {
  std::string db(database.empty() ? std::string_view(database_) : database);
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db;
}

std::string PgCluster::uri(std::string_view database) const {
  std::string db(database.empty() ? std::string_view(database_) : database);
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

Result<std::string> PgCluster::psql(const std::string& sql, std::string_view database) const {
  std::string db(database.empty() ? std::string_view(database_) : database);
  SpawnSpec run;
  run.argv = client_argv(bin_dir_, "psql", port_, db, {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-c", sql});
  auto captured = testbed_detail::run_captured(run, 120s);
  if (!captured) return captured.error();
  if (captured->exit_code != 0) {
    return internal_error("psql failed (exit " + std::to_string(captured->exit_code) + "): " + captured->err);
  }
  std::string out = std::move(captured->out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void PgCluster::stop_server() {
  if (pid_ <= 0) return;
  // SIGINT is PostgreSQL's "fast" shutdown: roll back sessions, checkpoint, exit. The server stays
  // registered until it is gone, so a signal during the shutdown still stops it.
  testbed_detail::stop_process(static_cast<pid_t>(pid_), SIGINT, 10s);
  unregister_child(registry_slot_);
  registry_slot_ = -1;
  pid_ = 0;
}

void PgCluster::stop() {
  stop_server();
  if (!root_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(root_dir_, ignored);
    root_dir_.clear();
  }
  unregister_directory(dir_slot_);
  dir_slot_ = -1;
}

}  // namespace perfgate
