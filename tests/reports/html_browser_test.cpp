// Opens the HTML report in headless Chromium (the real browser, not a parser): no console errors,
// the charts are in the rendered DOM, a hostile <script> never ran, and a screenshot is produced
// (kept in the build directory as an artifact). A missing Chromium is a failure, not a skip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/files.h"
#include "reports/html_report.h"
#include "reports/report_fixture.h"
#include "reports/trend_report.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

const fs::path kArtifacts = fs::path(PERFGATE_BINARY_DIR) / "artifacts" / "reports";

std::string chromium_binary() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (fs::exists(candidate)) return candidate;
  }
  return "";
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct BrowserRun {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// Runs Chromium headless on `page` with a fresh profile; `mode` is "--dump-dom" or "--screenshot=...".
BrowserRun run_chromium(const fs::path& page, const std::string& mode, const std::string& tag) {
  const fs::path profile = kArtifacts / ("profile-" + tag);
  fs::remove_all(profile);
  fs::create_directories(profile);
  const fs::path out = kArtifacts / (tag + ".stdout"), err = kArtifacts / (tag + ".stderr");
  const std::string command = "timeout 90 " + chromium_binary() +
                              " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
                              " --disable-background-networking --disable-component-update --disable-sync"
                              " --hide-scrollbars --user-data-dir=" +
                              profile.string() + " --enable-logging=stderr --v=0 --window-size=1280,2400 " + mode +
                              " file://" + fs::absolute(page).string() + " >" + out.string() + " 2>" + err.string();
  BrowserRun run;
  run.exit_code = std::system(command.c_str());
  run.stdout_text = slurp(out);
  run.stderr_text = slurp(err);
  fs::remove_all(profile);
  return run;
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

void expect_no_console_errors(const BrowserRun& run) {
  EXPECT_EQ(run.stderr_text.find("Uncaught"), std::string::npos) << run.stderr_text;
  EXPECT_EQ(run.stderr_text.find("ERROR:CONSOLE"), std::string::npos) << run.stderr_text;
  EXPECT_EQ(run.stderr_text.find("Content Security Policy"), std::string::npos)
      << "something in the page tried to load or run: " << run.stderr_text;
}

fs::path write_page(const std::string& name, const std::string& html) {
  const fs::path path = kArtifacts / name;
  const Status written = write_file_atomically(path.string(), html);
  EXPECT_TRUE(written.ok()) << (written.ok() ? "" : written.error().message);
  return path;
}

TEST(HtmlReportInBrowser, HostileReportRendersChartsWithoutRunningInjectedScript) {
  ASSERT_FALSE(chromium_binary().empty()) << "Chromium is required (apt-get install -y chromium)";
  const auto fixture = testing::make_report_fixture(testing::Hostility::kHostile);
  const fs::path page = write_page("report_hostile.html", render_html_report(fixture.inputs()));
  const BrowserRun run = run_chromium(page, "--dump-dom", "hostile-dom");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const std::string& dom = run.stdout_text;
  ASSERT_NE(dom.find("</html>"), std::string::npos) << "no DOM dumped: " << run.stderr_text;
  expect_no_console_errors(run);

  EXPECT_GE(count(dom, "<svg"), 8u);
  EXPECT_GE(count(dom, "class=\"line\""), 10u);
  EXPECT_GE(count(dom, "class=\"area\""), 3u);
  EXPECT_GE(count(dom, "<circle"), 50u);

  const size_t title_start = dom.find("<title>");
  const size_t title_end = dom.find("</title>", title_start);
  ASSERT_NE(title_start, std::string::npos);
  const std::string title = dom.substr(title_start + 7, title_end - title_start - 7);
  EXPECT_EQ(title.rfind("perfgate report - ", 0), 0u) << title;
  EXPECT_NE(title, "pwned") << "a hostile script set the title";
  EXPECT_EQ(dom.find("<script"), std::string::npos) << "an injected script element reached the DOM";
  EXPECT_EQ(dom.find("<img"), std::string::npos) << "an injected element reached the DOM";
}

TEST(HtmlReportInBrowser, ScreenshotOfTheReportIsWritten) {
  ASSERT_FALSE(chromium_binary().empty()) << "Chromium is required (apt-get install -y chromium)";
  const auto fixture = testing::make_report_fixture();
  const fs::path page = write_page("report.html", render_html_report(fixture.inputs()));
  const fs::path png = kArtifacts / "report.png";
  fs::remove(png);
  const BrowserRun run = run_chromium(page, "--screenshot=" + png.string(), "report-screenshot");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  expect_no_console_errors(run);
  ASSERT_TRUE(fs::exists(png)) << run.stderr_text;
  EXPECT_GT(fs::file_size(png), 20'000u) << "a blank page compresses to almost nothing";
}

TEST(TrendReportInBrowser, TrendPageRendersWithoutConsoleErrors) {
  ASSERT_FALSE(chromium_binary().empty()) << "Chromium is required (apt-get install -y chromium)";
  std::vector<RunResult> runs;
  for (int i = 0; i < 8; ++i)
    runs.push_back(testing::make_trend_run(i, i == 5 ? 150000 : 100000, 0.001 * i, (300 + 4 * i) * 1048576LL));
  const fs::path page = write_page("trend.html", render_trend_html(runs));
  const BrowserRun run = run_chromium(page, "--dump-dom", "trend-dom");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  expect_no_console_errors(run);
  EXPECT_GE(count(run.stdout_text, "<svg"), 3u);
  EXPECT_GE(count(run.stdout_text, "class=\"mark\""), 1u);
}

}  // namespace
}  // namespace perfgate
