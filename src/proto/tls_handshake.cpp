// TLS hello parsing and JA3/JA3S/JA4 fingerprints (see tls_handshake.hpp).
//
// Flow: the record layer is walked first (gather_handshake_message) to find the
// first handshake message; it is handed out as a view into the stream when it
// lies inside the first record (the usual case) or copied into the caller's
// scratch buffer when it spans records. The hello body is then read with a
// bounds-checked cursor. Runs on whichever thread calls it; no state, no
// allocation (the OpenSSL digests aside), no exceptions.
#include "proto/tls_handshake.hpp"

#include <algorithm>
#include <cstring>

#include <openssl/evp.h>

#include "opensoc/core/byte_order.hpp"

namespace opensoc::proto {

namespace {

constexpr std::uint8_t kContentChangeCipherSpec = 20;
constexpr std::uint8_t kContentHandshake = 22;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;

constexpr std::uint16_t kExtServerName = 0x0000;
constexpr std::uint16_t kExtSupportedGroups = 0x000a;
constexpr std::uint16_t kExtEcPointFormats = 0x000b;
constexpr std::uint16_t kExtSignatureAlgorithms = 0x000d;
constexpr std::uint16_t kExtAlpn = 0x0010;
constexpr std::uint16_t kExtSupportedVersions = 0x002b;

std::uint16_t load_u16(const std::uint8_t* p) noexcept { return load_be16(p); }

std::uint32_t load_u24(const std::uint8_t* p) noexcept {
  std::uint8_t b[3];
  std::memcpy(b, p, 3);
  return static_cast<std::uint32_t>(b[0]) << 16 | static_cast<std::uint32_t>(b[1]) << 8 | b[2];
}

// A cursor over untrusted bytes: every read checks the remaining length and
// leaves the cursor unchanged on failure.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) noexcept : data_(data) {}

  std::size_t remaining() const noexcept { return data_.size() - pos_; }
  bool empty() const noexcept { return remaining() == 0; }

