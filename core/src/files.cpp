#include "core/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace perfgate {

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return invalid_input(path + ": cannot read: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid_input(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return invalid_input(path + ": cannot read: " + std::strerror(errno));
  return buffer.str();
}

Status write_file_atomically(const std::string& path, const std::string& contents) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return io_error(path + ": cannot create directory " + dir.string() + ": " + ec.message());

  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) return io_error(path + ": cannot create temp file: " + std::strerror(errno));
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    close(fd);
    unlink(tmpl.c_str());
    return io_error(path + ": " + what + ": " + reason);
  };
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    written += static_cast<size_t>(n);
  }
  // Readable by others like any file the user would create; mkstemp makes it 0600.
  fchmod(fd, 0644);
  if (fsync(fd) != 0) return fail("cannot sync");
  if (close(fd) != 0) {
    unlink(tmpl.c_str());
    return io_error(path + ": cannot close: " + std::strerror(errno));
  }
  if (rename(tmpl.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    unlink(tmpl.c_str());
    return io_error(path + ": cannot rename into place: " + reason);
  }
  // The rename is durable only once the directory entry is on disk.
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return {};
}

Status check_output_path(const std::string& path, const std::string& flag) {
  namespace fs = std::filesystem;
  const std::string who = flag.empty() ? path : flag + " " + path;
  if (path.empty()) return invalid_input(flag + ": must name a file");
  std::error_code ec;
  if (path.back() == '/' || fs::is_directory(path, ec)) {
    return invalid_input(who + ": is a directory; name a file in it, e.g. " +
                         (fs::path(path) / "result.json").lexically_normal().string());
  }
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
    return invalid_input(who + ": exists and is not a regular file");
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(dir, ec);
  if (ec) return invalid_input(who + ": cannot create directory " + dir.string() + ": " + ec.message());
  // The same probe the atomic write makes: a temp file next to the target.
  std::string tmpl = (dir / ("." + target.filename().string() + ".probe-XXXXXX")).string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0)
    return invalid_input(who + ": cannot write in " + dir.string() + ": " + std::strerror(errno) +
                         "; choose another path");
  close(fd);
  unlink(tmpl.c_str());
  return {};
}

Result<std::string> write_file_or_fallback(const std::string& path, const std::string& contents, Error* first_error) {
  namespace fs = std::filesystem;
  Status st = write_file_atomically(path, contents);
  if (st) return path;
  if (first_error != nullptr) *first_error = st.error();
  const fs::path target(path);
  std::string name = target.filename().string();
  if (name.empty()) name = "result.json";
  const std::string tag = std::to_string(::getpid());
  std::vector<std::string> candidates;
  std::error_code ec;
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (fs::is_directory(dir, ec)) candidates.push_back((dir / (name + ".saved-" + tag + ".json")).string());
  candidates.push_back((fs::temp_directory_path(ec) / ("perfgate-" + name + ".saved-" + tag + ".json")).string());
  for (const std::string& candidate : candidates) {
    if (write_file_atomically(candidate, contents)) return candidate;
  }
  return st.error();
}

}  // namespace perfgate
