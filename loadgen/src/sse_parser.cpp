#include "sse_parser.h"

namespace perfgate {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

void SseParser::reset(SseListener* listener) {
  listener_ = listener;
  line_.clear();
  data_.clear();
  type_.clear();
  id_.clear();
  after_cr_ = false;
  at_start_ = true;
  bom_seen_ = 0;
}

void SseParser::feed(std::string_view bytes) {
  size_t i = 0;
  // The byte order mark may itself arrive split; hold its bytes until it is certain.
  while (at_start_ && i < bytes.size()) {
    if (bytes[i] == kBom[bom_seen_]) {
      ++i;
      if (++bom_seen_ == kBom.size()) at_start_ = false;
      continue;
    }
    at_start_ = false;
    line_.append(kBom.substr(0, bom_seen_));
  }
  while (i < bytes.size()) {
    const char c = bytes[i];
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') {
        ++i;
        continue;
      }
    }
    if (c == '\n' || c == '\r') {
      after_cr_ = c == '\r';
      on_line(line_);
      line_.clear();
      ++i;
      continue;
    }
    size_t end = i;
    while (end < bytes.size() && bytes[end] != '\n' && bytes[end] != '\r') ++end;
    const size_t room = kMaxLine > line_.size() ? kMaxLine - line_.size() : 0;
    line_.append(bytes.substr(i, std::min(room, end - i)));
    i = end;
  }
}

void SseParser::on_line(std::string_view line) {
  if (line.empty()) {
    dispatch();
    return;
  }
  if (line.front() == ':') return;
  const size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) id_.assign(value);
  }
}

void SseParser::dispatch() {
  if (data_.empty()) {
    type_.clear();
    return;
  }
  data_.pop_back();
  if (listener_ != nullptr)
    listener_->on_event(type_.empty() ? std::string_view("message") : std::string_view(type_), data_, id_);
  data_.clear();
  type_.clear();
}

}  // namespace perfgate