  bool u8(std::uint8_t& v) noexcept {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) noexcept {
    if (remaining() < 2) return false;
    v = load_u16(data_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool bytes(std::size_t n, std::span<const std::uint8_t>& out) noexcept {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool skip(std::size_t n) noexcept {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }
  // A vector<0..2^8-1> or <0..2^16-1>: its length prefix, then that many bytes.
  bool vec8(std::span<const std::uint8_t>& out) noexcept {
    const std::size_t save = pos_;
    std::uint8_t n = 0;
    if (u8(n) && bytes(n, out)) return true;
    pos_ = save;
    return false;
  }
  bool vec16(std::span<const std::uint8_t>& out) noexcept {
    const std::size_t save = pos_;
    std::uint16_t n = 0;
    if (u16(n) && bytes(n, out)) return true;
    pos_ = save;
    return false;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

std::string_view as_text(std::span<const std::uint8_t> bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

struct HandshakeMessage {
  TlsParseStatus status = TlsParseStatus::truncated;
  std::uint16_t record_version = 0;
  std::span<const std::uint8_t> body;
};

// Finds the first handshake message of the stream and checks its type.
HandshakeMessage gather_handshake_message(std::span<const std::uint8_t> stream, std::span<std::uint8_t> scratch,
                                          std::uint8_t expected_type) noexcept {
  HandshakeMessage msg;
  if (stream.empty()) return msg;
  if (stream[0] != kContentHandshake && stream[0] != kContentChangeCipherSpec) {
    // SSLv2 records open with a 2-byte length whose top bit is set.
    msg.status = (stream[0] & 0x80) != 0 ? TlsParseStatus::sslv2_record : TlsParseStatus::not_handshake;
    return msg;
  }
  std::size_t pos = 0;
  // RFC 8446 D.4 middlebox compatibility: a ChangeCipherSpec record may come
  // first (a client's second hello after a HelloRetryRequest, a server's
  // ServerHello after it). Skipped, one byte each.
  while (pos < stream.size() && stream[pos] == kContentChangeCipherSpec) {
    if (stream.size() - pos < 6) return msg;  // truncated
    if (load_u16(stream.data() + pos + 3) != 1) {
      msg.status = TlsParseStatus::malformed_record;
      return msg;
    }
    pos += 6;
  }
  std::size_t have = 0;  // message bytes copied into scratch
  std::size_t need = 0;  // 4 + message length once the header is known
  bool first = true;
  for (;;) {
    if (stream.size() - pos < 5) {
      msg.status = TlsParseStatus::truncated;
      return msg;
    }
    const std::uint8_t* header = stream.data() + pos;
    const std::uint16_t record_length = load_u16(header + 3);
    if (first) msg.record_version = load_u16(header + 1);
    // RFC 8446 5.1: handshake messages are never interleaved with other
    // record types, and zero-length handshake fragments are forbidden.
    if (header[0] != kContentHandshake || record_length == 0) {
      msg.status = first && header[0] != kContentHandshake ? TlsParseStatus::not_handshake
                                                             : TlsParseStatus::malformed_record;
      return msg;
    }
    const std::size_t available = std::min<std::size_t>(record_length, stream.size() - pos - 5);
    const std::span<const std::uint8_t> fragment = stream.subspan(pos + 5, available);

    if (first && !fragment.empty() && fragment[0] != expected_type) {
      msg.status = TlsParseStatus::unexpected_message;
      return msg;
    }
    if (first && fragment.size() >= 4) {
      const std::size_t length = load_u24(fragment.data() + 1);
      if (fragment.size() - 4 >= length) {
        msg.body = fragment.subspan(4, length);
        msg.status = TlsParseStatus::ok;
        return msg;
      }
      if (available == record_length && 4 + length > scratch.size()) {
        msg.status = TlsParseStatus::too_large;
        return msg;
      }
    }

    std::size_t off = 0;
    while (off < fragment.size()) {
      const std::size_t target = have < 4 ? 4 : need;
      if (target > scratch.size()) {
        msg.status = TlsParseStatus::too_large;
        return msg;
      }
      const std::size_t n = std::min(target - have, fragment.size() - off);
      std::memcpy(scratch.data() + have, fragment.data() + off, n);
      have += n;
      off += n;
      if (have == 4 && need == 0) {
        if (scratch[0] != expected_type) {
          msg.status = TlsParseStatus::unexpected_message;
          return msg;
        }
        need = 4 + static_cast<std::size_t>(load_u24(scratch.data() + 1));
      }
      if (need != 0 && have == need) {
        msg.body = std::span<const std::uint8_t>(scratch.data() + 4, need - 4);
        msg.status = TlsParseStatus::ok;
        return msg;
      }
    }
    if (available < record_length) {
      msg.status = TlsParseStatus::truncated;
      return msg;
    }
    pos += 5 + static_cast<std::size_t>(record_length);
    first = false;
  }
}

// Reads a vector<2..2^16-2> of 16-bit values that must fill `data` exactly.
template <std::size_t N>
bool read_u16_list16(std::span<const std::uint8_t> data, BoundedList<std::uint16_t, N>& out) noexcept {
  Reader r(data);
  std::span<const std::uint8_t> list;
  if (!r.vec16(list) || !r.empty() || list.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < list.size(); i += 2) out.push(load_u16(list.data() + i));
  return true;
}

bool parse_server_name(std::span<const std::uint8_t> data, TlsClientHello& out) noexcept {
  out.has_server_name = true;
  if (data.empty()) return true;  // what servers echo; tolerated from clients too
  Reader r(data);
  std::span<const std::uint8_t> list;
  if (!r.vec16(list) || !r.empty()) return false;
  Reader entries(list);
  bool found = false;
  while (!entries.empty()) {
    std::uint8_t name_type = 0;
    std::span<const std::uint8_t> name;
    if (!entries.u8(name_type) || !entries.vec16(name)) return false;
    if (name_type == 0 && !found) {
      out.server_name = as_text(name);
      found = true;
    }
  }
  return true;
}

bool parse_alpn_list(std::span<const std::uint8_t> data, BoundedList<std::string_view, kTlsMaxAlpn>& out) noexcept {
  Reader r(data);
  std::span<const std::uint8_t> list;
  if (!r.vec16(list) || !r.empty()) return false;
  Reader entries(list);
  while (!entries.empty()) {
    std::span<const std::uint8_t> name;
    if (!entries.vec8(name)) return false;
    out.push(as_text(name));
  }
  return true;
}

bool parse_client_extension(std::uint16_t type, std::span<const std::uint8_t> data, TlsClientHello& out,
                            std::uint32_t& seen) noexcept {
  // Only the first occurrence of a content extension is read; a repeat is
  // still listed in `extensions` (fingerprints count it) but not merged.
  std::uint32_t bit = 0;
  switch (type) {
    case kExtServerName: bit = 1u << 0; break;
    case kExtSupportedGroups: bit = 1u << 1; break;
    case kExtEcPointFormats: bit = 1u << 2; break;
    case kExtSignatureAlgorithms: bit = 1u << 3; break;
    case kExtAlpn: bit = 1u << 4; break;
    case kExtSupportedVersions: bit = 1u << 5; break;
    default: return true;
  }
  if ((seen & bit) != 0) return true;
  seen |= bit;
  switch (type) {
    case kExtServerName: return parse_server_name(data, out);
    case kExtSupportedGroups: return read_u16_list16(data, out.supported_groups);
    case kExtSignatureAlgorithms: return read_u16_list16(data, out.signature_algorithms);
    case kExtAlpn:
      out.has_alpn = true;
      return parse_alpn_list(data, out.alpn);
    case kExtEcPointFormats: {
      Reader r(data);
      std::span<const std::uint8_t> list;
      if (!r.vec8(list) || !r.empty()) return false;
      for (const std::uint8_t f : list) out.ec_point_formats.push(f);
      return true;
    }
    case kExtSupportedVersions: {
      Reader r(data);
      std::span<const std::uint8_t> list;
      if (!r.vec8(list) || !r.empty() || list.size() % 2 != 0) return false;
      for (std::size_t i = 0; i < list.size(); i += 2) out.supported_versions.push(load_u16(list.data() + i));
      return true;
    }
    default: return true;
  }
}

// The extensions block: absent, or a vector<0..2^16-1> that ends the message.
template <typename OnExtension>
bool parse_extensions(Reader& r, OnExtension&& on_extension) noexcept {
  if (r.empty()) return true;
  std::span<const std::uint8_t> block;
  if (!r.vec16(block) || !r.empty()) return false;
  Reader ext(block);
  while (!ext.empty()) {
    std::uint16_t type = 0;
    std::span<const std::uint8_t> data;
    if (!ext.u16(type) || !ext.vec16(data)) return false;
    if (!on_extension(type, data)) return false;
  }
  return true;
}

// ---- text building for the fingerprints ------------------------------------

// Appends into a fixed buffer; a write past the end sets `overflow` instead.
class TextBuilder {
 public:
  TextBuilder(char* data, std::size_t capacity) noexcept : data_(data), capacity_(capacity) {}

  void put(char c) noexcept {
    if (length_ < capacity_) {
      data_[length_++] = c;
    } else {
      overflow_ = true;
    }
  }
  void decimal(std::uint32_t v) noexcept {
    char digits[10];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
  }
  void hex4(std::uint16_t v) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int shift = 12; shift >= 0; shift -= 4) put(kHex[(v >> shift) & 0xf]);
  }
  std::size_t length() const noexcept { return length_; }
  bool overflow() const noexcept { return overflow_; }
  std::string_view text() const noexcept { return {data_, length_}; }

 private:
  char* data_;
  std::size_t capacity_;
  std::size_t length_ = 0;
  bool overflow_ = false;
};

template <typename T>
void put_decimal_list(TextBuilder& b, std::span<const T> values, bool skip_grease) noexcept {
  bool first = true;
  for (const T v : values) {
    if (skip_grease && is_tls_grease(static_cast<std::uint16_t>(v))) continue;
    if (!first) b.put('-');
    b.decimal(v);
    first = false;
  }
}

void put_hex(char* out, const unsigned char* digest, std::size_t chars) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < chars; ++i) {
    const unsigned char byte = digest[i / 2];
    out[i] = kHex[i % 2 == 0 ? byte >> 4 : byte & 0xf];
  }
}

bool digest_hex(const EVP_MD* md, std::string_view text, char* out, std::size_t chars) noexcept {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &digest_length, md, nullptr) != 1) return false;
  if (digest_length * 2 < chars) return false;
  put_hex(out, digest, chars);
  return true;
}

void finish_ja3(Ja3Fingerprint& fp, const TextBuilder& b) noexcept {
  fp.text_length = static_cast<std::uint16_t>(b.length());
  if (b.overflow()) fp.complete = false;
  fp.has_md5 = digest_hex(EVP_md5(), fp.text(), fp.md5_hex.data(), 32);
  if (!fp.has_md5) fp.complete = false;
}

// Worst case of a JA3 text given the list capacities: every value five
// digits plus a separator.
constexpr std::size_t kJa3WorstCase =
    6 + 6 * (kTlsMaxCipherSuites + kTlsMaxExtensions + kTlsMaxGroups) + 4 * kTlsMaxPointFormats + 4;
static_assert(kJa3WorstCase <= Ja3Fingerprint::kTextCapacity);

bool is_alnum_ascii(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

const char* ja4_version(std::uint16_t v) noexcept {
  switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
  }
}

// sha256 of `text`, first 12 hex characters; all zeros for an empty text
// (FoxIO's rule for a hello without ciphers or extensions).
bool ja4_hash12(std::string_view text, char* out) noexcept {
  if (text.empty()) {
    std::memset(out, '0', 12);
    return true;
  }
  if (digest_hex(EVP_sha256(), text, out, 12)) return true;
  std::memset(out, '0', 12);
  return false;
}

}  // namespace

