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

/// Checks, before any work, that write_file_atomically(path) can succeed: `path` is not a directory
/// (nor ends with '/') nor a special file, its directory exists or can be created, and a file can be
/// created there. `flag` ("--out") prefixes the message. Errors: kInvalidInput naming the path and fix.
Status check_output_path(const std::string& path, const std::string& flag);

/// Writes `contents` to `path` atomically; when that fails, writes it next to `path`
/// (PATH.saved-PID.json) or else in the temp directory, so finished work is never thrown away.
/// Returns the path actually written; `first_error` (may be null) receives why `path` failed.
/// Errors: the first failure, when no place could be written.
Result<std::string> write_file_or_fallback(const std::string& path, const std::string& contents, Error* first_error);

}  // namespace perfgate
