#pragma once
// The /reports endpoints in pathological and fixed variants (seed 003), the in-memory and streamed
// exports (seed 001), and the plain endpoints of seed 004's categories.

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "service_context.h"

namespace perfgate::testbed_service {

/// The rows of both exports, in the columns of export_row() and in id order; append " limit $1".
inline constexpr const char* kExportQuery =
    "select t.id, u.name, p.name, t.amount, t.created_at, t.region, t.status "
    "from transactions t join users u on u.id = t.user_id join products p on p.id = t.product_id "
    "order by t.id";

/// One export row (id, user, product, amount, created_at, region, status) as its JSON object.
nlohmann::json export_row(const pqxx::row& row);

/// The fixed /reports/export: the same JSON document as the in-memory one, written in chunks from a
/// server-side cursor, so memory is bounded by a chunk whatever `rows` is (503 / 500 as with_connection).
void export_streamed(ServiceContext& ctx, long rows, httplib::Response& res);

/// /health, /ready, /auth/*, /capacity, /users/{id}, /sprints/{id}, /queues/generate, /stats.
void register_basic_routes(httplib::Server& server, ServiceContext& ctx);

/// /reports/sales[-fixed], /reports/by-region, /reports/by-user, /reports/export.
void register_report_routes(httplib::Server& server, ServiceContext& ctx);

/// /reports/export/stream (Server-Sent Events, cursor-backed, cancellable).
void register_stream_routes(httplib::Server& server, ServiceContext& ctx);

}  // namespace perfgate::testbed_service
