// perfgate-testbed: the bundled report service the demo and the integration tests run against.
// See docs/testbed.md for endpoints, flags and the pathologies it carries on purpose.

#include <httplib.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "async_reports.h"
#include "cpu_cost.h"
#include "overload.h"
#include "report_routes.h"
#include "schema.h"
#include "service_context.h"

namespace {

using perfgate::testbed_service::ServiceOptions;

int serve(const ServiceOptions& options) {
  using namespace perfgate::testbed_service;
  if (options.seed) {
    try {
      pqxx::connection connection(options.dsn);
      ensure_seeded(connection, options.scale);
    } catch (const std::exception& e) {
      std::cerr << "perfgate-testbed: cannot seed the database (" << options.dsn << "): " << e.what() << "\n";
      return 3;
    }
  }

  if (options.fixed) {
    try {
      pqxx::connection connection(options.dsn);
      add_fixed_indexes(connection);
    } catch (const std::exception& e) {
      std::cerr << "perfgate-testbed: cannot create the --fixed index (" << options.dsn << "): " << e.what() << "\n";
      return 3;
    }
  }

  // Signals are taken by one thread with sigwait instead of a handler, so shutdown can call
  // httplib's (not async-signal-safe) stop() directly. Blocked before any thread starts so every
  // thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ServiceStats stats;
  ConnectionPool pool(options.dsn, options.pool_size, std::chrono::milliseconds(options.pool_timeout_ms), stats);
  AsyncReports async_reports(pool, stats, options);
  ServiceContext ctx{options, stats, pool, async_reports};

  httplib::Server server;
  // httplib writes a response's head and body separately; with Nagle's algorithm the body then waits
  // for the ACK of the head, which the client delays by ~40 ms on a reused connection, so 3 of 5
  // requests measured the stall instead of the endpoint. Accepted sockets inherit the option.
  server.set_tcp_nodelay(true);
  const int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  std::optional<Overload> overload;
  if (options.overload_rps > 0) {
    overload.emplace(options.overload_rps, std::chrono::milliseconds(options.recover_after_ms),
                     std::chrono::milliseconds(options.degraded_delay_ms));
  }
  std::optional<CpuCost> cpu_cost;
  if (options.cpu_per_request_us > 0 || options.cpu_growth_us > 0) {
    cpu_cost.emplace(options.cpu_per_request_us, options.cpu_growth_us);
  }
  server.set_pre_routing_handler([&stats, &overload, &cpu_cost](const httplib::Request&, httplib::Response& res) {
    stats.requests++;
    if (cpu_cost) cpu_cost->burn();
    if (overload) {
      const OverloadDecision d = overload->on_arrival(std::chrono::steady_clock::now());
      if (d.shed) {
        send_json(res, 503, {{"error", "overloaded: shedding load"}});
        return httplib::Server::HandlerResponse::Handled;
      }
      if (d.delay.count() > 0) std::this_thread::sleep_for(d.delay);
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  register_basic_routes(server, ctx);
  register_report_routes(server, ctx);
  register_stream_routes(server, ctx);
  register_async_routes(server, ctx);

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port("127.0.0.1");
  } else if (!server.bind_to_port("127.0.0.1", port)) {
    port = -1;
  }
  if (port <= 0) {
    std::cerr << "perfgate-testbed: cannot listen on 127.0.0.1:" << options.port << "\n";
    return 3;
  }
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);

  std::thread signal_thread([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    server.stop();
  });
  server.listen_after_bind();
  // Wakes the signal thread if the server stopped on its own; if the thread already took a signal,
  // this one stays pending (blocked everywhere) and is discarded at exit.
  kill(getpid(), SIGTERM);
  signal_thread.join();
  async_reports.shutdown();
  return 0;
}

int parse_and_serve(int argc, char** argv) {
  ServiceOptions options;
  if (const char* delay = std::getenv("PERFGATE_TESTBED_DELAY_MS"); delay != nullptr && *delay != '\0') {
    options.delay_ms = std::atoi(delay);
  }
  CLI::App app{"perfgate-testbed: a small PostgreSQL-backed report service with known pathologies"};
  // A flag given twice takes its last value, so launchers can append overrides to their defaults.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--port", options.port, "TCP port on 127.0.0.1 (0: pick a free one and print it)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--dsn", options.dsn, "libpq connection string of the database")->required();
  app.add_option("--pool-size", options.pool_size, "database connections")->check(CLI::Range(1, 1000));
  app.add_option("--pool-timeout-ms", options.pool_timeout_ms, "wait for a free connection before 503")
      ->check(CLI::Range(0, 600000));
  app.add_option("--scale", options.scale, "seed size factor (1.0: 200k transactions)")
      ->check(CLI::Range(0.0001, 100.0));
  app.add_flag("--seed", options.seed, "create schema and data when missing");
  app.add_option("--threads", options.threads, "HTTP worker threads")->check(CLI::Range(1, 1024));
  app.add_option("--async-workers", options.async_workers, "background report generators")->check(CLI::Range(1, 256));
  app.add_option("--cache-ttl-s", options.cache_ttl_s, "freshness of cached async reports, seconds")
      ->check(CLI::Range(0, 86400));
  app.add_option("--delay-ms", options.delay_ms, "added to every /reports response (also PERFGATE_TESTBED_DELAY_MS)")
      ->check(CLI::Range(0, 600000));
  app.add_option("--delay-factor", options.delay_factor, "/reports responses take F x their work time")
      ->check(CLI::Range(1.0, 1000.0));
  app.add_option("--stream-chunk-delay-ms", options.stream_chunk_delay_ms,
                 "processing time per 1,000-row chunk of the streamed export")
      ->check(CLI::Range(0, 60000));
  app.add_option("--pool-hold-ms", options.pool_hold_ms,
                 "hold every database connection this much longer (capacity: pool-size / hold)")
      ->check(CLI::Range(0, 600000));
  app.add_option("--db-latency-ms", options.db_latency_ms,
                 "round trip added before every statement, as to a database across a network (e.g. 0.7)")
      ->check(CLI::Range(0.0, 1000.0));
  app.add_flag("--fixed", options.fixed,
               "serve /reports/sales from one JOIN and /reports/export streamed; index transactions(region)");
  app.add_option("--overload-rps", options.overload_rps,
                 "spike knob: arrivals above this rate (over 250 ms) get 503 at once; 0: off")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--recover-after-ms", options.recover_after_ms,
                 "spike knob: responses stay degraded this long after the last shed request")
      ->check(CLI::Range(0, 3600000));
  app.add_option("--degraded-delay-ms", options.degraded_delay_ms, "spike knob: delay of each degraded response")
      ->check(CLI::Range(0, 600000));
  app.add_option("--cpu-per-request-us", options.cpu_per_request_us,
                 "soak knob: every request burns this much CPU time (microseconds)")
      ->check(CLI::Range(0.0, 1e7));
  app.add_option("--cpu-growth-us", options.cpu_growth_us,
                 "soak knob: each request burns this much more CPU than the one before (microseconds)")
      ->check(CLI::Range(0.0, 1e6));
  CLI11_PARSE(app, argc, argv);
  return serve(options);
}

}  // namespace

int main(int argc, char** argv) {
  // Exit 3 with the cause rather than std::terminate's abort when anything escapes (a thread that
  // cannot start, an allocation failure while serving).
  try {
    return parse_and_serve(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "perfgate-testbed: " << e.what() << "\n";
    return 3;
  }
}
