#include "text_safety.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace perfgate::reports_detail {
namespace {

// The entity of one of & < > " ' in HTML and XML (`apostrophe` spells '), or nullptr.
const char* markup_entity(char c, const char* apostrophe) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return apostrophe;
    default:
      return nullptr;
  }
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Case-insensitive search from `from`; npos when absent.
size_t find_ci(std::string_view haystack, std::string_view needle, size_t from) {
  if (needle.empty() || haystack.size() < needle.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= haystack.size(); ++i) {
    bool match = true;
    for (size_t j = 0; j < needle.size() && match; ++j) match = lower(haystack[i + j]) == lower(needle[j]);
    if (match) return i;
  }
  return std::string_view::npos;
}

// Replaces text[begin, end) with the marker; returns the index just after the marker.
size_t redact_range(std::string& text, size_t begin, size_t end) {
  static constexpr std::string_view kMarker = "[redacted]";
  if (end <= begin) return begin;
  text.replace(begin, end - begin, kMarker);
  return begin + kMarker.size();
}

// Header values run to the end of the shell word: a closing quote or a newline (they may contain
// spaces, "Bearer abc").
void redact_header_values(std::string& text) {
  static constexpr std::array<std::string_view, 6> kHeaders = {
      "proxy-authorization:", "authorization:", "set-cookie:", "cookie:", "x-api-key:", "x-auth-token:"};
  for (std::string_view header : kHeaders) {
    size_t pos = 0;
    while ((pos = find_ci(text, header, pos)) != std::string::npos) {
      size_t begin = pos + header.size();
      while (begin < text.size() && text[begin] == ' ') ++begin;
      size_t end = begin;
      while (end < text.size() && text[end] != '\'' && text[end] != '"' && text[end] != '\n') ++end;
      pos = redact_range(text, begin, end);
    }
  }
}

// Parameter values run to the next separator of a URL, a DSN or a shell word.
void redact_parameters(std::string& text) {
  static constexpr std::array<std::string_view, 9> kKeys = {
      "password=", "passwd=", "pwd=", "token=", "secret=", "api_key=", "apikey=", "authorization=", "cookie="};
  for (std::string_view key : kKeys) {
    size_t pos = 0;
    while ((pos = find_ci(text, key, pos)) != std::string::npos) {
      const size_t begin = pos + key.size();
      size_t end = begin;
      while (end < text.size() && std::string_view(" \t\n&;'\",").find(text[end]) == std::string_view::npos) ++end;
      pos = redact_range(text, begin, end);
    }
  }
}

// scheme://user:password@host -> scheme://user:[redacted]@host
void redact_url_userinfo(std::string& text) {
  size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string::npos) {
    const size_t start = pos + 3;
    size_t end = start;
    while (end < text.size() && std::string_view("/ \t\n'\"?#").find(text[end]) == std::string_view::npos) ++end;
    const size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= start && at < end) {
      const size_t colon = text.find(':', start);
      if (colon != std::string::npos && colon < at) {
        pos = redact_range(text, colon + 1, at);
        continue;
      }
    }
    pos = start;
  }
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    if (const char* e = markup_entity(c, "&#39;")) {
      out += e;
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    if (const char* e = markup_entity(c, "&apos;")) {
      out += e;
    } else if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t' || c == '\r') {
      // XML 1.0 forbids most control characters even when escaped; they are dropped, not encoded.
      out += c;
    }
  }
  return out;
}

std::string escape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    if (c == '&' || c == '<' || c == '>') {
      out += markup_entity(c, "");
      continue;
    }
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '`':
        out += "\\`";
        break;
      case '*':
        out += "\\*";
        break;
      case '_':
        out += "\\_";
        break;
      case '[':
        out += "\\[";
        break;
      case ']':
        out += "\\]";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string markdown_code_block(std::string_view code, std::string_view language) {
  size_t longest = 0, run = 0;
  for (char c : code) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<size_t>(3, longest + 1), '`');
  std::string out = fence + std::string(language) + "\n" + std::string(code);
  if (out.empty() || out.back() != '\n') out += '\n';
  return out + fence + "\n";
}

std::string redact_secrets(std::string_view text) {
  std::string out(text);
  redact_header_values(out);
  redact_parameters(out);
  redact_url_userinfo(out);
  return out;
}

}  // namespace perfgate::reports_detail
