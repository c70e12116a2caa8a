#include <cstdint>
#include <string>

#include "async_reports.h"
#include "report_routes.h"

namespace perfgate::testbed_service {
namespace {

using nlohmann::json;

// A token is "tok-<user id>-<checksum>": validating it is pure arithmetic, the cheap kind of check
// seed 004 budgets at 50 ms, so /auth/validate measures the server itself, not the database.
std::uint32_t token_checksum(long user_id) {
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(user_id) * 2654435761ULL);
}

std::string token_for(long user_id) {
  return "tok-" + std::to_string(user_id) + "-" + std::to_string(token_checksum(user_id));
}

long user_from_token(const std::string& token) {
  if (token.rfind("tok-", 0) != 0) return 0;
  const auto dash = token.find('-', 4);
  if (dash == std::string::npos) return 0;
  try {
    const long user_id = std::stol(token.substr(4, dash - 4));
    if (user_id > 0 && token == token_for(user_id)) return user_id;
  } catch (const std::exception&) {
  }
  return 0;
}

json row_to_json(const pqxx::row& row) {
  json out = json::object();
  for (const auto& field : row) out[field.name()] = field.is_null() ? json() : json(field.c_str());
  return out;
}

}  // namespace

void register_basic_routes(httplib::Server& server, ServiceContext& ctx) {
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"status", "ok"}});
  });
  server.Get("/ready", [&ctx](const httplib::Request&, httplib::Response& res) {
    with_connection(ctx, res, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      db_round_trip(ctx.options);
      tx.exec("select 1");
      send_json(res, 200, {{"status", "ready"}});
    });
  });
  server.Get("/stats", [&ctx](const httplib::Request&, httplib::Response& res) {
    res.set_content(ctx.stats.to_json(), "application/json");
  });
  server.Get("/auth/token", [](const httplib::Request& req, httplib::Response& res) {
    auto user_id = int_param(req, res, "user_id", 1, 1, 2'000'000'000);
    if (user_id) send_json(res, 200, {{"token", token_for(*user_id)}, {"user_id", *user_id}});
  });
  auto validate = [](const httplib::Request& req, httplib::Response& res) {
    std::string token = req.get_header_value("Authorization");
    if (token.rfind("Bearer ", 0) == 0) token.erase(0, 7);
    if (token.empty() && req.has_param("token")) token = req.get_param_value("token");
    const long user_id = user_from_token(token);
    if (user_id == 0) {
      send_json(res, 401, {{"valid", false}});
    } else {
      send_json(res, 200, {{"valid", true}, {"user_id", user_id}});
    }
  };
  server.Get("/auth/validate", validate);
  server.Post("/auth/validate", validate);
  server.Get("/capacity", [&ctx](const httplib::Request&, httplib::Response& res) {
    with_connection(ctx, res, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      db_round_trip(ctx.options);
      const pqxx::row r =
          tx.exec1("select count(*), coalesce(sum(capacity_points), 0) from sprints where state = 'active'");
      send_json(res, 200,
                {{"active_sprints", r[0].as<long>()},
                 {"capacity_points", r[1].as<long>()},
                 {"pool_size", ctx.pool.size()},
                 {"pool_in_use", ctx.pool.in_use()}});
    });
  });
  server.Get(R"(/users/(\d+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const long id = std::stol(req.matches[1]);
    with_connection(ctx, res, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      db_round_trip(ctx.options);
      const pqxx::result r = tx.exec_params("select id, name, email, region, created_at from users where id = $1", id);
      if (r.empty()) return send_json(res, 404, {{"error", "no user " + std::to_string(id)}});
      send_json(res, 200, row_to_json(r[0]));
    });
  });
  server.Get(R"(/sprints/(\d+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const long id = std::stol(req.matches[1]);
    with_connection(ctx, res, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      db_round_trip(ctx.options);
      const pqxx::result sprint = tx.exec_params(
          "select id, name, state, start_date, end_date, capacity_points from sprints where id = $1", id);
      if (sprint.empty()) return send_json(res, 404, {{"error", "no sprint " + std::to_string(id)}});
      db_round_trip(ctx.options);
      const pqxx::result analyses = tx.exec_params(
          "select analysis_type, score, created_at from sprint_analyses where sprint_id = $1 order by analysis_type",
          id);
      json body = row_to_json(sprint[0]);
      body["analyses"] = json::array();
      for (const auto& a : analyses) body["analyses"].push_back(row_to_json(a));
      send_json(res, 200, body);
    });
  });
  server.Get("/queues/generate", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto days = int_param(req, res, "days", 30, 1, 3650);
    if (!days) return;
    with_connection(ctx, res, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      // A moderately heavy aggregation (seed 004 budgets queue generation at seconds, not ms).
      db_round_trip(ctx.options);
      const pqxx::result r = tx.exec_params(
          "select p.category, t.region, count(*) as n, sum(t.amount) as total "
          "from transactions t join products p on p.id = t.product_id "
          "where t.created_at >= (select max(created_at) from transactions) - make_interval(days => $1) "
          "group by p.category, t.region order by total desc limit 50",
          *days);
      json queue = json::array();
      for (const auto& row : r) {
        queue.push_back({{"category", row[0].c_str()},
                         {"region", row[1].c_str()},
                         {"count", row[2].as<long>()},
                         {"total", std::stod(row[3].c_str())}});
      }
      send_json(res, 200, {{"queue", queue}, {"days", *days}});
    });
  });
}

}  // namespace perfgate::testbed_service
