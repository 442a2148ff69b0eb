// QUIC client Initial decryption and ClientHello extraction (see quic_initial.hpp).
//
// Flow: walk the long-header packets of the datagram to the first Initial;
// derive the client Initial keys from its Destination Connection ID and the
// version's salt (RFC 9001 5.2, RFC 9369 3.3.1); remove header protection
// (RFC 9001 5.4) to learn the packet number; open the AES-128-GCM payload into
// scratch; walk its frames, copying CRYPTO data to its stream offset in a
// second scratch region; put a synthetic TLS record header in front of the
// contiguous prefix from offset 0 and let parse_tls_client_hello read it.
// Runs on whichever thread calls it; no state, no exceptions, no allocation
// of its own (OpenSSL's contexts aside).
#include "proto/quic_initial.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "opensoc/core/byte_order.hpp"

namespace opensoc::proto {

namespace {

constexpr std::size_t kSampleBytes = 16;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kKeyBytes = 16;
constexpr std::size_t kIvBytes = 12;
constexpr std::size_t kSecretBytes = 32;
// A CRYPTO frame beyond this many in one packet is ignored (its data then
// counts as missing). Chrome splits its ClientHello into a few dozen at most.
constexpr std::size_t kMaxCryptoFrames = 128;

constexpr std::uint64_t kFramePadding = 0x00;
constexpr std::uint64_t kFramePing = 0x01;
constexpr std::uint64_t kFrameAck = 0x02;
constexpr std::uint64_t kFrameAckEcn = 0x03;
constexpr std::uint64_t kFrameCrypto = 0x06;

using Salt = std::array<std::uint8_t, 20>;

// RFC 9001 5.2 (v1), RFC 9369 3.3.1 (v2), draft-ietf-quic-tls-29 5.2 (drafts
// 29-32) and -23 5.2 (drafts 23-28).
constexpr Salt kSaltV1 = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                          0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr Salt kSaltV2 = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                          0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
constexpr Salt kSaltDraft29 = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                               0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
constexpr Salt kSaltDraft23 = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                               0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};

// What differs between versions for an Initial: the salt, the HKDF labels
// and the long-header type codes (v2 permutes them, RFC 9369 3.2).
struct VersionParams {
  const Salt* salt = nullptr;
  std::string_view key_label;
  std::string_view iv_label;
  std::string_view hp_label;
  std::uint8_t initial_type = 0;
  std::uint8_t retry_type = 3;
};

bool lookup_version(std::uint32_t version, VersionParams& params) noexcept {
  if (version == kQuicVersion2) {
    params = {&kSaltV2, "quicv2 key", "quicv2 iv", "quicv2 hp", 1, 0};
    return true;
  }
  const Salt* salt = nullptr;
  if (version == kQuicVersion1) {
    salt = &kSaltV1;
  } else if (version >= 0xff00001d && version <= 0xff000020) {
    salt = &kSaltDraft29;
  } else if (version >= 0xff000017 && version <= 0xff00001c) {
    salt = &kSaltDraft23;
  } else {
    return false;
  }
  params = {salt, "quic key", "quic iv", "quic hp", 0, 3};
  return true;
}

// A cursor over untrusted bytes: reads check the remaining length and leave
// the cursor where it was on failure.
class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> data, std::size_t pos = 0) noexcept : data_(data), pos_(pos) {}

  std::size_t pos() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return data_.size() - pos_; }

  bool u8(std::uint8_t& v) noexcept {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  // RFC 9000 16: the two top bits of the first byte give the length.
  bool varint(std::uint64_t& v) noexcept {
    if (remaining() < 1) return false;
    const std::size_t n = std::size_t{1} << (data_[pos_] >> 6);
    if (remaining() < n) return false;
    v = data_[pos_] & 0x3f;
    for (std::size_t i = 1; i < n; ++i) v = v << 8 | data_[pos_ + i];
    pos_ += n;
    return true;
  }
  bool bytes(std::size_t n, std::span<const std::uint8_t>& out) noexcept {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool skip(std::uint64_t n) noexcept {
    if (remaining() < n) return false;
    pos_ += static_cast<std::size_t>(n);
    return true;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

// HKDF-Extract (RFC 5869 2.2) with SHA-256.
bool hkdf_extract(std::span<const std::uint8_t> salt, std::span<const std::uint8_t> ikm,
                  std::array<std::uint8_t, kSecretBytes>& prk) noexcept {
  unsigned int length = 0;
  return HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()), ikm.data(), ikm.size(), prk.data(),
              &length) != nullptr &&
         length == kSecretBytes;
}

// HKDF-Expand-Label (RFC 8446 7.1) with an empty context. Every output here
// is at most one SHA-256 block, so Expand is a single HMAC over info || 0x01.
bool hkdf_expand_label(std::span<const std::uint8_t> secret, std::string_view label, std::span<std::uint8_t> out) noexcept {
  constexpr std::string_view kPrefix = "tls13 ";
  std::array<std::uint8_t, 2 + 1 + 255 + 1 + 1> info{};
  const std::size_t label_length = kPrefix.size() + label.size();
  if (out.size() > kSecretBytes || label_length > 255) return false;
  std::size_t n = 0;
  info[n++] = static_cast<std::uint8_t>(out.size() >> 8);
  info[n++] = static_cast<std::uint8_t>(out.size());
  info[n++] = static_cast<std::uint8_t>(label_length);
  std::memcpy(info.data() + n, kPrefix.data(), kPrefix.size());
  n += kPrefix.size();
  std::memcpy(info.data() + n, label.data(), label.size());
  n += label.size();
  info[n++] = 0;  // context length
  info[n++] = 1;  // HKDF-Expand block counter T(1)
  std::array<std::uint8_t, kSecretBytes> block{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), info.data(), n, block.data(), &length) ==
          nullptr ||
      length != kSecretBytes) {
    return false;
  }
  std::memcpy(out.data(), block.data(), out.size());
  return true;
}

