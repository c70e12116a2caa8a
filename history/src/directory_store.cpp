// The directory store: one JSON file per run, named by its id.
//
// Why one file per entry and not one appended file: an entry carries the run's full result
// (histograms and per-second timelines, often hundreds of KiB), and O_APPEND is atomic only for a
// pipe write of PIPE_BUF bytes; two CI jobs appending big entries to one file could interleave.
// Instead the id is allocated under an exclusive flock on <dir>/.lock and the entry is written to a
// temporary file, fsynced and renamed to <id>.json before the lock is released: a reader sees an
// entry whole or not at all, and a writer killed mid-way leaves only a temporary file that readers
// ignore (dot-named).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/clock.h"
#include "core/files.h"
#include "history/store.h"
#include "summary_json.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;
using history_detail::summary_from_json;
using history_detail::summary_json;

// "00000042.json" -> 42; anything else (temporary files, the lock, notes) -> 0.
int64_t entry_id(const std::string& name) {
  if (name.size() != 13 || name.substr(8) != ".json") return 0;
  int64_t id = 0;
  for (size_t i = 0; i < 8; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    id = id * 10 + (name[i] - '0');
  }
  return id;
}

std::string entry_name(int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08lld.json", static_cast<long long>(id));
  return buf;
}

class DirectoryStore final : public HistoryStore {
 public:
  explicit DirectoryStore(std::string dir) : dir_(std::move(dir)) {}

  Result<int64_t> append(HistoryEntry entry) override {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec || !fs::is_directory(dir_, ec)) {
      return io_error(dir_ + ": cannot create the history directory: " + (ec ? ec.message() : "not a directory"));
    }
    nlohmann::json result;
    try {
      result = nlohmann::json::parse(entry.result_json);
    } catch (const nlohmann::json::exception& e) {
      return invalid_input("history add: the result is not valid JSON: " + std::string(e.what()));
    }
    const std::string lock_path = dir_ + "/.lock";
    const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0) return io_error(lock_path + ": cannot open the history lock: " + std::strerror(errno));
    while (::flock(lock, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(lock);
      return io_error(lock_path + ": cannot lock: " + why);
    }
    // The lock is released by close() on every path below.
    auto ids = entry_ids();
    if (!ids) {
      ::close(lock);
      return ids.error();
    }
    const int64_t id = ids->empty() ? 1 : ids->back() + 1;
    entry.summary.id = id;
    entry.summary.recorded_at = iso8601_utc_now();
    nlohmann::json j = summary_json(entry.summary);
    j["kind"] = "perfgate-history-entry";
    j["schema_version"] = 1;
    j["result"] = std::move(result);
    const Status written = write_file_atomically(dir_ + "/" + entry_name(id), j.dump() + "\n");
    ::close(lock);
    if (!written) return written.error();
    return id;
  }

  Result<std::vector<HistoryEntry>> list(const std::string& branch, WithResults with_results) override {
    std::error_code ec;
    if (!fs::exists(dir_, ec)) return std::vector<HistoryEntry>{};  // nothing added yet: an empty history
    if (!fs::is_directory(dir_, ec)) return invalid_input(dir_ + ": is not a history directory (it is a file)");
    auto ids = entry_ids();
    if (!ids) return ids.error();
    std::vector<HistoryEntry> out;
    for (int64_t id : *ids) {
      const std::string path = dir_ + "/" + entry_name(id);
      auto text = read_file(path);
      if (!text) return io_error(text.error().message);
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(*text);
      } catch (const nlohmann::json::exception& e) {
        return invalid_input(path + ": not valid JSON (" + e.what() +
                             "); the history entry is corrupt: remove or repair it");
      }
      if (!j.is_object() || j.value("kind", "") != "perfgate-history-entry") {
        return invalid_input(path + ": kind: not a perfgate history entry; remove it from " + dir_);
      }
      auto summary = summary_from_json(j, path);
      if (!summary) return summary.error();
      if (summary->id != id) {
        return invalid_input(path + ": id: " + std::to_string(summary->id) +
                             " does not match the file name; the history entry is corrupt: remove or repair it");
      }
      if (!branch.empty() && summary->branch != branch) continue;
      HistoryEntry entry{std::move(*summary), {}};
      if (with_results == WithResults::kYes) {
        if (!j.contains("result") || !j["result"].is_object()) {
          return invalid_input(path + ": result: missing; the history entry is corrupt: remove or repair it");
        }
        entry.result_json = j["result"].dump();
      }
      out.push_back(std::move(entry));
    }
    return out;
  }

  [[nodiscard]] std::string describe() const override { return "directory " + dir_; }

 private:
  Result<std::vector<int64_t>> entry_ids() const {
    std::vector<int64_t> ids;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
      const int64_t id = entry_id(e.path().filename().string());
      if (id > 0) ids.push_back(id);
    }
    if (ec) return io_error(dir_ + ": cannot list the history directory: " + ec.message());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::string dir_;
};

}  // namespace

std::unique_ptr<HistoryStore> open_directory_store(const std::string& dir) {
  return std::make_unique<DirectoryStore>(dir);
}

Result<std::unique_ptr<HistoryStore>> open_history_store(const std::string& spec) {
  if (spec.rfind("postgresql://", 0) == 0 || spec.rfind("postgres://", 0) == 0) return open_postgres_store(spec);
  if (spec.empty()) return invalid_input("--store: must name a directory or a postgresql:// URI");
  return open_directory_store(spec);
}

}  // namespace perfgate
