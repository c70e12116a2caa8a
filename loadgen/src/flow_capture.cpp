#include "flow_capture.h"

#include <algorithm>

namespace perfgate {

void StepCapture::begin(const ResponseRules* rules, const StreamSpec* stream, const Clock* clock) {
  rules_ = rules;
  stream_ = stream;
  clock_ = clock;
  response_.clear();
  response_.contains.assign(rules->needles.size(), false);
  times_ = StreamTimes{};
  tail_.clear();
  longest_needle_ = 0;
  for (const auto& n : rules->needles) longest_needle_ = std::max(longest_needle_, n.size());
  cancel_requested_ = false;
  cancel_queue_ = nullptr;
  if (stream_ != nullptr) sse_.reset(this);
}

void StepCapture::mark_first_byte() {
  if (!times_.first_byte) times_.first_byte = clock_->now();
}

void StepCapture::on_header(std::string_view name, std::string_view value) {
  mark_first_byte();
  if (rules_->needs_headers) response_.headers.emplace_back(name, value);
}

void StepCapture::on_body(std::string_view bytes) {
  mark_first_byte();
  if (!rules_->needles.empty()) match_needles(bytes);
  if (rules_->needs_body && !response_.body_truncated) {
    if (response_.body.size() + bytes.size() > kMaxBufferedBody) {
      response_.body_truncated = true;
      response_.body.clear();
    } else {
      response_.body.append(bytes);
    }
  }
  if (stream_ == nullptr || cancel_requested_) return;
  if (stream_->format == StreamSpec::Format::kSse) {
    sse_.feed(bytes);
  } else if (!bytes.empty()) {
    // Chunk boundaries are not visible above the HTTP parser; each delivery of body bytes (a read
    // of one chunk's data) is an event.
    on_event("chunk", bytes, "");
  }
}

void StepCapture::match_needles(std::string_view bytes) {
  scratch_.assign(tail_);
  scratch_.append(bytes);
  for (size_t i = 0; i < rules_->needles.size(); ++i) {
    if (!response_.contains[i] && scratch_.find(rules_->needles[i]) != std::string::npos) response_.contains[i] = true;
  }
  const size_t keep = longest_needle_ > 0 ? longest_needle_ - 1 : 0;
  tail_.assign(scratch_, scratch_.size() - std::min(keep, scratch_.size()));
}

void StepCapture::on_event(std::string_view type, std::string_view data, std::string_view id) {
  (void)type;
  (void)id;
  if (cancel_requested_) return;
  const MonoTime now = clock_->now();
  if (!times_.first_event) times_.first_event = now;
  if (times_.last_event) times_.max_gap = std::max(times_.max_gap, now - *times_.last_event);
  times_.last_event = now;
  ++times_.events;
  if (!stream_->progress_pointer.empty()) {
    if (auto v = json_value_at(data, stream_->progress_pointer)) {
      char* end = nullptr;
      const double p = std::strtod(v->c_str(), &end);
      if (end != v->c_str()) times_.progress = p;
    }
  }
  if (stream_->cancel_after_events && times_.events >= *stream_->cancel_after_events) {
    cancel_requested_ = true;
    if (cancel_queue_ != nullptr) cancel_queue_->push_back(cancel_tag_);
  }
}

}  // namespace perfgate
