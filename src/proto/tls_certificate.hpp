#pragma once
// TLS server certificate (TLS <= 1.2, where the Certificate handshake message
// travels in clear): locating the leaf certificate in the server's stream,
// and summarising an X.509 certificate the way Suricata's EVE tls record
// prints it.
//
// find_tls_certificate_message is zero-copy when the message lies inside one
// record and otherwise gathers it into the caller's scratch buffer; no
// allocation, stateless, any thread. summarize_certificate runs OpenSSL on
// the DER and allocates its strings: call it once per session, off the
// per-packet path if possible. Neither blocks nor throws.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::proto {

enum class TlsCertificateStatus : std::uint8_t {
  ok,
  truncated,              ///< the bytes end before the leaf certificate does: call again with more
  not_handshake,          ///< the first record is not a handshake record (content type 22)
  no_certificate,         ///< ChangeCipherSpec, another record type or ServerHelloDone came first
                          ///< (TLS 1.3, anonymous or PSK suites, session resumption)
  malformed_record,       ///< zero-length handshake record
  malformed_certificate,  ///< the Certificate message's lengths do not add up, or its list is empty
  too_large,              ///< the leaf spans records and does not fit the scratch buffer
};

[[nodiscard]] std::string_view to_string(TlsCertificateStatus status) noexcept;

/// Scratch that holds any leaf certificate gathered across records: only the
/// first certificate of the chain is gathered, never the whole message.
inline constexpr std::size_t kTlsCertificateScratchBytes = 65536;

/// Walks the TLS records (content type 22) and the handshake messages in them
/// from the start of the server's stream, up to the Certificate message
/// (type 11), and sets `leaf_der` to the first certificate of its list. The
/// view points into `server_stream` when the leaf lies inside one record, or
/// into `scratch` when it spans records. Stops at the first record that is
/// not a handshake record (ChangeCipherSpec, alert, application data).
[[nodiscard]] TlsCertificateStatus find_tls_certificate_message(std::span<const std::uint8_t> server_stream,
                                                                std::span<std::uint8_t> scratch,
                                                                std::span<const std::uint8_t>& leaf_der) noexcept;

/// What the EVE tls record and the session record show of a certificate.
struct X509Summary {
  /// "C=US, ST=California, O=Google Inc, CN=*.google.com": attributes in
  /// certificate order, ", " between RDNs, " + " inside a multi-valued RDN,
  /// abbreviations CN C L ST O OU DC Email (others: OpenSSL's short name, or
  /// the dotted OID). The format of Suricata's tls.subject / tls.issuerdn.
  std::string subject;
  std::string issuer;
  std::string serial;            ///< the INTEGER's content bytes, upper-case hex, ':' separated ("00:97:E6")
  std::string fingerprint_sha1;  ///< SHA-1 of the DER, lower-case hex, ':' separated
  /// Validity as ns since the epoch; negative before 1970. Dates outside
  /// 1678..2261 (the int64 ns range) saturate.
  TimestampNs not_before = 0;
  TimestampNs not_after = 0;
  std::vector<std::string> sans;  ///< subjectAltName dNSName and iPAddress entries, in order
};

/// Decodes `der` (one certificate) with OpenSSL. An Error when it does not
/// parse as a certificate or a validity date is unreadable.
[[nodiscard]] Result<X509Summary> summarize_certificate(std::span<const std::uint8_t> der);

}  // namespace opensoc::proto