struct InitialKeys {
  std::array<std::uint8_t, kKeyBytes> key{};
  std::array<std::uint8_t, kIvBytes> iv{};
  std::array<std::uint8_t, kKeyBytes> hp{};
};

bool derive_client_keys(const VersionParams& params, std::span<const std::uint8_t> dcid, InitialKeys& keys) noexcept {
  std::array<std::uint8_t, kSecretBytes> initial_secret{};
  std::array<std::uint8_t, kSecretBytes> client_secret{};
  return hkdf_extract(*params.salt, dcid, initial_secret) &&
         hkdf_expand_label(initial_secret, "client in", client_secret) &&
         hkdf_expand_label(client_secret, params.key_label, keys.key) &&
         hkdf_expand_label(client_secret, params.iv_label, keys.iv) &&
         hkdf_expand_label(client_secret, params.hp_label, keys.hp);
}

// RFC 9001 5.4.3: the mask is AES-128-ECB of the 16-byte sample.
bool header_protection_mask(const InitialKeys& keys, std::span<const std::uint8_t> sample,
                            std::array<std::uint8_t, kSampleBytes>& mask) noexcept {
  const CipherCtx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  return ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, keys.hp.data(), nullptr) == 1 &&
         EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
         EVP_EncryptUpdate(ctx.get(), mask.data(), &length, sample.data(), static_cast<int>(sample.size())) == 1 &&
         length == static_cast<int>(kSampleBytes);
}

// AES-128-GCM open. The associated data is the unprotected header, passed in
// three pieces so the caller's datagram is never written to.
bool open_payload(const InitialKeys& keys, std::uint64_t packet_number, std::span<const std::uint8_t> aad_parts[3],
                  std::span<const std::uint8_t> ciphertext, std::span<const std::uint8_t> tag,
                  std::uint8_t* plaintext) noexcept {
  // RFC 9001 5.3: nonce = iv XOR the packet number, left-padded to 12 bytes.
  std::array<std::uint8_t, kIvBytes> nonce = keys.iv;
  for (std::size_t i = 0; i < 8; ++i) nonce[kIvBytes - 1 - i] ^= static_cast<std::uint8_t>(packet_number >> (8 * i));

  const CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, keys.key.data(), nonce.data()) != 1) {
    return false;
  }
  int length = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    if (!aad_parts[i].empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &length, aad_parts[i].data(),
                                                   static_cast<int>(aad_parts[i].size())) != 1) {
      return false;
    }
  }
  if (!ciphertext.empty() && EVP_DecryptUpdate(ctx.get(), plaintext, &length, ciphertext.data(),
                                               static_cast<int>(ciphertext.size())) != 1) {
    return false;
  }
  std::array<std::uint8_t, kTagBytes> tag_copy{};
  std::memcpy(tag_copy.data(), tag.data(), kTagBytes);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag_copy.data()) != 1) {
    return false;
  }
  std::array<std::uint8_t, 16> tail{};  // GCM emits nothing at Final; room anyway
  return EVP_DecryptFinal_ex(ctx.get(), tail.data(), &length) == 1;
}

