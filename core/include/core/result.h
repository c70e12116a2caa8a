#pragma once
// Errors as values (STYLE.md, "Errors"): every fallible library call returns Result<T> or Status.
// Exceptions are reserved for third-party libraries and are caught in the adapter that calls them.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace perfgate {

/// What kind of failure an Error is; decides the CLI's exit code (see docs/exit-codes in README).
enum class ErrorCode {
  kInvalidInput,  ///< The user's input is wrong: a file, a flag, a value. Exit code 2.
  kUnavailable,   ///< Something the tool needs is not there: target unreachable, no PostgreSQL. Exit 3.
  kIo,            ///< The tool could not read or write something it owns (output file). Exit 3.
  kInternal,      ///< Anything else the tool failed at. Exit 3.
};

/// A failure: its kind and a message that names the object, the cause and, where it helps, the fix.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  /// Returns a copy whose message is prefixed with `context: `.
  [[nodiscard]] Error with_context(const std::string& context) const { return Error{code, context + ": " + message}; }
};

inline Error invalid_input(std::string message) { return Error{ErrorCode::kInvalidInput, std::move(message)}; }
inline Error unavailable(std::string message) { return Error{ErrorCode::kUnavailable, std::move(message)}; }
inline Error io_error(std::string message) { return Error{ErrorCode::kIo, std::move(message)}; }
inline Error internal_error(std::string message) { return Error{ErrorCode::kInternal, std::move(message)}; }

/// Either a value of type T or an Error (std::expected-shaped; g++ 12 has no std::expected in C++20).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  /// The value; calling it on an error is a bug.
  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// The error; calling it on a value is a bug.
  [[nodiscard]] const Error& error() const {
    assert(!ok());
    return std::get<Error>(data_);
  }

 private:
  std::variant<T, Error> data_;
};

/// Success or an Error, for calls with no value to return.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  [[nodiscard]] const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

/// Exit codes are part of the interface (README "Exit codes").
enum class ExitCode : int {
  kPass = 0,          ///< Everything ran and every check passed.
  kBudgetFailed = 1,  ///< The system under test broke a budget or regressed.
  kUsage = 2,         ///< Usage, input or configuration error.
  kToolFailure = 3,   ///< The tool itself failed: target unreachable, cannot write output.
};

/// The exit code an error maps to.
inline ExitCode exit_code_for(const Error& error) {
  return error.code == ErrorCode::kInvalidInput ? ExitCode::kUsage : ExitCode::kToolFailure;
}

}  // namespace perfgate
