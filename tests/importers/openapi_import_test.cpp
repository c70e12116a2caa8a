#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "import_test_support.h"
#include "importers/scenario_import.h"
#include "scenarios/parser.h"

namespace perfgate {
namespace {

using nlohmann::json;

constexpr const char* kSpec = R"(openapi: 3.0.3
info: {title: Shop API, version: "2.1"}
servers:
  - url: https://{region}.shop.test/api/v1/
    variables:
      region: {default: eu}
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
  parameters:
    Page: {name: page, in: query, schema: {type: integer, minimum: 1}, example: 2}
    ItemId: {name: id, in: path, required: true, schema: {$ref: '#/components/schemas/Id'}}
  schemas:
    Id: {type: string, format: uuid}
paths:
  /items:
    parameters:
      - $ref: '#/components/parameters/Page'
    get:
      operationId: listItems
      tags: [catalog, public]
      parameters:
        - {name: q, in: query, schema: {type: string}}
        - {name: sort, in: query, required: true, schema: {type: string, enum: [price, name]}}
        - {name: X-Trace, in: header, required: true, schema: {type: string, default: t-1}}
      responses:
        "200": {description: ok}
        "206": {description: partial}
        default: {description: error}
    post:
      responses: {"201": {description: created}}
  /items/{id}:
    get:
      parameters:
        - $ref: '#/components/parameters/ItemId'
      security: [{token: []}]
      responses: {"200": {description: ok}}
  /admin/stats:
    get:
      tags: [admin]
      security: [{key: []}]
      responses: {"2XX": {description: ok}}
  /events:
    get:
      operationId: events
      parameters:
        - name: since
          in: query
          required: true
          examples: {recent: {value: 2026-12-01}}
          schema: {type: string, format: date}
      responses:
        "200": {description: stream, content: {text/event-stream: {schema: {type: string}}}}
)";

class OpenApiImport : public testing::ImportTest {
 protected:
  json import_ok(const std::string& name, const std::string& text, const OpenApiImportOptions& options = {}) {
    return accepted(import_openapi(write(name, text), options));
  }
  std::string import_error(const std::string& name, const std::string& text) {
    return refused(import_openapi(write(name, text), {}));
  }
  static const json* endpoint(const json& scenario, const std::string& name) {
    for (const auto& e : scenario["endpoints"]) {
      if (e["name"] == name) return &e;
    }
    ADD_FAILURE() << "no endpoint " << name << " in " << scenario.dump();
    static const json kNone = json::object();
    return &kNone;
  }
};

TEST_F(OpenApiImport, WritesOneEndpointPerGetOperationWithTheServerAsTarget) {
  const json s = import_ok("shop.yaml", kSpec);
  EXPECT_EQ(s["name"], "Shop-API");
  EXPECT_EQ(s["endpoints"].size(), 4u);
  EXPECT_EQ(s["target"]["base_url"], "${PERFGATE_TARGET:-https://eu.shop.test}");
  EXPECT_EQ(s["load"]["model"], "open");
  EXPECT_NE(::testing::PrintToString(notes_).find("left out 1 non-GET"), std::string::npos);
}

TEST_F(OpenApiImport, FillsParametersFromExamplesDefaultsEnumsAndSchemas) {
  const json s = import_ok("shop.yaml", kSpec);
  const json& list = (*endpoint(s, "listItems"))["request"];
  // The path item's $ref'd parameter with an example, the required enum; the optional q without one is left out.
  EXPECT_EQ(list["path"], "/api/v1/items?sort=price&page=2");
  EXPECT_EQ(list["headers"]["X-Trace"], "t-1");
  EXPECT_EQ(list["expect_status"], json::parse("[200, 206]"));
  EXPECT_EQ((*endpoint(s, "GET /items/{id}"))["request"]["path"], "/api/v1/items/00000000-0000-4000-8000-000000000001");
  const json& events = (*endpoint(s, "events"))["request"];
  EXPECT_EQ(events["path"], "/api/v1/events?since=2026-12-01");
  EXPECT_EQ(events["stream"]["format"], "sse");
}

TEST_F(OpenApiImport, CategoriesComeFromTheFirstTagElseThePathsFirstSegment) {
  const json s = import_ok("shop.yaml", kSpec);
  EXPECT_EQ((*endpoint(s, "listItems"))["category"], "catalog");
  EXPECT_EQ((*endpoint(s, "GET /admin/stats"))["category"], "admin");
  EXPECT_EQ((*endpoint(s, "events"))["category"], "events");
}

TEST_F(OpenApiImport, SecuredOperationsGetTheirCredentialFromAnEnvironmentSecret) {
  const json s = import_ok("shop.yaml", kSpec);
  EXPECT_EQ((*endpoint(s, "GET /items/{id}"))["request"]["headers"]["Authorization"],
            "Bearer ${secret:PERFGATE_API_TOKEN:-replace-me}");
  EXPECT_EQ((*endpoint(s, "GET /admin/stats"))["request"]["headers"]["X-Key"],
            "${secret:PERFGATE_API_KEY:-replace-me}");
  EXPECT_FALSE((*endpoint(s, "GET /admin/stats"))["request"].contains("expect_status"));  // "2XX": any 2xx
}

TEST_F(OpenApiImport, ExcludedTagsAndOptionsShapeTheScenario) {
  OpenApiImportOptions options;
  options.exclude_tags = {"admin", "public"};
  options.rate = 12.5;
  options.name = "shop";
  const json s = import_ok("shop.yaml", kSpec, options);
  EXPECT_EQ(s["name"], "shop");
  EXPECT_EQ(s["endpoints"].size(), 2u);
  EXPECT_EQ(s["load"]["stages"][0]["target_rps"], 12.5);
}

TEST_F(OpenApiImport, ReadsTheSameDescriptionWrittenAsJson) {
  const std::string text = R"({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
    "paths": {"/users/{uid}": {"get": {"parameters": [{"name": "uid", "in": "path", "required": true,
      "schema": {"type": "integer", "minimum": 10}}], "responses": {"200": {"description": "ok"}}}}}})";
  const json s = import_ok("api.json", text);
  EXPECT_EQ(s["target"]["base_url"], "${PERFGATE_TARGET:-http://127.0.0.1:8080}");
  EXPECT_EQ(s["endpoints"][0]["request"]["path"], "/users/10");
  EXPECT_EQ(s["endpoints"][0]["category"], "users");
}

