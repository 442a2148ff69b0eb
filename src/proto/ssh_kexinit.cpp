// SSH_MSG_KEXINIT parser and HASSH (see ssh_kexinit.hpp).
#include "proto/ssh_kexinit.hpp"

#include <openssl/evp.h>

#include <cstring>

namespace opensoc::proto {
namespace {

constexpr std::uint8_t kMsgKexinit = 20;
constexpr std::uint32_t kMaxPacket = 35000;  // RFC 4253 6.1: what every implementation must accept

std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// One name-list: uint32 length, then that many bytes. False when it overruns.
bool name_list(std::span<const std::uint8_t> payload, std::size_t& pos, std::string_view& out) {
  if (payload.size() - pos < 4) return false;
  const std::uint32_t n = load_be32(payload.data() + pos);
  pos += 4;
  if (n > payload.size() - pos) return false;
  out = std::string_view(reinterpret_cast<const char*>(payload.data() + pos), n);
  pos += n;
  return true;
}

}  // namespace

std::string_view to_string(SshKexinitStatus status) noexcept {
  switch (status) {
    case SshKexinitStatus::ok: return "ok";
    case SshKexinitStatus::need_more: return "need_more";
    case SshKexinitStatus::not_kexinit: return "not_kexinit";
    case SshKexinitStatus::malformed: return "malformed";
    case SshKexinitStatus::too_large: return "too_large";
  }
  return "unknown";
}

SshKexinitStatus parse_ssh_kexinit(std::span<const std::uint8_t> stream, SshKexinit& out) noexcept {
  out = SshKexinit{};
  if (stream.size() < 6) return SshKexinitStatus::need_more;
  const std::uint32_t packet_length = load_be32(stream.data());
  if (packet_length > kMaxPacket) return SshKexinitStatus::too_large;
  const std::uint8_t padding = stream[4];
  // The message type is known from the sixth byte: decide early.
  if (stream[5] != kMsgKexinit) return SshKexinitStatus::not_kexinit;
  if (stream.size() - 4 < packet_length) return SshKexinitStatus::need_more;
  if (packet_length < 1u + padding + 1u) return SshKexinitStatus::malformed;
  const std::span<const std::uint8_t> payload = stream.subspan(5, packet_length - 1 - padding);
  std::size_t pos = 1 + 16;  // message type, cookie
  if (payload.size() < pos) return SshKexinitStatus::malformed;
  std::string_view languages_c2s, languages_s2c;
  std::string_view* lists[] = {&out.kex_algorithms,
                               &out.server_host_key_algorithms,
                               &out.encryption_client_to_server,
                               &out.encryption_server_to_client,
                               &out.mac_client_to_server,
                               &out.mac_server_to_client,
                               &out.compression_client_to_server,
                               &out.compression_server_to_client,
                               &languages_c2s,
                               &languages_s2c};
  for (std::string_view* l : lists) {
    if (!name_list(payload, pos, *l)) return SshKexinitStatus::malformed;
  }
  if (payload.size() - pos < 5) return SshKexinitStatus::malformed;
  out.first_kex_packet_follows = payload[pos] != 0;
  out.consumed = 4 + std::size_t{packet_length};
  return SshKexinitStatus::ok;
}

Hassh compute_hassh(const SshKexinit& k, bool client) {
  Hassh h;
  h.text.append(k.kex_algorithms).push_back(';');
  h.text.append(client ? k.encryption_client_to_server : k.encryption_server_to_client).push_back(';');
  h.text.append(client ? k.mac_client_to_server : k.mac_server_to_client).push_back(';');
  h.text.append(client ? k.compression_client_to_server : k.compression_server_to_client);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(h.text.data(), h.text.size(), digest, &length, EVP_md5(), nullptr) == 1) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < length; ++i) {
      h.md5.push_back(kHex[digest[i] >> 4]);
      h.md5.push_back(kHex[digest[i] & 0xf]);
    }
  }
  return h;
}

}  // namespace opensoc::proto