std::string_view to_string(TlsParseStatus status) noexcept {
  switch (status) {
    case TlsParseStatus::ok: return "ok";
    case TlsParseStatus::truncated: return "truncated";
    case TlsParseStatus::not_handshake: return "not_handshake";
    case TlsParseStatus::sslv2_record: return "sslv2_record";
    case TlsParseStatus::unexpected_message: return "unexpected_message";
    case TlsParseStatus::malformed_record: return "malformed_record";
    case TlsParseStatus::malformed_hello: return "malformed_hello";
    case TlsParseStatus::too_large: return "too_large";
  }
  return "unknown";
}

TlsParseStatus parse_tls_client_hello(std::span<const std::uint8_t> stream, std::span<std::uint8_t> scratch,
                                      TlsClientHello& out) noexcept {
  out = TlsClientHello{};
  const HandshakeMessage msg = gather_handshake_message(stream, scratch, kClientHello);
  if (msg.status != TlsParseStatus::ok) return msg.status;
  out.record_version = msg.record_version;

  Reader r(msg.body);
  std::span<const std::uint8_t> session_id, ciphers, compression;
  if (!r.u16(out.legacy_version) || !r.skip(32) || !r.vec8(session_id) || !r.vec16(ciphers) ||
      !r.vec8(compression) || ciphers.size() % 2 != 0) {
    return TlsParseStatus::malformed_hello;
  }
  for (std::size_t i = 0; i < ciphers.size(); i += 2) out.cipher_suites.push(load_u16(ciphers.data() + i));

  std::uint32_t seen = 0;
  const bool ok = parse_extensions(r, [&](std::uint16_t type, std::span<const std::uint8_t> data) {
    out.extensions.push(type);
    return parse_client_extension(type, data, out, seen);
  });
  return ok ? TlsParseStatus::ok : TlsParseStatus::malformed_hello;
}

