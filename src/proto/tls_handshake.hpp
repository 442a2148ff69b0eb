#pragma once
// TLS ClientHello / ServerHello parser and the JA3, JA3S and JA4 fingerprints.
//
// Input is the start of one direction of a TCP stream (a caller hands over the
// reassembled prefix): TLS record header(s) followed by the first handshake
// message, which may be split over several records. Output is plain values:
// fixed-capacity lists (overflow counted, never allocated) and string views
// that point into the caller's stream bytes or, when the message spans records,
// into the caller's scratch buffer. One-byte ChangeCipherSpec records before
// the hello (TLS 1.3 middlebox compatibility) are skipped. Stateless and reentrant: any thread may
// call these functions, nothing blocks, nothing throws.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace opensoc::proto {

/// What parse_tls_client_hello / parse_tls_server_hello found.
enum class TlsParseStatus : std::uint8_t {
  ok,
  truncated,           ///< the bytes end before the hello does: call again with more
  not_handshake,       ///< the first record is not a handshake record (content type 22)
  sslv2_record,        ///< an SSLv2-format record header: not parsed
  unexpected_message,  ///< the first handshake message is not the one asked for
  malformed_record,    ///< record header inconsistent (zero length, non-handshake record mid-message)
  malformed_hello,     ///< a length inside the hello or one of its extensions does not add up
  too_large,           ///< the message spans records and does not fit the scratch buffer
};

/// Human-readable name of a status, for logs and test messages.
std::string_view to_string(TlsParseStatus status) noexcept;

/// A list of at most Capacity values; values past the capacity are counted in
/// `dropped` instead of stored, so a consumer can tell a short list from a cut one.
template <typename T, std::size_t Capacity>
struct BoundedList {
  std::array<T, Capacity> items{};
  std::uint16_t count = 0;
  std::uint32_t dropped = 0;

  void push(T value) noexcept {
    if (count < Capacity) {
      items[count++] = value;
    } else {
      ++dropped;
    }
  }
  std::span<const T> view() const noexcept { return {items.data(), count}; }
  bool complete() const noexcept { return dropped == 0; }
};

inline constexpr std::size_t kTlsMaxCipherSuites = 256;
inline constexpr std::size_t kTlsMaxExtensions = 64;
inline constexpr std::size_t kTlsMaxGroups = 64;
inline constexpr std::size_t kTlsMaxPointFormats = 16;
inline constexpr std::size_t kTlsMaxSignatureAlgorithms = 64;
inline constexpr std::size_t kTlsMaxVersions = 16;
inline constexpr std::size_t kTlsMaxAlpn = 16;

/// RFC 8701 GREASE: 0x?a?a with both bytes equal.
constexpr bool is_tls_grease(std::uint16_t value) noexcept {
  return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

/// A parsed ClientHello. Views (server_name, alpn) point into the stream passed
/// to the parser or into its scratch buffer: valid as long as both are.
struct TlsClientHello {
  std::uint16_t record_version = 0;  ///< version field of the first record header
  std::uint16_t legacy_version = 0;  ///< ClientHello.legacy_version
  BoundedList<std::uint16_t, kTlsMaxCipherSuites> cipher_suites;
  BoundedList<std::uint16_t, kTlsMaxExtensions> extensions;  ///< types, wire order
  BoundedList<std::uint16_t, kTlsMaxGroups> supported_groups;
  BoundedList<std::uint8_t, kTlsMaxPointFormats> ec_point_formats;
  BoundedList<std::uint16_t, kTlsMaxSignatureAlgorithms> signature_algorithms;
  BoundedList<std::uint16_t, kTlsMaxVersions> supported_versions;
  BoundedList<std::string_view, kTlsMaxAlpn> alpn;
  bool has_server_name = false;   ///< the server_name extension is present
  std::string_view server_name;   ///< first host_name entry (may be empty)
  bool has_alpn = false;          ///< the ALPN extension is present
};

/// A parsed ServerHello (a HelloRetryRequest parses as one too).
struct TlsServerHello {
  std::uint16_t record_version = 0;
  std::uint16_t legacy_version = 0;
  std::uint16_t selected_version = 0;  ///< supported_versions extension, 0 when absent
  std::uint16_t cipher_suite = 0;
  std::uint8_t compression_method = 0;
  BoundedList<std::uint16_t, kTlsMaxExtensions> extensions;  ///< types, wire order
  std::string_view alpn;  ///< the one protocol the server selected, empty when absent
};

/// Largest handshake message gathered across records (the common case, a
/// message inside its first record, needs no scratch at all).
inline constexpr std::size_t kTlsScratchBytes = 16384;

/// Parses the ClientHello at the start of `stream`. `scratch` is used only when
/// the message spans records; views in `out` may point into it. `out` is
/// meaningful only when the status is ok.
TlsParseStatus parse_tls_client_hello(std::span<const std::uint8_t> stream, std::span<std::uint8_t> scratch,
                                      TlsClientHello& out) noexcept;

/// Same for the ServerHello at the start of the server's direction.
TlsParseStatus parse_tls_server_hello(std::span<const std::uint8_t> stream, std::span<std::uint8_t> scratch,
                                      TlsServerHello& out) noexcept;

/// JA3 or JA3S: the decimal string and its MD5 in lowercase hex. GREASE values
/// are left out. `complete` is false when a list overflowed its capacity (the
/// fingerprint then describes only the stored values) or the digest failed.
struct Ja3Fingerprint {
  static constexpr std::size_t kTextCapacity = 2560;
  std::array<char, kTextCapacity> text_buffer{};
  std::uint16_t text_length = 0;
  std::array<char, 32> md5_hex{};
  bool has_md5 = false;
  bool complete = true;

  std::string_view text() const noexcept { return {text_buffer.data(), text_length}; }
  std::string_view md5() const noexcept { return has_md5 ? std::string_view{md5_hex.data(), 32} : std::string_view{}; }
};

/// "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats".
Ja3Fingerprint compute_ja3(const TlsClientHello& hello) noexcept;
/// "SSLVersion,Cipher,Extensions" of the ServerHello.
Ja3Fingerprint compute_ja3s(const TlsServerHello& hello) noexcept;

/// Transport letter that opens a JA4.
enum class Ja4Transport : char { tcp = 't', quic = 'q', dtls = 'd' };

/// JA4 (FoxIO): "t13d1516h2_8daaf6152771_e5627efa2ab1", always 36 characters.
struct Ja4Fingerprint {
  std::array<char, 36> buffer{};
  bool complete = true;  ///< false when a list overflowed or a digest failed
  std::string_view text() const noexcept { return {buffer.data(), buffer.size()}; }
};

Ja4Fingerprint compute_ja4(const TlsClientHello& hello, Ja4Transport transport = Ja4Transport::tcp) noexcept;

}  // namespace opensoc::proto
