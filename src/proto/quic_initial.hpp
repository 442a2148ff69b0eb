#pragma once
// QUIC client Initial packets: removes Initial packet protection (RFC 9001
// section 5, RFC 9369 for QUIC v2), reassembles the CRYPTO frames of one packet
// and hands the ClientHello to the TLS parser, so the caller learns the QUIC
// version, connection IDs, SNI, ALPN and JA4 ("q..." transport letter).
//
// Input is one UDP payload of the client-to-server direction (a server's
// Initial uses keys the datagram alone cannot derive and fails with
// auth_failed). Stateless: one datagram at a time, so a ClientHello that
// spans several Initial packets (large key shares, Chrome's CRYPTO splitting)
// reports client_hello_incomplete for each packet. Output views point into the
// caller's scratch buffer. Any thread may call parse_quic_initial; it does not
// block or throw. It allocates nothing itself; the OpenSSL cipher and MAC
// contexts it uses allocate internally.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "proto/tls_handshake.hpp"

namespace opensoc::proto {

/// What parse_quic_initial found. Only `ok` fills the ClientHello fields.
enum class QuicInitialStatus : std::uint8_t {
  ok,
  not_long_header,          ///< a short-header (1-RTT) packet, or an empty datagram
  version_negotiation,      ///< version 0: a Version Negotiation packet
  unsupported_version,      ///< version, dcid and scid are filled; no keys known for it
  not_initial,              ///< long-header packets only, none of them an Initial (e.g. Retry, Handshake)
  truncated,                ///< the header or the packet ends before its lengths say
  malformed,                ///< a connection ID longer than 20 bytes, a Length too short for a sample
  scratch_too_small,        ///< scratch shorter than quic_initial_scratch_bytes(payload size)
  auth_failed,              ///< the AEAD tag did not verify: corrupt, or not a client Initial
  malformed_frame,          ///< a PADDING/PING/ACK/CRYPTO frame runs past the payload
  no_crypto,                ///< decrypted, but no CRYPTO data at offset 0 (ACK-only, or a later fragment)
  client_hello_incomplete,  ///< the ClientHello continues in a later Initial packet
  malformed_client_hello,   ///< the CRYPTO stream is not a ClientHello the TLS parser accepts
};

/// Human-readable name of a status, for logs and test messages.
std::string_view to_string(QuicInitialStatus status) noexcept;

/// QUIC versions whose Initial keys are known.
inline constexpr std::uint32_t kQuicVersion1 = 0x00000001;
inline constexpr std::uint32_t kQuicVersion2 = 0x6b3343cf;

/// Longest connection ID a QUIC v1/v2 long header may carry.
inline constexpr std::size_t kQuicMaxConnectionIdBytes = 20;

/// Scratch bytes needed for a UDP payload of `payload_size` bytes: the
/// decrypted payload plus the reassembled CRYPTO stream behind a 5-byte record
/// header. kQuicInitialScratchBytes covers any UDP payload.
constexpr std::size_t quic_initial_scratch_bytes(std::size_t payload_size) noexcept {
  return 2 * payload_size + 8;
}
inline constexpr std::size_t kQuicInitialScratchBytes = quic_initial_scratch_bytes(65535);

/// The client Initial. Header fields are filled as far as parsing got (the
/// version, dcid and scid from the long header even when the version is
/// unsupported); `hello`, `sni`, `alpn` and `ja4` only when the status is ok.
/// Views (sni, alpn, the views inside hello) point into the scratch buffer
/// passed to parse_quic_initial: valid while it is unchanged.
struct QuicInitialInfo {
  std::uint32_t version = 0;
  std::array<std::uint8_t, kQuicMaxConnectionIdBytes> dcid{};
  std::uint8_t dcid_length = 0;
  std::array<std::uint8_t, kQuicMaxConnectionIdBytes> scid{};
  std::uint8_t scid_length = 0;
  std::uint64_t token_length = 0;   ///< non-zero after a Retry or with a NEW_TOKEN token
  std::uint64_t packet_number = 0;  ///< truncated packet number (Initials start at 0)
  std::size_t packet_offset = 0;    ///< where the Initial starts in the datagram (coalesced packets)

  bool has_client_hello = false;
  TlsClientHello hello;
  std::string_view sni;  ///< hello.server_name, empty when absent
  BoundedList<std::string_view, kTlsMaxAlpn> alpn;  ///< hello.alpn
  Ja4Fingerprint ja4;    ///< compute_ja4(hello, Ja4Transport::quic)

  std::span<const std::uint8_t> dcid_view() const noexcept { return {dcid.data(), dcid_length}; }
  std::span<const std::uint8_t> scid_view() const noexcept { return {scid.data(), scid_length}; }
};

/// Parses the first Initial packet of a client datagram (earlier coalesced
/// long-header packets of other types are skipped by their Length). `scratch`
/// must hold quic_initial_scratch_bytes(udp_payload.size()) bytes; its
/// contents are overwritten. `out` is reset first.
QuicInitialStatus parse_quic_initial(std::span<const std::uint8_t> udp_payload, std::span<std::uint8_t> scratch,
                                     QuicInitialInfo& out) noexcept;

/// The CRYPTO stream of one connection's client Initials, for a ClientHello
/// spread over several of them (large post-quantum key shares make Chrome's
/// and Firefox's hellos span two packets). Bounded: offsets past
/// kCapacity are ignored. Owned by the caller, one per connection.
struct QuicCryptoStream {
  static constexpr std::size_t kCapacity = 16384;
  static constexpr std::size_t kMaxRanges = 256;
  std::array<std::uint8_t, 5 + kCapacity> record{};  ///< a TLS record header, then the stream
  std::array<std::pair<std::uint64_t, std::uint64_t>, kMaxRanges> ranges{};  ///< (offset, length) received
  std::size_t range_count = 0;
};

/// As parse_quic_initial, but adds this packet's CRYPTO data to `stream` and
/// parses the ClientHello from everything received so far: ok once it is
/// complete (views then point into `stream`), client_hello_incomplete until
/// then.
QuicInitialStatus parse_quic_initial(std::span<const std::uint8_t> udp_payload, std::span<std::uint8_t> scratch,
                                     QuicInitialInfo& out, QuicCryptoStream& stream) noexcept;

}  // namespace opensoc::proto