// Reads an ACK frame body (RFC 9000 19.3) so the frames after it are reached.
bool skip_ack(Cursor& r, bool with_ecn) noexcept {
  std::uint64_t largest = 0, delay = 0, range_count = 0, first_range = 0;
  if (!r.varint(largest) || !r.varint(delay) || !r.varint(range_count) || !r.varint(first_range)) return false;
  // Each range is two varints of at least one byte: a count beyond the bytes
  // left fails on the first missing varint, so the loop is bounded by the payload.
  for (std::uint64_t i = 0; i < range_count; ++i) {
    std::uint64_t gap = 0, length = 0;
    if (!r.varint(gap) || !r.varint(length)) return false;
  }
  if (with_ecn) {
    std::uint64_t ect0 = 0, ect1 = 0, ce = 0;
    if (!r.varint(ect0) || !r.varint(ect1) || !r.varint(ce)) return false;
  }
  return true;
}

using CryptoRange = std::pair<std::uint64_t, std::uint64_t>;  // offset, length

// Walks the decrypted frames, copying CRYPTO data to its offset in `region`
// and noting each piece in `ranges` (up to its size); then returns the
// contiguous prefix from offset 0 over every range noted so far: this
// packet's alone, or with a connection's QuicCryptoStream, earlier ones too.
QuicInitialStatus gather_crypto(std::span<const std::uint8_t> payload, std::span<std::uint8_t> region,
                                std::span<CryptoRange> ranges, std::size_t& range_count, std::size_t& prefix) noexcept {
  Cursor r(payload);
  bool stop = false;
  while (!stop && r.remaining() > 0) {
    std::uint64_t type = 0;
    if (!r.varint(type)) return QuicInitialStatus::malformed_frame;
    switch (type) {
      case kFramePadding:
      case kFramePing:
        break;
      case kFrameAck:
      case kFrameAckEcn:
        if (!skip_ack(r, type == kFrameAckEcn)) return QuicInitialStatus::malformed_frame;
        break;
      case kFrameCrypto: {
        std::uint64_t offset = 0, length = 0;
        std::span<const std::uint8_t> data;
        if (!r.varint(offset) || !r.varint(length) || !r.bytes(length, data)) {
          return QuicInitialStatus::malformed_frame;
        }
        // Data past the region cannot be part of the prefix from 0: the
        // prefix is at most the sum of the frame lengths, which the region
        // (as large as the payload, or the stream's capacity) bounds.
        if (data.empty() || offset > region.size() || data.size() > region.size() - offset) break;
        if (range_count == ranges.size()) break;
        std::memcpy(region.data() + offset, data.data(), data.size());
        ranges[range_count++] = {offset, data.size()};
        break;
      }
      default:
        // CONNECTION_CLOSE or a frame an Initial may not carry: what came
        // before is still usable.
        stop = true;
        break;
    }
  }
  // Frames may arrive in any order (Chrome shuffles them): grow the prefix
  // until no range extends it. At most range_count passes.
  std::uint64_t end = 0;
  for (bool grew = true; grew;) {
    grew = false;
    for (std::size_t i = 0; i < range_count; ++i) {
      const auto [offset, length] = ranges[i];
      if (offset <= end && offset + length > end) {
        end = offset + length;
        grew = true;
      }
    }
  }
  if (end == 0) return QuicInitialStatus::no_crypto;
  prefix = static_cast<std::size_t>(end);
  return QuicInitialStatus::ok;
}

void copy_connection_id(std::span<const std::uint8_t> id, std::array<std::uint8_t, kQuicMaxConnectionIdBytes>& out,
                        std::uint8_t& length) noexcept {
  std::memcpy(out.data(), id.data(), id.size());
  length = static_cast<std::uint8_t>(id.size());
}