TEST_F(OpenApiImport, TheTestbedsOwnDescriptionImportsEveryGetRoute) {
  OpenApiImportOptions options;
  options.exclude_tags = {"jobs"};
  auto imported = import_openapi(std::string(PERFGATE_SOURCE_DIR) + "/testbed/openapi.yaml", options);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->requests, 15u);
}

TEST_F(OpenApiImport, YamlThatDoesNotParseIsRefusedWithItsLine) {
  const std::string message = import_error("bad.yaml", "openapi: 3.0.0\npaths:\n  /a: {get: [\n");
  EXPECT_NE(message.find("bad.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find("does not parse"), std::string::npos) << message;
}

TEST_F(OpenApiImport, WrongVersionsAndMissingPathsAreRefusedNamingTheField) {
  EXPECT_NE(import_error("s.yaml", "swagger: '2.0'\npaths: {}\n").find("s.yaml:1:10: swagger: Swagger 2.0"),
            std::string::npos);
  EXPECT_NE(import_error("s.yaml", "openapi: 3.0.0\ninfo: {title: x}\n").find("paths: missing"), std::string::npos);
  EXPECT_NE(import_error("s.yaml", "- a\n- b\n").find("the top level must be a mapping"), std::string::npos);
}

TEST_F(OpenApiImport, NoGetOperationIsNothingImportable) {
  const std::string message =
      import_error("s.yaml", "openapi: 3.0.0\npaths:\n  /a:\n    post: {responses: {'200': {description: ok}}}\n");
  EXPECT_NE(message.find("s.yaml:3:3: paths: nothing importable: no GET operation"), std::string::npos) << message;
}

TEST_F(OpenApiImport, BrokenReferencesAndUndeclaredPathParametersNameTheirPath) {
  std::string message = import_error(
      "s.yaml",
      "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/Nope'\n");
  EXPECT_NE(
      message.find("s.yaml:6:17: paths./a.get.parameters[0].$ref: \"#/components/parameters/Nope\" does not exist"),
      std::string::npos)
      << message;
  message = import_error("s.yaml", "openapi: 3.0.0\npaths:\n  /a/{id}:\n    get: {}\n");
  EXPECT_NE(message.find("paths./a/{id}: path template {id} has no parameter"), std::string::npos) << message;
}

}  // namespace
}  // namespace perfgate
