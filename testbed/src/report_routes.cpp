#include "report_routes.h"

#include <string>

namespace perfgate::testbed_service {
namespace {

using nlohmann::json;

constexpr long kMaxRows = 10'000'000;

double to_number(const pqxx::field& field) { return std::stod(field.c_str()); }

json sale_row(const pqxx::row& t, const pqxx::row& u, const pqxx::row& p) {
  return {
      {"id", t["id"].as<long>()},
      {"amount", to_number(t["amount"])},
      {"created_at", t["created_at"].c_str()},
      {"region", t["region"].c_str()},
      {"status", t["status"].c_str()},
      {"user", {{"id", u["id"].as<long>()}, {"name", u["name"].c_str()}, {"email", u["email"].c_str()}}},
      {"product",
       {{"id", p["id"].as<long>()},
        {"name", p["name"].c_str()},
        {"category", p["category"].c_str()},
        {"price", to_number(p["price"])}}},
  };
}

// The N+1 pathology: one statement for the page, then one user and one product lookup per row,
// each a separate execution that pg_stat_statements counts.
void sales_n_plus_one(const ServiceOptions& options, pqxx::connection& c, long limit, httplib::Response& res) {
  pqxx::nontransaction tx(c);
  db_round_trip(options);
  const pqxx::result page = tx.exec_params(
      "select id, user_id, product_id, amount, created_at, region, status from transactions "
      "order by id desc limit $1",
      limit);
  json rows = json::array();
  for (const auto& t : page) {
    db_round_trip(options);
    const pqxx::result user =
        tx.exec_params("select id, name, email from users where id = $1", t["user_id"].as<long>());
    db_round_trip(options);
    const pqxx::result product =
        tx.exec_params("select id, name, category, price from products where id = $1", t["product_id"].as<long>());
    if (user.empty() || product.empty()) continue;
    rows.push_back(sale_row(t, user[0], product[0]));
  }
  send_json(res, 200, {{"rows", rows}, {"count", rows.size()}});
}

// The fix of the N+1: the same output from one JOIN, one round trip whatever the page size.
void sales_joined(const ServiceOptions& options, pqxx::connection& c, long limit, httplib::Response& res) {
  pqxx::nontransaction tx(c);
  db_round_trip(options);
  const pqxx::result page = tx.exec_params(
      "select t.id, t.amount, t.created_at, t.region, t.status, "
      "u.id as user_id, u.name as user_name, u.email as user_email, "
      "p.id as product_id, p.name as product_name, p.category as product_category, p.price as product_price "
      "from transactions t join users u on u.id = t.user_id join products p on p.id = t.product_id "
      "order by t.id desc limit $1",
      limit);
  json rows = json::array();
  for (const auto& r : page) {
    rows.push_back({
        {"id", r["id"].as<long>()},
        {"amount", to_number(r["amount"])},
        {"created_at", r["created_at"].c_str()},
        {"region", r["region"].c_str()},
        {"status", r["status"].c_str()},
        {"user",
         {{"id", r["user_id"].as<long>()}, {"name", r["user_name"].c_str()}, {"email", r["user_email"].c_str()}}},
        {"product",
         {{"id", r["product_id"].as<long>()},
          {"name", r["product_name"].c_str()},
          {"category", r["product_category"].c_str()},
          {"price", to_number(r["product_price"])}}},
    });
  }
  send_json(res, 200, {{"rows", rows}, {"count", rows.size()}});
}

json status_summary(const pqxx::result& result) {
  json statuses = json::array();
  long count = 0;
  double total = 0;
  for (const auto& r : result) {
    statuses.push_back({{"status", r[0].c_str()}, {"count", r[1].as<long>()}, {"total", to_number(r[2])}});
    count += r[1].as<long>();
    total += to_number(r[2]);
  }
  return {{"statuses", statuses}, {"count", count}, {"total", total}};
}

// The whole export is materialised (result set, then a JSON document, then its text) before the
// first byte is sent: memory grows with `rows`, which is the point of this variant.
void export_in_memory(const ServiceOptions& options, pqxx::connection& c, long rows, httplib::Response& res) {
  pqxx::nontransaction tx(c);
  db_round_trip(options);
  const pqxx::result all = tx.exec_params(std::string(kExportQuery) + " limit $1", rows);
  json document = json::array();
  for (const auto& r : all) document.push_back(export_row(r));
  json body = {{"rows", std::move(document)}, {"count", all.size()}};
  send_json(res, 200, body);
}

}  // namespace

nlohmann::json export_row(const pqxx::row& r) {
  return {{"id", r[0].as<long>()},     {"user", r[1].c_str()},       {"product", r[2].c_str()},
          {"amount", to_number(r[3])}, {"created_at", r[4].c_str()}, {"region", r[5].c_str()},
          {"status", r[6].c_str()}};
}

void register_report_routes(httplib::Server& server, ServiceContext& ctx) {
  server.Get("/reports/sales", [&ctx](const httplib::Request& req, httplib::Response& res) {
    ReportDelay delay(ctx.options);
    auto limit = int_param(req, res, "limit", 50, 1, 100000);
    if (!limit) return;
    with_connection(ctx, res, [&](pqxx::connection& c) {
      if (ctx.options.fixed) {
        sales_joined(ctx.options, c, *limit, res);
      } else {
        sales_n_plus_one(ctx.options, c, *limit, res);
      }
    });
  });
  server.Get("/reports/sales-fixed", [&ctx](const httplib::Request& req, httplib::Response& res) {
    ReportDelay delay(ctx.options);
    auto limit = int_param(req, res, "limit", 50, 1, 100000);
    if (!limit) return;
    with_connection(ctx, res, [&](pqxx::connection& c) { sales_joined(ctx.options, c, *limit, res); });
  });
  server.Get("/reports/by-region", [&ctx](const httplib::Request& req, httplib::Response& res) {
    ReportDelay delay(ctx.options);
    const std::string region = req.has_param("region") ? req.get_param_value("region") : "region-07";
    with_connection(ctx, res, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      db_round_trip(ctx.options);
      json body = status_summary(tx.exec_params(
          "select status, count(*), sum(amount) from transactions where region = $1 group by status order by status",
          region));
      body["region"] = region;
      send_json(res, 200, body);
    });
  });
  server.Get("/reports/by-user", [&ctx](const httplib::Request& req, httplib::Response& res) {
    ReportDelay delay(ctx.options);
    auto user_id = int_param(req, res, "user_id", 1, 1, 2'000'000'000);
    if (!user_id) return;
    with_connection(ctx, res, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      db_round_trip(ctx.options);
      json body = status_summary(tx.exec_params(
          "select status, count(*), sum(amount) from transactions where user_id = $1 group by status order by status",
          *user_id));
      body["user_id"] = *user_id;
      send_json(res, 200, body);
    });
  });
  server.Get("/reports/export", [&ctx](const httplib::Request& req, httplib::Response& res) {
    ReportDelay delay(ctx.options);
    auto rows = int_param(req, res, "rows", 10000, 1, kMaxRows);
    if (!rows) return;
    if (ctx.options.fixed) {
      export_streamed(ctx, *rows, res);
      return;
    }
    ctx.stats.exports_in_memory++;
    with_connection(ctx, res, [&](pqxx::connection& c) { export_in_memory(ctx.options, c, *rows, res); });
  });
}

}  // namespace perfgate::testbed_service
