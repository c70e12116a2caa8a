// A throw-away PostgreSQL and perfgate-testbed for the bench scripts: starts both, prints
// "url http://127.0.0.1:PORT" on stdout, serves until SIGTERM or SIGINT, then stops both.
// Every argument is passed to perfgate-testbed (e.g. --pool-size 4 --pool-hold-ms 20).
// Usage: perfgate_testbed_serve [TESTBED FLAGS...]     (bench/find_limit.sh)
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "testbed/pg_cluster.h"
#include "testbed/testbed_process.h"

int main(int argc, char** argv) {
  // Blocked before any thread starts, so sigwait below is the only place the signals land.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  auto cluster = perfgate::PgCluster::start();
  if (!cluster) {
    std::fprintf(stderr, "postgres: %s\n", cluster.error().message.c_str());
    return 3;
  }
  perfgate::TestbedProcessOptions options;
  options.dsn = (*cluster)->dsn();
  options.scale = 0.05;
  options.extra_args = std::vector<std::string>(argv + 1, argv + argc);
  auto service = perfgate::TestbedProcess::start(options);
  if (!service) {
    std::fprintf(stderr, "testbed: %s\n", service.error().message.c_str());
    return 3;
  }
  std::printf("url %s\n", (*service)->base_url().c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop, &signal);
  return 0;
}
