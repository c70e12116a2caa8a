// HdrHistogram V2 compressed encoding (the format of HdrHistogram's Java/C/Go/Python "encode"):
//   zlib( header(40 bytes, big-endian) + ZigZag-LEB128 counts, zero runs as negative lengths )
// wrapped in an 8-byte compressed header, then base64. Compatibility lets users open our histograms
// in the existing HdrHistogram tools (HistogramLogAnalyzer, hdr-plot).
#include <zlib.h>

#include <array>
#include <cstring>

#include "core/histogram.h"

namespace perfgate {
namespace {

// V2 cookies carry the word size (8 bytes -> 0x10) in bits 4..7, as every HdrHistogram implementation
// writes them; readers ignore those bits.
constexpr uint32_t kEncodingCookieV2 = 0x1c849303 | 0x10;
constexpr uint32_t kCompressedCookieV2 = 0x1c849304 | 0x10;
bool cookie_is(uint32_t cookie, uint32_t expected) { return (cookie & ~0xf0u) == (expected & ~0xf0u); }
constexpr size_t kHeaderSize = 40;
constexpr size_t kCompressedHeaderSize = 8;

void put_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void put_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
uint32_t get_be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
uint64_t get_be64(const unsigned char* p) { return (uint64_t{get_be32(p)} << 32) | get_be32(p + 4); }

void put_zigzag(std::string& out, int64_t value) {
  uint64_t v = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  // HdrHistogram caps the varint at 9 bytes: the 9th carries 8 full bits.
  for (int i = 0; i < 8; ++i) {
    if (v < 0x80) {
      out.push_back(static_cast<char>(v));
      return;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v & 0xff));
}

bool get_zigzag(const unsigned char*& p, const unsigned char* end, int64_t& value) {
  uint64_t v = 0;
  for (int i = 0; i < 9; ++i) {
    if (p >= end) return false;
    const uint64_t byte = *p++;
    if (i == 8) {
      v |= byte << 56;
      break;
    }
    v |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  value = static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  return true;
}

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const std::string& in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) | static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kBase64Alphabet[(n >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t n = uint32_t{static_cast<unsigned char>(in[i])} << 16;
    if (i + 1 < in.size()) n |= uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kBase64Alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view in) {
  std::array<int, 256> table{};
  table.fill(-1);
  for (size_t i = 0; i < kBase64Alphabet.size(); ++i)
    table[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<int>(i);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : in) {
    if (c == '=') break;
    if (c == '\n' || c == '\r' || c == ' ') continue;
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return invalid_input("histogram: not base64 (character '" + std::string(1, c) + "')");
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::string Histogram::to_base64() const {
  std::string payload;
  size_t last_nonzero = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) last_nonzero = i + 1;
  }
  for (size_t i = 0; i < last_nonzero;) {
    if (counts_[i] == 0) {
      size_t run = 0;
      while (i < last_nonzero && counts_[i] == 0) {
        ++run;
        ++i;
      }
      put_zigzag(payload, run == 1 ? 0 : -static_cast<int64_t>(run));
    } else {
      put_zigzag(payload, counts_[i++]);
    }
  }
  std::string raw;
  put_be32(raw, kEncodingCookieV2);
  put_be32(raw, static_cast<uint32_t>(payload.size()));
  put_be32(raw, 0);  // normalizing index offset
  put_be32(raw, static_cast<uint32_t>(config_.significant_figures));
  put_be64(raw, static_cast<uint64_t>(config_.lowest_discernible_value));
  put_be64(raw, static_cast<uint64_t>(config_.highest_trackable_value));
  double ratio = 1.0;
  uint64_t ratio_bits = 0;
  std::memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
  put_be64(raw, ratio_bits);
  raw += payload;

  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressed_size, '\0');
  const int rc =
      compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION);
  assert(rc == Z_OK);
  (void)rc;
  compressed.resize(compressed_size);
  std::string framed;
  put_be32(framed, kCompressedCookieV2);
  put_be32(framed, static_cast<uint32_t>(compressed.size()));
  framed += compressed;
  return base64_encode(framed);
}

Result<Histogram> Histogram::from_base64(std::string_view text) {
  auto framed = base64_decode(text);
  if (!framed) return framed.error();
  const std::string& f = *framed;
  const auto* p = reinterpret_cast<const unsigned char*>(f.data());
  if (f.size() < kCompressedHeaderSize || !cookie_is(get_be32(p), kCompressedCookieV2)) {
    return invalid_input("histogram: not an HdrHistogram V2 compressed encoding (bad cookie)");
  }
  const uint32_t compressed_len = get_be32(p + 4);
  if (compressed_len > f.size() - kCompressedHeaderSize) return invalid_input("histogram: truncated data");

  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return internal_error("histogram: zlib init failed");
  stream.next_in = const_cast<Bytef*>(p + kCompressedHeaderSize);
  stream.avail_in = compressed_len;
  std::string raw;
  std::array<char, 16384> chunk{};
  int rc = Z_OK;
  // Bound the inflated size so a crafted input cannot make us allocate without limit.
  constexpr size_t kMaxRaw = 64u << 20;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    raw.append(chunk.data(), chunk.size() - stream.avail_out);
    if (raw.size() > kMaxRaw) rc = Z_MEM_ERROR;
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) return invalid_input("histogram: corrupt compressed data");
  if (raw.size() < kHeaderSize) return invalid_input("histogram: truncated header");
  const auto* r = reinterpret_cast<const unsigned char*>(raw.data());
  if (!cookie_is(get_be32(r), kEncodingCookieV2)) return invalid_input("histogram: unsupported encoding cookie");
  const uint32_t payload_len = get_be32(r + 4);
  HistogramConfig config;
  config.significant_figures = static_cast<int>(get_be32(r + 12));
  config.lowest_discernible_value = static_cast<int64_t>(get_be64(r + 16));
  config.highest_trackable_value = static_cast<int64_t>(get_be64(r + 24));
  if (const Status s = validate(config); !s) return s.error();
  // A huge range at high precision would be a denial of memory; results never need more than this.
  if (config.highest_trackable_value > (int64_t{1} << 50)) return invalid_input("histogram: range too large");
  if (payload_len > raw.size() - kHeaderSize) return invalid_input("histogram: truncated payload");

  Histogram h(config);
  const unsigned char* q = r + kHeaderSize;
  const unsigned char* end = q + payload_len;
  size_t index = 0;
  while (q < end) {
    int64_t v = 0;
    if (!get_zigzag(q, end, v)) return invalid_input("histogram: truncated count");
    if (v < 0) {
      if (v < -static_cast<int64_t>(h.counts_.size())) return invalid_input("histogram: zero run out of range");
      index += static_cast<size_t>(-v);
    } else {
      if (index >= h.counts_.size()) return invalid_input("histogram: more counts than the range holds");
      if (v > 0) h.add_at_index(index, v);
      ++index;
    }
  }
  return h;
}

}  // namespace perfgate
