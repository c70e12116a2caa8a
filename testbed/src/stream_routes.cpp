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
  for (const auto& r : rows) {
    chunk.push_back({{"id", r[0].as<long>()},
                     {"user", r[1].c_str()},
                     {"product", r[2].c_str()},
                     {"amount", std::stod(r[3].c_str())},
                     {"created_at", r[4].c_str()},
                     {"region", r[5].c_str()},
                     {"status", r[6].c_str()}});
  }
  return event("rows", chunk.dump());
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
    stream->lease = ctx.pool.acquire();
    if (!stream->lease) {
      send_json(res, 503, {{"error", "database connection pool exhausted"}});
      return;
    }
    try {
      stream->tx = std::make_unique<pqxx::work>(*stream->lease);
      stream->total =
          stream->tx->exec_params1("select count(*) from (select 1 from transactions order by id limit $1) s", *rows)[0]
              .as<long>();
      stream->tx->exec_params(
          "declare export_cursor no scroll cursor for "
          "select t.id, u.name, p.name, t.amount, t.created_at, t.region, t.status "
          "from transactions t join users u on u.id = t.user_id join products p on p.id = t.product_id "
          "order by t.id limit $1",
          *rows);
    } catch (const std::exception& e) {
      ctx.stats.db_errors++;
      send_json(res, 500, {{"error", std::string("database error: ") + e.what()}});
      return;
    }
    ctx.stats.streams_started++;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [stream, &ctx](size_t /*offset*/, httplib::DataSink& sink) { return next_chunk(*stream, ctx, sink); },
        [stream, &ctx](bool /*success*/) {
          if (!stream->finished) ctx.stats.streams_cancelled++;
          // Closing the cursor's transaction before the lease goes back keeps the pooled
          // connection clean for the next borrower.
          stream->tx.reset();
          stream->lease = Lease();
        });
  });
}

}  // namespace perfgate::testbed_service
