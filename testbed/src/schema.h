#pragma once
// The testbed's schema and deterministic seed data (generate_series, no randomness), sized by scale.

#include <pqxx/pqxx>

namespace perfgate::testbed_service {

/// Row counts for a scale factor: 200k transactions, 5k users, 1k products at 1.0 (minimums apply).
struct SeedSizes {
  long transactions;
  long users;
  long products;
  long sprints;
};
SeedSizes seed_sizes(double scale);

/// Creates the schema and seeds it unless `transactions` already exists; returns true when it
/// seeded. Throws pqxx exceptions (the caller is the adapter).
bool ensure_seeded(pqxx::connection& connection, double scale);

/// The index the analyzer proves for /reports/by-region (transactions(region)), created when missing,
/// then the table analysed so the planner uses it. Throws pqxx exceptions.
void add_fixed_indexes(pqxx::connection& connection);

}  // namespace perfgate::testbed_service
