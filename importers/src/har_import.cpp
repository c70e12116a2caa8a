// HAR import: a browser recording becomes one closed-model flow. What a person's browser did once
// (sign in, open a page, start a job and poll it) is what a virtual user repeats, so the steps keep
// their order and the person's pauses; what the server issued (a token, a job id) cannot be replayed
// literally and becomes an extraction. Reading and filtering live in har_entries, correlation in
// har_correlation, polling detection in har_polling; this file writes the scenario.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/files.h"
#include "har_correlation.h"
#include "har_entries.h"
#include "har_polling.h"
#include "import_common.h"
#include "importers/scenario_import.h"

namespace perfgate {
namespace {

using har_detail::Correlation;
using har_detail::Entry;
using har_detail::lower;
using har_detail::Request;
using har_detail::Step;
using import_detail::Json;

// What the scenario adds to each step besides its request.
struct StepExtras {
  Json extract = Json::array();
  std::string run_if_defined;
};

Json step_json(const Step& step, const std::string& name, const StepExtras& extras, double think) {
  const Entry& e = step.first();
  const Request& request = *step.requests.front();
  Json out;
  out["name"] = name;
  if (e.method != "GET") out["method"] = e.method;
  out["path"] = request.path + (request.query.empty() ? "" : "?" + request.query);
  if (!request.headers.empty()) {
    Json headers = Json::object();
    for (const auto& [n, v] : request.headers) headers[n] = v;
    out["headers"] = headers;
  }
  if (!request.body.empty()) {
    auto parsed = Json::parse(request.body, nullptr, false);
    const bool json_body = !parsed.is_discarded() && lower(e.body_mime).find("json") != std::string::npos;
    if (json_body && request.body.find("{{") == std::string::npos)
      out["body"] = parsed;
    else
      out["body"] = request.body;
  }
  std::set<int> statuses;
  for (const Request* member : step.requests) statuses.insert(member->entry->status);
  // An asynchronous API answers 202 with a job the first time and may answer 200 from its cache later.
  if (statuses.count(202) != 0 && step.requests.size() == 1) statuses.insert(200);
  out["expect_status"] = Json(std::vector<int>(statuses.begin(), statuses.end()));
  if (step.requests.size() > 1) out["poll"] = har_detail::poll_spec(step);
  if (!extras.extract.empty()) out["extract"] = extras.extract;
  if (!extras.run_if_defined.empty()) out["run_if_defined"] = extras.run_if_defined;
  if (think > 0) {
    out["think_time"] = import_detail::duration_text(std::chrono::microseconds(static_cast<int64_t>(think * 1000)));
  }
  return out;
}

}  // namespace

Result<ImportedScenario> import_har(const std::string& path, const HarImportOptions& options) {
  if (options.virtual_users <= 0)
    return invalid_input("--vus: must be > 0 (got " + std::to_string(options.virtual_users) + ")");
  if (options.duration.count() <= 0) return invalid_input("--duration: must be > 0");
  auto text = read_file(path);
  if (!text) return text.error();
  auto entries = har_detail::read_entries(*text, path);
  if (!entries) return entries.error();
  auto selection = har_detail::select_application_requests(*entries, options.host, *text, path);
  if (!selection) return selection.error();

  ImportedScenario imported;
  imported.notes = selection->notes;
  std::vector<Request> requests;
  for (const Entry* e : selection->kept) requests.push_back(har_detail::replayable(*e));
  const std::vector<Correlation> correlations = har_detail::correlate(requests);
  const std::vector<Step> steps = har_detail::group_steps(requests);
  std::vector<size_t> step_of(requests.size());
  for (size_t s = 0; s < steps.size(); ++s) {
    for (const Request* r : steps[s].requests) step_of[static_cast<size_t>(r - requests.data())] = s;
  }

  // Extractions on the step that issued each value; an id issued by 202 Accepted is optional (an
  // asynchronous API may answer a repeated request at once, 200 from its cache, with no job), and
  // the steps that use it run only when it was issued.
  std::vector<StepExtras> extras(steps.size());
  std::map<std::string, bool> optional_variable;
  for (const Correlation& c : correlations) {
    const Entry& issuer = *requests[c.issued_by].entry;
    const bool optional = issuer.status == 202;
    Json extraction = {{"variable", c.variable}, {"json_pointer", c.pointer}};
    if (optional) extraction["optional"] = true;
    extras[step_of[c.issued_by]].extract.push_back(extraction);
    optional_variable[c.variable] = optional;
    imported.notes.push_back("correlated " + c.variable + ": issued by log.entries[" + std::to_string(issuer.index) +
                             "] at " + c.pointer + ", reused by later requests as {{" + c.variable + "}}");
  }
  for (size_t s = 0; s < steps.size(); ++s) {
    const Request& r = *steps[s].requests.front();
    std::string uses = r.path + r.query + r.body;
    for (const auto& h : r.headers) uses += h.second;
    for (const auto& [variable, optional] : optional_variable) {
      if (optional && uses.find("{{" + variable + "}}") != std::string::npos) {
        extras[s].run_if_defined = variable;
        break;
      }
    }
  }

  Json flow = Json::array();
  std::set<std::string> names;
  for (size_t s = 0; s < steps.size(); ++s) {
    const Step& step = steps[s];
    const std::string base = har_detail::step_name_base(step.first());
    std::string name = base;
    for (int n = 2; names.count(name) != 0; ++n) name = base + "-" + std::to_string(n);
    names.insert(name);
    const double think = s + 1 < steps.size() ? har_detail::think_ms(step.last(), steps[s + 1].first()) : 0;
    flow.push_back(step_json(step, name, extras[s], think));
    if (step.requests.size() > 1) {
      imported.notes.push_back("polling loop: " + std::to_string(step.requests.size()) + " x " + step.first().method +
                               " " + flow.back()["path"].get<std::string>() + " (log.entries[" +
                               std::to_string(step.first().index) + "..]) became step '" + name + "' polling until " +
                               flow.back()["poll"]["until"][0].dump());
    }
  }

  const std::string name = options.name.empty() ? import_detail::file_stem(path) : options.name;
  Json scenario;
  scenario["name"] = name;
  scenario["description"] = "Imported from " + path.substr(path.find_last_of('/') + 1) + ": " +
                            std::to_string(selection->kept.size()) + " of " + std::to_string(entries->size()) +
                            " recorded requests, replayed by " + std::to_string(options.virtual_users) +
                            " virtual user(s) with the recorded pauses";
  scenario["target"] = {{"base_url", "${PERFGATE_TARGET:-" + selection->origin + "}"}};
  scenario["load"] = {{"model", "closed"},
                      {"stages", Json::array({{{"duration", import_detail::duration_text(options.duration)},
                                               {"target_vus", options.virtual_users},
                                               {"phase", "steady"}}})}};
  scenario["endpoints"] =
      Json::array({{{"name", import_detail::slug(name)}, {"category", "journeys"}, {"flow", flow}}});
  auto finished = import_detail::finish_scenario(scenario, path);
  if (!finished) return finished.error();
  imported.json_text = std::move(*finished);
  imported.requests = steps.size();
  return imported;
}

}  // namespace perfgate
