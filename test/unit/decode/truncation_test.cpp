// Every prefix of a set of well-formed frames, decoded from an exactly sized
// buffer (so AddressSanitizer catches any over-read). The expected anomaly is
// exact: it is the one named for the header the cut falls in.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::test;

namespace {

struct Case {
  std::string name;
  LinkType link;
  Bytes frame;
  // Header boundaries in order: a cut before `end` reports `anomaly`.
  std::vector<std::pair<std::uint32_t, DecodeAnomaly>> headers;
  // Where the outermost IP header ends, and what a cut after it reports when
  // the frame was that short on the wire too (not a snap-length cut).
  std::uint32_t outer_ip_end;
  DecodeAnomaly short_on_wire;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  TcpOpts topt;
  topt.options = {2, 4, 5, 0xb4, 1, 1, 4, 2};
  out.push_back({"ethernet/ipv4/tcp+options",
                 LinkType::ethernet,
                 ethernet(0x0800, ipv4(6, tcp(1, 2, kTcpSyn, zeros(5), topt))),
                 {{14, DecodeAnomaly::ethernet_truncated},
                  {34, DecodeAnomaly::ipv4_truncated},
                  {54, DecodeAnomaly::tcp_truncated},
                  {62, DecodeAnomaly::tcp_options_truncated}},
                 34,
                 DecodeAnomaly::ipv4_bad_total_length});
  Ipv4Opts iopt;
  iopt.options = {1, 1, 1, 0};
  out.push_back({"ethernet/qinq/ipv4+options/udp",
                 LinkType::ethernet,
                 ethernet(0x88a8, vlan(10, 0x8100, vlan(20, 0x0800, ipv4(17, udp(1, 2, zeros(3)), iopt)))),
                 {{14, DecodeAnomaly::ethernet_truncated},
                  {18, DecodeAnomaly::vlan_truncated},
                  {22, DecodeAnomaly::vlan_truncated},
                  {42, DecodeAnomaly::ipv4_truncated},
                  {46, DecodeAnomaly::ipv4_options_truncated},
                  {54, DecodeAnomaly::udp_truncated}},
                 46,
                 DecodeAnomaly::ipv4_bad_total_length});
  out.push_back({"ethernet/ipv6/hop-by-hop/fragment/udp",
                 LinkType::ethernet,
                 ethernet(0x86dd, ipv6(0, ipv6_ext(44, ipv6_fragment(17, 0, true, udp(1, 2, zeros(4)))))),
                 {{14, DecodeAnomaly::ethernet_truncated},
                  {54, DecodeAnomaly::ipv6_truncated},
                  {62, DecodeAnomaly::ipv6_ext_truncated},
                  {70, DecodeAnomaly::ipv6_ext_truncated},
                  {78, DecodeAnomaly::udp_truncated}},
                 54,
                 DecodeAnomaly::ipv6_bad_payload_length});
  out.push_back({"ethernet/mpls x2/ipv4/icmp",
                 LinkType::ethernet,
                 ethernet(0x8847, mpls({3, 4}, ipv4(1, icmp(8, 0, zeros(6))))),
                 {{14, DecodeAnomaly::ethernet_truncated},
                  {23, DecodeAnomaly::mpls_truncated},  // two labels + the nibble byte
                  {42, DecodeAnomaly::ipv4_truncated},
                  {50, DecodeAnomaly::icmp_truncated}},
                 42,
                 DecodeAnomaly::ipv4_bad_total_length});
  out.push_back({"sll/ipv4/sctp",
                 LinkType::linux_sll,
                 cat({{0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00}, ipv4(132, sctp(1, 2, zeros(8)))}),
                 {{16, DecodeAnomaly::sll_truncated}, {36, DecodeAnomaly::ipv4_truncated}, {48, DecodeAnomaly::sctp_truncated}},
                 36,
                 DecodeAnomaly::ipv4_bad_total_length});
  out.push_back({"null/ipv6/icmpv6",
                 LinkType::null_bsd,
                 cat({{30, 0, 0, 0}, ipv6(58, icmp(128, 0, zeros(4)))}),
                 {{4, DecodeAnomaly::sll_truncated}, {44, DecodeAnomaly::ipv6_truncated}, {52, DecodeAnomaly::icmpv6_truncated}},
                 44,
                 DecodeAnomaly::ipv6_bad_payload_length});
  out.push_back({"ethernet/ipv4/gre(key)/ipv4/tcp",
                 LinkType::ethernet,
                 ethernet(0x0800, ipv4(47, gre(0x0800, ipv4(6, tcp(1, 2, kTcpAck, zeros(2))), 0x20, 0, zeros(4)))),
                 {{14, DecodeAnomaly::ethernet_truncated},
                  {34, DecodeAnomaly::ipv4_truncated},
                  {42, DecodeAnomaly::gre_truncated},
                  {62, DecodeAnomaly::ipv4_truncated},
                  {82, DecodeAnomaly::tcp_truncated}},
                 34,
                 DecodeAnomaly::ipv4_bad_total_length});
  out.push_back({"ethernet/ipv4/gre v1/ppp/ipv4/udp",
                 LinkType::ethernet,
                 ethernet(0x0800, ipv4(47, gre(0x880b, cat({{0xff, 0x03, 0x00, 0x21}, ipv4(17, udp(1, 2, {}))}), 0x30, 1,
                                               zeros(8)))),
                 {{14, DecodeAnomaly::ethernet_truncated},
                  {34, DecodeAnomaly::ipv4_truncated},
                  {46, DecodeAnomaly::gre_truncated},
                  {50, DecodeAnomaly::gre_truncated},  // PPP header
                  {70, DecodeAnomaly::ipv4_truncated},
                  {78, DecodeAnomaly::udp_truncated}},
                 34,
                 DecodeAnomaly::ipv4_bad_total_length});
  out.push_back({"ethernet/ipv6/udp/vxlan/ethernet/vlan/ipv4/tcp",
                 LinkType::ethernet,
                 ethernet(0x86dd, ipv6(17, udp(5, 4789, vxlan(9, ethernet(0x8100, vlan(3, 0x0800, ipv4(6, tcp(1, 2, 0, zeros(1))))))))),
                 {{14, DecodeAnomaly::ethernet_truncated},
                  {54, DecodeAnomaly::ipv6_truncated},
                  {62, DecodeAnomaly::udp_truncated},
                  {70, DecodeAnomaly::vxlan_truncated},
                  {84, DecodeAnomaly::ethernet_truncated},
                  {88, DecodeAnomaly::vlan_truncated},
                  {108, DecodeAnomaly::ipv4_truncated},
                  {128, DecodeAnomaly::tcp_truncated}},
                 54,
                 DecodeAnomaly::ipv6_bad_payload_length});
  return out;
}

DecodeAnomaly expected_for(const Case& c, std::uint32_t n) {
  for (const auto& [end, anomaly] : c.headers) {
    if (n < end) return anomaly;
  }
  return DecodeAnomaly::none;
}

}  // namespace