QuicInitialStatus open_initial(std::span<const std::uint8_t> datagram, std::size_t packet_start,
                               std::size_t pn_offset, std::size_t packet_end, const VersionParams& params,
                               std::span<std::uint8_t> scratch, QuicInitialInfo& out,
                               QuicCryptoStream* stream) noexcept {
  const std::size_t length = packet_end - pn_offset;
  // The sample starts 4 bytes after the packet number field's start whatever
  // its real length (RFC 9001 5.4.2), and a 1..4-byte packet number plus the
  // 16-byte tag must fit too.
  if (length < 4 + kSampleBytes) return QuicInitialStatus::malformed;
  if (scratch.size() < 2 * length + 5) return QuicInitialStatus::scratch_too_small;

  InitialKeys keys;
  if (!derive_client_keys(params, out.dcid_view(), keys)) return QuicInitialStatus::auth_failed;
  std::array<std::uint8_t, kSampleBytes> mask{};
  if (!header_protection_mask(keys, datagram.subspan(pn_offset + 4, kSampleBytes), mask)) {
    return QuicInitialStatus::auth_failed;
  }
  const std::uint8_t first = datagram[packet_start] ^ (mask[0] & 0x0f);
  const std::size_t pn_length = (first & 0x03) + 1;
  std::array<std::uint8_t, 4> pn_bytes{};
  std::uint64_t packet_number = 0;
  for (std::size_t i = 0; i < pn_length; ++i) {
    pn_bytes[i] = datagram[pn_offset + i] ^ mask[1 + i];
    packet_number = packet_number << 8 | pn_bytes[i];
  }
  // Without connection state the expected packet number is 0, for which
  // RFC 9000 A.3 decoding returns the truncated value itself.
  out.packet_number = packet_number;

  const std::size_t payload_offset = pn_offset + pn_length;
  const std::size_t ciphertext_length = packet_end - payload_offset - kTagBytes;
  std::span<const std::uint8_t> aad[3] = {
      std::span<const std::uint8_t>(&first, 1),
      datagram.subspan(packet_start + 1, pn_offset - packet_start - 1),
      std::span<const std::uint8_t>(pn_bytes.data(), pn_length),
  };
  if (!open_payload(keys, packet_number, aad, datagram.subspan(payload_offset, ciphertext_length),
                    datagram.subspan(packet_end - kTagBytes, kTagBytes), scratch.data())) {
    return QuicInitialStatus::auth_failed;
  }
  const std::span<const std::uint8_t> payload(scratch.data(), ciphertext_length);

  // Layout after the plaintext: 5-byte TLS record header, then the CRYPTO
  // stream, so the TLS parser reads one record holding the whole message.
  // With a connection's stream, the record is that stream's, across packets.
  std::span<std::uint8_t> record = scratch.subspan(ciphertext_length, 5 + ciphertext_length);
  std::array<CryptoRange, kMaxCryptoFrames> packet_ranges{};
  std::size_t packet_range_count = 0;
  std::span<CryptoRange> ranges = packet_ranges;
  std::size_t* range_count = &packet_range_count;
  if (stream != nullptr) {
    record = stream->record;
    ranges = stream->ranges;
    range_count = &stream->range_count;
  }
  std::size_t prefix = 0;
  const QuicInitialStatus gathered = gather_crypto(payload, record.subspan(5), ranges, *range_count, prefix);
  if (gathered != QuicInitialStatus::ok) return gathered;
  if (prefix > 0xffff) return QuicInitialStatus::malformed_client_hello;  // unreachable: UDP bounds it
  record[0] = 22;  // handshake
  record[1] = 0x03;
  record[2] = 0x01;
  record[3] = static_cast<std::uint8_t>(prefix >> 8);
  record[4] = static_cast<std::uint8_t>(prefix);

  // No TLS scratch: with a single record, a message longer than the record
  // reports too_large, which here means "continues in a later packet".
  switch (parse_tls_client_hello(record.first(5 + prefix), {}, out.hello)) {
    case TlsParseStatus::ok: break;
    case TlsParseStatus::truncated:
    case TlsParseStatus::too_large: return QuicInitialStatus::client_hello_incomplete;
    default: return QuicInitialStatus::malformed_client_hello;
  }
  out.has_client_hello = true;
  out.sni = out.hello.server_name;
  out.alpn = out.hello.alpn;
  out.ja4 = compute_ja4(out.hello, Ja4Transport::quic);
  return QuicInitialStatus::ok;
}

}  // namespace

