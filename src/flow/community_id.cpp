#include "flow/community_id.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <optional>

#include "flow/flow_key_builder.hpp"
#include "opensoc/core/base64.hpp"

namespace opensoc::flow {

namespace {

bool hashes_ports(std::uint8_t proto) noexcept {
  return proto == kProtoTcp || proto == kProtoUdp || proto == kProtoSctp || is_icmp_proto(proto);
}

// SHA-1 over seed(2) addr addr proto(1) pad(1) [sport(2) dport(2)], all in
// network order, endpoints already ordered as the spec says.
std::optional<std::array<std::uint8_t, 20>> hash_endpoints(std::uint16_t seed, const std::uint8_t* a,
                                                           const std::uint8_t* b, std::size_t alen,
                                                           std::uint8_t proto, std::uint16_t sport,
                                                           std::uint16_t dport) noexcept {
  std::array<std::uint8_t, 2 + 16 + 16 + 2 + 4> buf{};
  std::size_t n = 0;
  buf[n++] = static_cast<std::uint8_t>(seed >> 8);
  buf[n++] = static_cast<std::uint8_t>(seed);
  std::memcpy(buf.data() + n, a, alen);
  n += alen;
  std::memcpy(buf.data() + n, b, alen);
  n += alen;
  buf[n++] = proto;
  buf[n++] = 0;
  if (hashes_ports(proto)) {
    buf[n++] = static_cast<std::uint8_t>(sport >> 8);
    buf[n++] = static_cast<std::uint8_t>(sport);
    buf[n++] = static_cast<std::uint8_t>(dport >> 8);
    buf[n++] = static_cast<std::uint8_t>(dport);
  }
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(buf.data(), n, digest.data(), &digest_len, EVP_sha1(), nullptr) != 1 || digest_len != 20) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 20> out{};
  std::memcpy(out.data(), digest.data(), out.size());
  return out;
}

}  // namespace

std::string community_id_v1(const IpAddress& src, const IpAddress& dst, std::uint16_t src_port,
                            std::uint16_t dst_port, std::uint8_t ip_proto, std::uint16_t seed) {
  FlowRecord r;
  r.src_ip = src;
  r.dst_ip = dst;
  r.src_port = src_port;
  r.dst_port = dst_port;
  r.ip_proto = ip_proto;
  return community_id_v1(r, seed);
}

std::string community_id_v1(const FlowRecord& r, std::uint16_t seed) {
  if (r.src_ip.version != r.dst_ip.version || (r.src_ip.version != 4 && r.src_ip.version != 6)) return {};
  const std::size_t alen = r.src_ip.size();

  std::uint16_t sport = r.src_port;
  std::uint16_t dport = r.dst_port;
  bool one_way = false;
  if (is_icmp_proto(r.ip_proto)) {
    const IcmpPortPair p = icmp_port_equivalents(r.ip_proto, static_cast<std::uint8_t>(r.src_port),
                                                 static_cast<std::uint8_t>(r.dst_port));
    sport = p.src;
    dport = p.dst;
    one_way = p.one_way;
  }
  const bool ports = hashes_ports(r.ip_proto);
  if (!ports) sport = dport = 0;

  // The spec orders endpoints so the smaller (address, port) comes first;
  // one-way ICMP keeps the sender first.
  const std::uint8_t* a = r.src_ip.bytes.data();
  const std::uint8_t* b = r.dst_ip.bytes.data();
  const int order = std::memcmp(a, b, alen);
  if (!one_way && (order > 0 || (order == 0 && sport > dport))) {
    std::swap(a, b);
    std::swap(sport, dport);
  }

  const auto digest = hash_endpoints(seed, a, b, alen, r.ip_proto, sport, dport);
  if (!digest) return {};
  return community_id_text(*digest);
}

std::array<std::uint8_t, 20> community_id_digest(const FlowKey& key, std::uint16_t seed) noexcept {
  // The key's endpoints are already in the spec's order, ICMP ports mapped.
  const std::size_t alen = key.ip_version == 6 ? 16 : 4;
  return hash_endpoints(seed, key.lo_addr, key.hi_addr, alen, key.ip_proto, key.lo_port, key.hi_port)
      .value_or(std::array<std::uint8_t, 20>{});
}

std::string community_id_text(const std::array<std::uint8_t, 20>& digest) {
  std::string id = "1:";
  append_base64(id, digest.data(), digest.size());
  return id;
}

}  // namespace opensoc::flow
