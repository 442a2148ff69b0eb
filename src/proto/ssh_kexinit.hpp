#pragma once
// SSH_MSG_KEXINIT (RFC 4253 7.1), the first binary packet each side sends
// after its identification string, still in clear: the algorithm lists, and
// the HASSH fingerprints made from them (Salesforce's hassh: MD5 of
// "kex;ciphers;macs;compression", client-to-server lists for the client,
// server-to-client for the server). Zero-copy views into the stream; no
// state, any thread.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace opensoc::proto {

enum class SshKexinitStatus : std::uint8_t {
  ok,
  need_more,        ///< the packet is not complete yet
  not_kexinit,      ///< the first packet's message type is not 20
  malformed,        ///< a length does not add up (packet, padding, a name-list)
  too_large,        ///< packet_length above 35000 (RFC 4253 6.1)
};

[[nodiscard]] std::string_view to_string(SshKexinitStatus status) noexcept;

struct SshKexinit {
  std::string_view kex_algorithms;
  std::string_view server_host_key_algorithms;
  std::string_view encryption_client_to_server;
  std::string_view encryption_server_to_client;
  std::string_view mac_client_to_server;
  std::string_view mac_server_to_client;
  std::string_view compression_client_to_server;
  std::string_view compression_server_to_client;
  bool first_kex_packet_follows = false;
  std::size_t consumed = 0;  ///< bytes of the stream the packet took (4 + packet_length)
};

/// `stream` starts at the packet (the byte after the identification line).
[[nodiscard]] SshKexinitStatus parse_ssh_kexinit(std::span<const std::uint8_t> stream, SshKexinit& out) noexcept;

struct Hassh {
  std::string text;  ///< "kex;ciphers;macs;compression"
  std::string md5;   ///< lower-case hex; empty when the digest failed
};

/// The client's HASSH (its client-to-server lists) or the server's
/// (HASSHServer: server-to-client lists).
[[nodiscard]] Hassh compute_hassh(const SshKexinit& k, bool client);

}  // namespace opensoc::proto
