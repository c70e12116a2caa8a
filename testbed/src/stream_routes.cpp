#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "report_routes.h"

namespace perfgate::testbed_service {
namespace {

using nlohmann::json;

constexpr long kChunkRows = 1000;
constexpr long kMaxRows = 10'000'000;

// Everything one stream needs across content-provider calls: the leased connection and the
// transaction owning the server-side cursor. Only one HTTP worker touches it at a time.
struct ExportStream {
  Lease lease;
  std::unique_ptr<pqxx::work> tx;
  long total = 0;
  long sent = 0;
  bool finished = false;
};

std::string event(const char* name, const std::string& data) {
  return std::string("event: ") + name + "\ndata: " + data + "\n\n";
}

std::string rows_chunk(const pqxx::result& rows) {
  json chunk = json::array();
  for (const auto& r : rows) chunk.push_back(export_row(r));
  return event("rows", chunk.dump());
}

// Opens the export's cursor on a leased connection: the row count first (the JSON document and the
// progress events both need it before the rows), then the cursor. False after answering 503 / 500.
bool open_export(ServiceContext& ctx, ExportStream& stream, long rows, httplib::Response& res) {
  stream.lease = ctx.pool.acquire();
  if (!stream.lease) {
    send_json(res, 503, {{"error", "database connection pool exhausted"}});
    return false;
  }
  try {
    stream.tx = std::make_unique<pqxx::work>(*stream.lease);
    db_round_trip(ctx.options);
    stream.total =
        stream.tx->exec_params1("select count(*) from (select 1 from transactions order by id limit $1) s", rows)[0]
            .as<long>();
    db_round_trip(ctx.options);
    stream.tx->exec_params(std::string("declare export_cursor no scroll cursor for ") + kExportQuery + " limit $1",
                           rows);
  } catch (const std::exception& e) {
    ctx.stats.db_errors++;
    send_json(res, 500, {{"error", std::string("database error: ") + e.what()}});
    return false;
  }
  return true;
}

// Closing the cursor's transaction before the lease goes back keeps the pooled connection clean
// for the next borrower.
void close_export(ExportStream& stream) {
  stream.tx.reset();
  stream.lease = Lease();
}

// Rows per FETCH of the streamed JSON export: large enough that a 20,000-row export is a handful
// of statements (each a round trip), small enough that a chunk stays around a megabyte.
constexpr long kJsonChunkRows = 10'000;

// One call = one FETCH written as part of {"count":N,"rows":[...]}, byte for byte the document the
// in-memory export builds whole (nlohmann orders keys, so "count" comes first).
bool next_json_chunk(ExportStream& stream, const ServiceContext& ctx, httplib::DataSink& sink) {
  if (stream.finished) return true;
  if (!sink.is_writable()) return false;
  std::string out;
  if (stream.sent == 0) out = "{\"count\":" + std::to_string(stream.total) + ",\"rows\":[";
  if (stream.sent < stream.total) {
    pqxx::result rows;
    try {
      db_round_trip(ctx.options);
      rows = stream.tx->exec("fetch " + std::to_string(kJsonChunkRows) + " from export_cursor");
    } catch (const std::exception&) {
      // The status line is gone: a cut connection is how a streamed response reports a failure.
      ctx.stats.db_errors++;
      return false;
    }
    for (const auto& r : rows) {
      if (stream.sent++ > 0) out += ',';
      out += export_row(r).dump();
    }
    if (rows.empty()) stream.total = stream.sent;  // rows deleted since the count: end the array
  }
  if (stream.sent >= stream.total) {
    out += "]}";
    stream.finished = true;
  }
  if (!sink.write(out.data(), out.size())) return false;
  if (stream.finished) sink.done();
  return true;
}

// One call = one 1,000-row FETCH, so memory stays bounded by a chunk whatever `rows` is, and a
// client that went away stops the generation at the next chunk (the write fails).
bool next_chunk(ExportStream& stream, const ServiceContext& ctx, httplib::DataSink& sink) {
  ServiceStats& stats = ctx.stats;
  if (stream.finished) return true;
  if (!sink.is_writable()) return false;
  // Stands for per-chunk processing (seed 001's process_chunk); it also paces the stream so a
  // client that leaves mid-way is noticed before the whole export sits in socket buffers.
  if (ctx.options.stream_chunk_delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ctx.options.stream_chunk_delay_ms));
  }
  pqxx::result rows;
  try {
    db_round_trip(ctx.options);
    rows = stream.tx->exec("fetch " + std::to_string(kChunkRows) + " from export_cursor");
  } catch (const std::exception& e) {
    stats.db_errors++;
    const std::string failure = event("error", json{{"error", e.what()}}.dump());
    sink.write(failure.data(), failure.size());
    stream.finished = true;
    sink.done();
    return true;
  }
  if (rows.empty()) {
    const std::string done = event("done", json{{"rows", stream.sent}, {"progress", 100.0}}.dump());
    if (!sink.write(done.data(), done.size())) return false;
    stream.finished = true;
    stats.streams_completed++;
    sink.done();
    return true;
  }
  stream.sent += static_cast<long>(rows.size());
  stats.stream_rows_generated += rows.size();
  const double progress =
      stream.total == 0 ? 100.0 : 100.0 * static_cast<double>(stream.sent) / static_cast<double>(stream.total);
  std::string out = rows_chunk(rows);
  out += event("progress", json{{"progress", progress}, {"rows", stream.sent}, {"total", stream.total}}.dump());
  return sink.write(out.data(), out.size());
}

}  // namespace

void register_stream_routes(httplib::Server& server, ServiceContext& ctx) {
  server.Get("/reports/export/stream", [&ctx](const httplib::Request& req, httplib::Response& res) {
    ReportDelay delay(ctx.options);
    auto rows = int_param(req, res, "rows", 10000, 1, kMaxRows);
    if (!rows) return;
    auto stream = std::make_shared<ExportStream>();
    if (!open_export(ctx, *stream, *rows, res)) return;
    ctx.stats.streams_started++;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [stream, &ctx](size_t /*offset*/, httplib::DataSink& sink) { return next_chunk(*stream, ctx, sink); },
        [stream, &ctx](bool /*success*/) {
          if (!stream->finished) ctx.stats.streams_cancelled++;
          close_export(*stream);
        });
  });
}

void export_streamed(ServiceContext& ctx, long rows, httplib::Response& res) {
  auto stream = std::make_shared<ExportStream>();
  if (!open_export(ctx, *stream, rows, res)) return;
  ctx.stats.exports_streamed++;
  res.set_chunked_content_provider(
      "application/json",
      [stream, &ctx](size_t /*offset*/, httplib::DataSink& sink) { return next_json_chunk(*stream, ctx, sink); },
      [stream](bool /*success*/) { close_export(*stream); });
}

}  // namespace perfgate::testbed_service
