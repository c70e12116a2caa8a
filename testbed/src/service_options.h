#pragma once
// Options of the perfgate-testbed service (flags in service_main.cpp).

#include <string>

namespace perfgate::testbed_service {

struct ServiceOptions {
  int port = 0;                   ///< 0: pick a free loopback port and print it
  std::string dsn;                ///< libpq DSN of the database to serve
  int pool_size = 8;              ///< database connections, >= 1
  int pool_timeout_ms = 2000;     ///< wait for a free connection before answering 503
  double scale = 1.0;             ///< seed size multiplier (1.0: 200k transactions, 5k users, 1k products)
  bool seed = false;              ///< create schema + data when missing
  int threads = 16;               ///< HTTP worker threads
  int async_workers = 2;          ///< background report generators
  int cache_ttl_s = 60;           ///< freshness of cached async reports
  int delay_ms = 0;               ///< added to every /reports response (regression knob)
  double delay_factor = 1.0;      ///< /reports responses take this many times their work time, >= 1
  int stream_chunk_delay_ms = 0;  ///< per-chunk processing time of the streamed export
  int pool_hold_ms = 0;           ///< capacity knob: every database lease is held this much longer
  double db_latency_ms = 0;       ///< added before every statement: a database across a network, >= 0
  double overload_rps = 0;        ///< spike knob: above this arrival rate requests get 503; 0: off
  int recover_after_ms = 0;       ///< spike knob: degraded this long after the last shed request
  int degraded_delay_ms = 200;    ///< spike knob: delay of each degraded response
  double cpu_per_request_us = 0;  ///< soak knob: CPU each request burns (the first one); 0 with no growth: off
  double cpu_growth_us = 0;       ///< soak knob: added to the CPU burnt for every request served before
  bool fixed = false;             ///< serve /reports/sales, /reports/export with their fixes; index region
};

}  // namespace perfgate::testbed_service
