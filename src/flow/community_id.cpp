#include "flow/community_id.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>

#include "flow/flow_key_builder.hpp"

namespace opensoc::flow {

namespace {

std::string base64(const std::uint8_t* p, std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (n - i == 1) {
    const std::uint32_t v = std::uint32_t{p[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (n - i == 2) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool hashes_ports(std::uint8_t proto) noexcept {
  return proto == kProtoTcp || proto == kProtoUdp || proto == kProtoSctp || is_icmp_proto(proto);
}

}  // namespace

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

  // seed(2) addr addr proto(1) pad(1) [sport(2) dport(2)], all network order.
  std::array<std::uint8_t, 2 + 16 + 16 + 2 + 4> buf{};
  std::size_t n = 0;
  buf[n++] = static_cast<std::uint8_t>(seed >> 8);
  buf[n++] = static_cast<std::uint8_t>(seed);
  std::memcpy(buf.data() + n, a, alen);
  n += alen;
  std::memcpy(buf.data() + n, b, alen);
  n += alen;
  buf[n++] = r.ip_proto;
  buf[n++] = 0;
  if (ports) {
    buf[n++] = static_cast<std::uint8_t>(sport >> 8);
    buf[n++] = static_cast<std::uint8_t>(sport);
    buf[n++] = static_cast<std::uint8_t>(dport >> 8);
    buf[n++] = static_cast<std::uint8_t>(dport);
  }

  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(buf.data(), n, digest.data(), &digest_len, EVP_sha1(), nullptr) != 1) return {};
  return "1:" + base64(digest.data(), digest_len);
}

std::array<std::uint8_t, 20> community_id_digest(const FlowKey& key, std::uint16_t seed) noexcept {
  const std::size_t alen = key.ip_version == 6 ? 16 : 4;
  const bool ports = hashes_ports(key.ip_proto);
  std::array<std::uint8_t, 2 + 16 + 16 + 2 + 4> buf{};
  std::size_t n = 0;
  buf[n++] = static_cast<std::uint8_t>(seed >> 8);
  buf[n++] = static_cast<std::uint8_t>(seed);
  std::memcpy(buf.data() + n, key.lo_addr, alen);
  n += alen;
  std::memcpy(buf.data() + n, key.hi_addr, alen);
  n += alen;
  buf[n++] = key.ip_proto;
  buf[n++] = 0;
  if (ports) {
    buf[n++] = static_cast<std::uint8_t>(key.lo_port >> 8);
    buf[n++] = static_cast<std::uint8_t>(key.lo_port);
    buf[n++] = static_cast<std::uint8_t>(key.hi_port >> 8);
    buf[n++] = static_cast<std::uint8_t>(key.hi_port);
  }
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  std::array<std::uint8_t, 20> out{};
  if (EVP_Digest(buf.data(), n, digest.data(), &digest_len, EVP_sha1(), nullptr) == 1 && digest_len == 20) {
    std::memcpy(out.data(), digest.data(), 20);
  }
  return out;
}

std::string community_id_text(const std::array<std::uint8_t, 20>& digest) {
  return "1:" + base64(digest.data(), digest.size());
}

}  // namespace opensoc::flow