TlsParseStatus parse_tls_server_hello(std::span<const std::uint8_t> stream, std::span<std::uint8_t> scratch,
                                      TlsServerHello& out) noexcept {
  out = TlsServerHello{};
  const HandshakeMessage msg = gather_handshake_message(stream, scratch, kServerHello);
  if (msg.status != TlsParseStatus::ok) return msg.status;
  out.record_version = msg.record_version;

  Reader r(msg.body);
  if (!r.u16(out.legacy_version) || !r.skip(32)) return TlsParseStatus::malformed_hello;
  // TLS 1.3 drafts before 22 put their version here and had neither a
  // session id nor a compression method in the ServerHello.
  const std::uint16_t v = out.legacy_version;
  const bool draft_layout = v == 0x0304 || (v >> 8 == 0x7f && (v & 0xff) < 22);
  std::span<const std::uint8_t> session_id;
  if ((!draft_layout && !r.vec8(session_id)) || !r.u16(out.cipher_suite) ||
      (!draft_layout && !r.u8(out.compression_method))) {
    return TlsParseStatus::malformed_hello;
  }
  bool seen_versions = false;
  bool seen_alpn = false;
  const bool ok = parse_extensions(r, [&](std::uint16_t type, std::span<const std::uint8_t> data) {
    out.extensions.push(type);
    if (type == kExtSupportedVersions && !seen_versions) {
      seen_versions = true;
      if (data.size() != 2) return false;
      out.selected_version = load_u16(data.data());
    } else if (type == kExtAlpn && !seen_alpn) {
      seen_alpn = true;
      BoundedList<std::string_view, kTlsMaxAlpn> list;
      // RFC 7301 3.1: the server answers with exactly one protocol name.
      if (!parse_alpn_list(data, list) || list.count != 1) return false;
      out.alpn = list.items[0];
    }
    return true;
  });
  return ok ? TlsParseStatus::ok : TlsParseStatus::malformed_hello;
}

