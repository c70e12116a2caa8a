#pragma once
// The /reports endpoints in pathological and fixed variants (seed 003), the in-memory and streamed
// exports (seed 001), and the plain endpoints of seed 004's categories.

#include <httplib.h>

#include "service_context.h"

namespace perfgate::testbed_service {

/// /health, /ready, /auth/*, /capacity, /users/{id}, /sprints/{id}, /queues/generate, /stats.
void register_basic_routes(httplib::Server& server, ServiceContext& ctx);

/// /reports/sales[-fixed], /reports/by-region, /reports/by-user, /reports/export.
void register_report_routes(httplib::Server& server, ServiceContext& ctx);

/// /reports/export/stream (Server-Sent Events, cursor-backed, cancellable).
void register_stream_routes(httplib::Server& server, ServiceContext& ctx);

}  // namespace perfgate::testbed_service
