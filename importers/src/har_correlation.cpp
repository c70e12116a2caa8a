// HAR correlation. Only values that look issued are candidates: strings without '/' or spaces of at
// least 4 characters (tokens, job ids, UUIDs), and numbers under keys that name an id; short strings
// and other numbers (counts, totals) match too much by chance.
#include "har_correlation.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "import_common.h"

namespace perfgate::har_detail {
namespace {

struct Leaf {
  std::string pointer, key, value;
};

void collect_leaves(const RawJson& value, const std::string& pointer, const std::string& key, std::vector<Leaf>& out) {
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) collect_leaves(v, json_reader::child(pointer, k), k, out);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size() && i < 50; ++i)
      collect_leaves(value[i], json_reader::child(pointer, i), key, out);
  } else if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() >= 4 && s.size() <= 512 && s.find_first_of("/ \t\n") == std::string::npos)
      out.push_back({pointer, key, s});
  } else if (value.is_number_integer()) {
    const std::string k = lower(key);
    const bool id_key = k == "id" || (k.size() > 2 && k.compare(k.size() - 2, 2, "id") == 0);
    const std::string text = value.dump();
    if (id_key && text.size() >= 2) out.push_back({pointer, key, text});
  }
}

// Calls `visit(token)` for each replaceable token of a request and puts the result in its place.
template <class Visit>
void rewrite_request(Request& r, Visit visit) {
  std::vector<std::string> segments = split(r.path, '/');
  for (auto& seg : segments) seg = visit(seg);
  r.path = join(segments, '/');
  if (!r.query.empty()) {
    std::vector<std::string> pairs = split(r.query, '&');
    for (auto& pair : pairs) {
      const size_t eq = pair.find('=');
      if (eq != std::string::npos) pair = pair.substr(0, eq + 1) + visit(pair.substr(eq + 1));
    }
    r.query = join(pairs, '&');
  }
  for (auto& [name, value] : r.headers) {
    if (value.rfind("Bearer ", 0) == 0) {
      value = "Bearer " + visit(value.substr(7));
    } else {
      value = visit(value);
    }
  }
  if (!r.body.empty()) {
    // A JSON string value in the body: "VALUE" between quotes, replaced in the text.
    std::string out;
    size_t pos = 0;
    while (pos < r.body.size()) {
      const size_t open = r.body.find('"', pos);
      if (open == std::string::npos) break;
      size_t close = open + 1;
      while (close < r.body.size() && r.body[close] != '"') close += r.body[close] == '\\' ? 2 : 1;
      if (close >= r.body.size()) break;
      out += r.body.substr(pos, open + 1 - pos) + visit(r.body.substr(open + 1, close - open - 1)) + '"';
      pos = close + 1;
    }
    r.body = out + r.body.substr(std::min(pos, r.body.size()));
  }
}

struct Claim {
  Correlation correlation;
  bool used = false;
};

// "job_id" from the pointer's last key; an id named only "id" takes the issuing step's name.
std::string variable_for(const Claim& claim, const Entry& issuer, const std::set<std::string>& taken) {
  const std::string& pointer = claim.correlation.pointer;
  std::string key = pointer.substr(pointer.find_last_of('/') + 1);
  if (key.empty() ||
      std::all_of(key.begin(), key.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    key = "value";
  }
  std::string name = import_detail::variable_name(key);
  if (name == "id") name = import_detail::variable_name(step_name_base(issuer) + "_id");
  std::string unique = name;
  for (int n = 2; taken.count(unique) != 0; ++n) unique = name + "_" + std::to_string(n);
  return unique;
}

}  // namespace

std::vector<Correlation> correlate(std::vector<Request>& requests) {
  // Pass 1: which values did a response issue before any request sent them?
  std::set<std::string> sent;
  std::map<std::string, Claim> claims;  // by issued value
  for (size_t i = 0; i < requests.size(); ++i) {
    Request copy = requests[i];
    rewrite_request(copy, [&](const std::string& token) {
      sent.insert(token);
      return token;
    });
    if (!requests[i].entry->response_json) continue;
    std::vector<Leaf> leaves;
    collect_leaves(*requests[i].entry->response_json, "", "", leaves);
    for (const Leaf& leaf : leaves) {
      if (sent.count(leaf.value) != 0 || claims.count(leaf.value) != 0) continue;
      claims[leaf.value] = Claim{{i, leaf.pointer, ""}, false};
    }
  }
  // Pass 2: later requests that carry a claimed value get {{variable}} instead.
  std::set<std::string> variables;
  for (size_t i = 0; i < requests.size(); ++i) {
    rewrite_request(requests[i], [&](const std::string& token) {
      auto found = claims.find(token);
      if (found == claims.end() || found->second.correlation.issued_by >= i) return token;
      Claim& claim = found->second;
      if (claim.correlation.variable.empty()) {
        claim.correlation.variable = variable_for(claim, *requests[claim.correlation.issued_by].entry, variables);
        variables.insert(claim.correlation.variable);
      }
      claim.used = true;
      return "{{" + claim.correlation.variable + "}}";
    });
  }
  std::vector<Correlation> used;
  for (const auto& [value, claim] : claims) {
    if (claim.used) used.push_back(claim.correlation);
  }
  return used;
}

}  // namespace perfgate::har_detail
