#include "loadgen/http_response_parser.h"

#include <algorithm>
#include <cstring>

namespace perfgate {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when the comma-separated list `value` holds `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Last coding of a Transfer-Encoding list, which decides the framing (RFC 9112 6.3).
std::string_view last_token(std::string_view value) {
  const size_t comma = value.rfind(',');
  return trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
}

}  // namespace

void HttpResponseParser::reset(BodyExpectation expectation, ResponseSink* sink) {
  phase_ = Phase::kStatusLine;
  state_ = State::kInProgress;
  expectation_ = expectation;
  sink_ = sink;
  status_ = 0;
  minor_version_ = 1;
  keep_alive_ = true;
  started_ = false;
  chunked_ = false;
  saw_length_ = false;
  saw_connection_close_ = false;
  saw_connection_keep_alive_ = false;
  content_length_ = 0;
  remaining_ = 0;
  body_bytes_ = 0;
  partial_.clear();
  partial_taken_ = false;
  error_reason_ = "";
}

void HttpResponseParser::fail(const char* reason) {
  state_ = State::kError;
  keep_alive_ = false;
  error_reason_ = reason;
}

// Collects bytes up to '\n' across feeds; yields the line without CR LF, valid until the next call.
// Lines longer than kMaxLine fail rather than grow the buffer further: memory stays bounded per
// connection.
bool HttpResponseParser::take_line(const char* data, size_t length, size_t& used, std::string_view& line) {
  if (partial_taken_) {
    partial_.clear();
    partial_taken_ = false;
  }
  const void* nl = std::memchr(data, '\n', length);
  const size_t take = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - data) : length;
  if (partial_.size() + take > kMaxLine) {
    fail("line too long");
    used = take;
    return false;
  }
  if (nl == nullptr) {
    partial_.append(data, take);
    used = length;
    return false;
  }
  used = take + 1;
  if (partial_.empty()) {
    line = std::string_view(data, take);
  } else {
    partial_.append(data, take);
    line = partial_;
    partial_taken_ = true;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

void HttpResponseParser::on_status_line(std::string_view line) {
  // "HTTP/1.x SSS[ reason]"
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[7] < '0' || line[7] > '9' || line[8] != ' ') {
    fail("bad status line");
    return;
  }
  minor_version_ = line[7] - '0';
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') {
      fail("bad status code");
      return;
    }
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || (line.size() > 12 && line[12] != ' ')) {
    fail("bad status code");
    return;
  }
  status_ = status;
  phase_ = Phase::kHeaders;
}

void HttpResponseParser::on_header_line(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {
    fail("obsolete header folding");
    return;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    fail("bad header line");
    return;
  }
  const std::string_view name = line.substr(0, colon);
  if (name.back() == ' ' || name.back() == '\t') {
    fail("whitespace before header colon");
    return;
  }
  const std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "content-length")) {
    if (value.empty() || value.size() > 18) {
      fail("bad content-length");
      return;
    }
    int64_t n = 0;
    for (char c : value) {
      if (c < '0' || c > '9') {
        fail("bad content-length");
        return;
      }
      n = n * 10 + (c - '0');
    }
    if (saw_length_ && n != content_length_) {
      fail("conflicting content-length");
      return;
    }
    saw_length_ = true;
    content_length_ = n;
  } else if (iequals(name, "transfer-encoding")) {
    chunked_ = iequals(last_token(value), "chunked");
  } else if (iequals(name, "connection")) {
    saw_connection_close_ = saw_connection_close_ || has_token(value, "close");
    saw_connection_keep_alive_ = saw_connection_keep_alive_ || has_token(value, "keep-alive");
  }
  if (sink_ != nullptr) sink_->on_header(name, value);
}

void HttpResponseParser::on_headers_end() {
  keep_alive_ = minor_version_ >= 1 ? !saw_connection_close_ : saw_connection_keep_alive_ && !saw_connection_close_;
  if (status_ < 200 && status_ != 101) {
    // Interim response (100 Continue, 103 Early Hints): the real one follows on the same connection.
    phase_ = Phase::kStatusLine;
    status_ = 0;
    chunked_ = saw_length_ = saw_connection_close_ = saw_connection_keep_alive_ = false;
    content_length_ = 0;
    return;
  }
  if (expectation_ == BodyExpectation::kNone || status_ == 204 || status_ == 304 || status_ == 101) {
    phase_ = Phase::kDone;
    state_ = State::kComplete;
    if (status_ == 101) keep_alive_ = false;
    return;
  }
  if (chunked_) {
    phase_ = Phase::kChunkSize;
  } else if (saw_length_) {
    remaining_ = content_length_;
    phase_ = Phase::kBodyLength;
    if (remaining_ == 0) {
      phase_ = Phase::kDone;
      state_ = State::kComplete;
    }
  } else {
    // No framing: the body runs until the server closes, so the connection cannot be reused.
    keep_alive_ = false;
    phase_ = Phase::kBodyUntilClose;
  }
}

void HttpResponseParser::on_chunk_size_line(std::string_view line) {
  const size_t semicolon = line.find(';');
  const std::string_view hex = trim(line.substr(0, semicolon));
  if (hex.empty() || hex.size() > 15) {
    fail("bad chunk size");
    return;
  }
  int64_t size = 0;
  for (char c : hex) {
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else {
      fail("bad chunk size");
      return;
    }
    size = size * 16 + digit;
  }
  if (size == 0) {
    phase_ = Phase::kTrailers;
  } else {
    remaining_ = size;
    phase_ = Phase::kChunkData;
  }
}

void HttpResponseParser::deliver_body(const char* data, size_t length) {
  body_bytes_ += static_cast<int64_t>(length);
  if (sink_ != nullptr && length > 0) sink_->on_body(std::string_view(data, length));
}

size_t HttpResponseParser::feed(const char* data, size_t length) {
  size_t pos = 0;
  if (length > 0) started_ = true;
  while (pos < length && state_ == State::kInProgress) {
    const char* p = data + pos;
    const size_t left = length - pos;
    size_t used = 0;
    std::string_view line;
    switch (phase_) {
      case Phase::kStatusLine:
        if (take_line(p, left, used, line)) {
          // Tolerate blank lines before the status line (RFC 9112 2.2).
          if (!line.empty()) on_status_line(line);
        }
        break;
      case Phase::kHeaders:
        if (take_line(p, left, used, line)) {
          if (line.empty())
            on_headers_end();
          else
            on_header_line(line);
        }
        break;
      case Phase::kBodyLength: {
        used = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(left)));
        deliver_body(p, used);
        remaining_ -= static_cast<int64_t>(used);
        if (remaining_ == 0) {
          phase_ = Phase::kDone;
          state_ = State::kComplete;
        }
        break;
      }
      case Phase::kBodyUntilClose:
        used = left;
        deliver_body(p, used);
        break;
      case Phase::kChunkSize:
        if (take_line(p, left, used, line)) on_chunk_size_line(line);
        break;
      case Phase::kChunkData: {
        used = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(left)));
        deliver_body(p, used);
        remaining_ -= static_cast<int64_t>(used);
        if (remaining_ == 0) phase_ = Phase::kChunkDataEnd;
        break;
      }
      case Phase::kChunkDataEnd:
        if (take_line(p, left, used, line)) {
          if (!line.empty())
            fail("missing CRLF after chunk");
          else
            phase_ = Phase::kChunkSize;
        }
        break;
      case Phase::kTrailers:
        if (take_line(p, left, used, line)) {
          if (line.empty()) {
            phase_ = Phase::kDone;
            state_ = State::kComplete;
          } else if (line.find(':') == std::string_view::npos) {
            fail("bad trailer line");
          }
        }
        break;
      case Phase::kDone:
        return pos;
    }
    pos += used;
  }
  return pos;
}

HttpResponseParser::State HttpResponseParser::on_eof() {
  if (state_ != State::kInProgress) return state_;
  if (phase_ == Phase::kBodyUntilClose) {
    phase_ = Phase::kDone;
    state_ = State::kComplete;
    keep_alive_ = false;
  } else {
    fail(started_ ? "connection closed mid-response" : "connection closed before response");
  }
  return state_;
}

}  // namespace perfgate
