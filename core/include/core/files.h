#pragma once
// Whole-file reading and atomic writing: every output of perfgate goes through write_file_atomically.

#include <string>

#include "core/result.h"

namespace perfgate {

/// Reads a whole file. Missing or unreadable: kInvalidInput "PATH: cannot read: REASON".
Result<std::string> read_file(const std::string& path);

/// Writes `contents` to `path` atomically: a temp file in the same directory, fsync, rename over
/// `path`, fsync of the directory. Creates missing parent directories. On any failure the previous
/// file (if any) is untouched and the temp file removed. Errors are kIo naming the path.
Status write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace perfgate