Ja3Fingerprint compute_ja3(const TlsClientHello& hello) noexcept {
  Ja3Fingerprint fp;
  fp.complete = hello.cipher_suites.complete() && hello.extensions.complete() && hello.supported_groups.complete() &&
                hello.ec_point_formats.complete();
  TextBuilder b(fp.text_buffer.data(), fp.text_buffer.size());
  b.decimal(hello.legacy_version);
  b.put(',');
  put_decimal_list(b, hello.cipher_suites.view(), true);
  b.put(',');
  put_decimal_list(b, hello.extensions.view(), true);
  b.put(',');
  put_decimal_list(b, hello.supported_groups.view(), true);
  b.put(',');
  put_decimal_list(b, hello.ec_point_formats.view(), false);
  finish_ja3(fp, b);
  return fp;
}

Ja3Fingerprint compute_ja3s(const TlsServerHello& hello) noexcept {
  Ja3Fingerprint fp;
  fp.complete = hello.extensions.complete();
  TextBuilder b(fp.text_buffer.data(), fp.text_buffer.size());
  b.decimal(hello.legacy_version);
  b.put(',');
  b.decimal(hello.cipher_suite);
  b.put(',');
  put_decimal_list(b, hello.extensions.view(), true);
  finish_ja3(fp, b);
  return fp;
}