std::string_view to_string(QuicInitialStatus status) noexcept {
  switch (status) {
    case QuicInitialStatus::ok: return "ok";
    case QuicInitialStatus::not_long_header: return "not_long_header";
    case QuicInitialStatus::version_negotiation: return "version_negotiation";
    case QuicInitialStatus::unsupported_version: return "unsupported_version";
    case QuicInitialStatus::not_initial: return "not_initial";
    case QuicInitialStatus::truncated: return "truncated";
    case QuicInitialStatus::malformed: return "malformed";
    case QuicInitialStatus::scratch_too_small: return "scratch_too_small";
    case QuicInitialStatus::auth_failed: return "auth_failed";
    case QuicInitialStatus::malformed_frame: return "malformed_frame";
    case QuicInitialStatus::no_crypto: return "no_crypto";
    case QuicInitialStatus::client_hello_incomplete: return "client_hello_incomplete";
    case QuicInitialStatus::malformed_client_hello: return "malformed_client_hello";
  }
  return "unknown";
}

namespace {
QuicInitialStatus parse_initial(std::span<const std::uint8_t> udp_payload, std::span<std::uint8_t> scratch,
                                QuicInitialInfo& out, QuicCryptoStream* stream) noexcept {
  out = QuicInitialInfo{};
  std::size_t packet_start = 0;
  // RFC 9000 12.2: a datagram may coalesce several long-header packets; each
  // but a Retry or Version Negotiation carries a Length that locates the next.
  while (packet_start < udp_payload.size()) {
    Cursor r(udp_payload, packet_start);
    std::uint8_t first = 0;
    if (!r.u8(first)) return QuicInitialStatus::truncated;
    if ((first & 0x80) == 0) {
      return packet_start == 0 ? QuicInitialStatus::not_long_header : QuicInitialStatus::not_initial;
    }
    std::span<const std::uint8_t> version_bytes, dcid, scid;
    std::uint8_t dcid_length = 0, scid_length = 0;
    if (!r.bytes(4, version_bytes)) return QuicInitialStatus::truncated;
    out.version = load_be32(version_bytes.data());
    if (out.version == 0) return QuicInitialStatus::version_negotiation;
    if (!r.u8(dcid_length)) return QuicInitialStatus::truncated;
    if (dcid_length > kQuicMaxConnectionIdBytes) return QuicInitialStatus::malformed;
    if (!r.bytes(dcid_length, dcid) || !r.u8(scid_length)) return QuicInitialStatus::truncated;
    if (scid_length > kQuicMaxConnectionIdBytes) return QuicInitialStatus::malformed;
    if (!r.bytes(scid_length, scid)) return QuicInitialStatus::truncated;
    copy_connection_id(dcid, out.dcid, out.dcid_length);
    copy_connection_id(scid, out.scid, out.scid_length);

    VersionParams params;
    if (!lookup_version(out.version, params)) return QuicInitialStatus::unsupported_version;
    const std::uint8_t type = (first >> 4) & 0x03;
    if (type == params.retry_type) return QuicInitialStatus::not_initial;
    const bool initial = type == params.initial_type;
    if (initial) {
      if (!r.varint(out.token_length) || !r.skip(out.token_length)) return QuicInitialStatus::truncated;
    }
    std::uint64_t length = 0;
    if (!r.varint(length) || length > r.remaining()) return QuicInitialStatus::truncated;
    const std::size_t pn_offset = r.pos();
    const std::size_t packet_end = pn_offset + static_cast<std::size_t>(length);
    if (initial) {
      out.packet_offset = packet_start;
      return open_initial(udp_payload, packet_start, pn_offset, packet_end, params, scratch, out, stream);
    }
    packet_start = packet_end;
    out.token_length = 0;
  }
  return udp_payload.empty() ? QuicInitialStatus::not_long_header : QuicInitialStatus::not_initial;
}
}  // namespace

QuicInitialStatus parse_quic_initial(std::span<const std::uint8_t> udp_payload, std::span<std::uint8_t> scratch,
                                     QuicInitialInfo& out) noexcept {
  return parse_initial(udp_payload, scratch, out, nullptr);
}

QuicInitialStatus parse_quic_initial(std::span<const std::uint8_t> udp_payload, std::span<std::uint8_t> scratch,
                                     QuicInitialInfo& out, QuicCryptoStream& stream) noexcept {
  return parse_initial(udp_payload, scratch, out, &stream);
}

}  // namespace opensoc::proto