TEST_CASE("decode_packet reports the exact anomaly for every snap-length cut", "[decode][truncation]") {
  for (const Case& c : cases()) {
    INFO(c.name);
    REQUIRE(decode_frame(c.frame, c.link).ok());
    const auto full = static_cast<std::uint32_t>(c.frame.size());
    for (std::uint32_t n = 0; n <= full; ++n) {
      INFO("prefix length " << n);
      const Bytes prefix(c.frame.begin(), c.frame.begin() + n);
      const DecodedPacket p = decode_frame(prefix, c.link, full);
      CHECK(anomaly_name(p.anomaly) == anomaly_name(expected_for(c, n)));
      CHECK(p.payload_offset + p.payload_len <= n);
      if (p.ok()) {
        CHECK(p.payload_offset == c.headers.back().first);
        CHECK(p.payload_len == n - c.headers.back().first);
      }
    }
  }
}

TEST_CASE("decode_packet flags frames shorter on the wire than their IP length", "[decode][truncation]") {
  for (const Case& c : cases()) {
    INFO(c.name);
    const auto full = static_cast<std::uint32_t>(c.frame.size());
    for (std::uint32_t n = 0; n < full; ++n) {
      INFO("frame length " << n);
      const Bytes prefix(c.frame.begin(), c.frame.begin() + n);
      const DecodedPacket p = decode_frame(prefix, c.link, n);
      const DecodeAnomaly want = n < c.outer_ip_end ? expected_for(c, n) : c.short_on_wire;
      CHECK(anomaly_name(p.anomaly) == anomaly_name(want));
    }
  }
}