Ja4Fingerprint compute_ja4(const TlsClientHello& hello, Ja4Transport transport) noexcept {
  Ja4Fingerprint fp;
  fp.complete = hello.cipher_suites.complete() && hello.extensions.complete() &&
                hello.signature_algorithms.complete() && hello.supported_versions.complete();
  char* out = fp.buffer.data();

  // Section a: transport, version, SNI, counts, ALPN.
  std::uint16_t version = 0;
  for (const std::uint16_t v : hello.supported_versions.view()) {
    if (!is_tls_grease(v)) version = std::max(version, v);
  }
  if (version == 0) version = hello.legacy_version;
  out[0] = static_cast<char>(transport);
  std::memcpy(out + 1, ja4_version(version), 2);
  out[3] = hello.has_server_name ? 'd' : 'i';

  std::array<std::uint16_t, kTlsMaxCipherSuites> ciphers{};
  std::size_t cipher_count = 0;
  for (const std::uint16_t c : hello.cipher_suites.view()) {
    if (!is_tls_grease(c)) ciphers[cipher_count++] = c;
  }
  std::array<std::uint16_t, kTlsMaxExtensions> extensions{};
  std::size_t extension_total = 0;
  std::size_t extension_count = 0;
  for (const std::uint16_t e : hello.extensions.view()) {
    if (is_tls_grease(e)) continue;
    ++extension_total;
    if (e != kExtServerName && e != kExtAlpn) extensions[extension_count++] = e;
  }
  // Values past the list capacity still count (they are not GREASE-checked).
  const std::size_t shown_ciphers = std::min<std::size_t>(cipher_count + hello.cipher_suites.dropped, 99);
  const std::size_t shown_extensions = std::min<std::size_t>(extension_total + hello.extensions.dropped, 99);
  out[4] = static_cast<char>('0' + shown_ciphers / 10);
  out[5] = static_cast<char>('0' + shown_ciphers % 10);
  out[6] = static_cast<char>('0' + shown_extensions / 10);
  out[7] = static_cast<char>('0' + shown_extensions % 10);

  out[8] = '0';
  out[9] = '0';
  if (hello.alpn.count > 0 && !hello.alpn.items[0].empty()) {
    const std::string_view alpn = hello.alpn.items[0];
    const auto first = static_cast<unsigned char>(alpn.front());
    const auto last = static_cast<unsigned char>(alpn.back());
    if (is_alnum_ascii(first) && is_alnum_ascii(last)) {
      out[8] = static_cast<char>(first);
      out[9] = static_cast<char>(last);
    } else {
      // Non-printable ALPN: first and last characters of its hex form.
      static constexpr char kHex[] = "0123456789abcdef";
      out[8] = kHex[first >> 4];
      out[9] = kHex[last & 0xf];
    }
  }
  out[10] = '_';

  // Section b: sorted cipher suites.
  std::sort(ciphers.begin(), ciphers.begin() + static_cast<std::ptrdiff_t>(cipher_count));
  std::array<char, 5 * kTlsMaxCipherSuites> cipher_text{};
  TextBuilder cb(cipher_text.data(), cipher_text.size());
  for (std::size_t i = 0; i < cipher_count; ++i) {
    if (i != 0) cb.put(',');
    cb.hex4(ciphers[i]);
  }
  if (!ja4_hash12(cb.text(), out + 11)) fp.complete = false;
  out[23] = '_';

  // Section c: sorted extensions without SNI and ALPN, then the signature
  // algorithms in wire order.
  std::sort(extensions.begin(), extensions.begin() + static_cast<std::ptrdiff_t>(extension_count));
  std::array<char, 5 * (kTlsMaxExtensions + kTlsMaxSignatureAlgorithms) + 1> extension_text{};
  TextBuilder eb(extension_text.data(), extension_text.size());
  for (std::size_t i = 0; i < extension_count; ++i) {
    if (i != 0) eb.put(',');
    eb.hex4(extensions[i]);
  }
  bool first_algorithm = true;
  for (const std::uint16_t a : hello.signature_algorithms.view()) {
    if (is_tls_grease(a)) continue;
    eb.put(first_algorithm ? '_' : ',');
    eb.hex4(a);
    first_algorithm = false;
  }
  if (!ja4_hash12(eb.text(), out + 24)) fp.complete = false;
  if (cb.overflow() || eb.overflow()) fp.complete = false;
  return fp;
}

}  // namespace opensoc::proto
