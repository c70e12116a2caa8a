#include "schema.h"

#include <algorithm>
#include <string>

namespace perfgate::testbed_service {
namespace {

// transactions.region is deliberately left without an index (the "missing index" pathology of
// seed 003: /reports/by-region seq-scans), while user_id and created_at are indexed well so the
// analyzer also sees a negative case.
constexpr const char* kSchema = R"sql(
create table users (
  id integer primary key,
  name text not null,
  email text not null,
  region text not null,
  created_at timestamptz not null
);
create table products (
  id integer primary key,
  name text not null,
  category text not null,
  price numeric(10,2) not null
);
create table transactions (
  id bigint primary key,
  user_id integer not null,
  product_id integer not null,
  amount numeric(10,2) not null,
  created_at timestamptz not null,
  region text not null,
  status text not null
);
create index transactions_user_id_idx on transactions (user_id);
create index transactions_created_at_idx on transactions (created_at);
create table sprints (
  id integer primary key,
  name text not null,
  state text not null,
  start_date date not null,
  end_date date not null,
  capacity_points integer not null
);
create table sprint_analyses (
  id integer primary key,
  sprint_id integer not null,
  analysis_type text not null,
  score numeric(6,2) not null,
  created_at timestamptz not null
);
create index sprint_analyses_sprint_type_idx on sprint_analyses (sprint_id, analysis_type);
create table reports (
  id bigserial primary key,
  user_id integer not null,
  kind text not null,
  created_at timestamptz not null default now(),
  body jsonb not null
);
create index reports_user_kind_idx on reports (user_id, kind, created_at);
)sql";

}  // namespace

SeedSizes seed_sizes(double scale) {
  auto scaled = [scale](long base, long minimum) {
    return std::max(minimum, static_cast<long>(static_cast<double>(base) * scale));
  };
  return SeedSizes{scaled(200000, 100), scaled(5000, 10), scaled(1000, 10), scaled(200, 5)};
}

bool ensure_seeded(pqxx::connection& connection, double scale) {
  pqxx::work tx(connection);
  if (!tx.exec1("select to_regclass('public.transactions') is null")[0].as<bool>()) return false;
  const SeedSizes sizes = seed_sizes(scale);
  const std::string users = std::to_string(sizes.users);
  const std::string products = std::to_string(sizes.products);
  const std::string sprints = std::to_string(sizes.sprints);
  tx.exec(kSchema);
  // Multiplicative hashing (g * prime % n) spreads references without random(): every run seeds
  // the same data, so query plans and result sizes are reproducible.
  tx.exec(
      "insert into users select g, 'user ' || g, 'user' || g || '@example.test', "
      "'region-' || lpad((g % 50)::text, 2, '0'), timestamptz '2024-01-01' + (g % 365) * interval '1 day' "
      "from generate_series(1::bigint, " +
      users + ") g");
  tx.exec(
      "insert into products select g, 'product ' || g, 'category-' || (g % 20), "
      "round((5 + (g * 37 % 995))::numeric, 2) from generate_series(1::bigint, " +
      products + ") g");
  tx.exec("insert into transactions select g, 1 + (g * 7919) % " + users + ", 1 + (g * 104729) % " + products +
          ", round(((g * 31337) % 100000)::numeric / 100, 2), "
          "timestamptz '2024-01-01' + (g % 525600) * interval '1 minute', "
          "'region-' || lpad(((g * 13) % 50)::text, 2, '0'), "
          "(array['paid','refunded','pending','failed'])[1 + (g * 3) % 4] "
          "from generate_series(1::bigint, " +
          std::to_string(sizes.transactions) + ") g");
  tx.exec(
      "insert into sprints select g, 'sprint ' || g, (array['closed','active','future'])[1 + g % 3], "
      "date '2024-01-01' + g * 14, date '2024-01-01' + g * 14 + 13, 20 + g % 40 "
      "from generate_series(1, " +
      sprints + ") g");
  tx.exec(
      "insert into sprint_analyses select g, 1 + (g - 1) / 5, "
      "(array['velocity','burndown','scope','quality','risk'])[1 + (g - 1) % 5], "
      "round(((g * 17) % 10000)::numeric / 100, 2), timestamptz '2024-01-01' + g * interval '1 hour' "
      "from generate_series(1, " +
      sprints + " * 5) g");
  tx.commit();
  pqxx::nontransaction analyze(connection);
  analyze.exec("analyze");
  return true;
}

void add_fixed_indexes(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  tx.exec("create index if not exists transactions_region_idx on transactions (region)");
  tx.exec("analyze transactions");
}

}  // namespace perfgate::testbed_service
