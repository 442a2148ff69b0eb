#include "index/index_keys.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <utility>
#include <vector>

#include "index_test_support.hpp"

using namespace opensoc;
using namespace opensoc::index;
using opensoc::index::test::make_key;

namespace {

std::vector<std::uint8_t> bytes_of(const KeyBuffer& k) { return {k.view().begin(), k.view().end()}; }

bool less(const KeyBuffer& a, const KeyBuffer& b) { return bytes_of(a) < bytes_of(b); }

using Attribute = std::pair<AttributeKind, std::vector<std::uint8_t>>;

std::vector<Attribute> attributes_of(const FlowKey& key, std::array<std::uint8_t, 8> cid = {1, 2, 3, 4, 5, 6, 7, 8}) {
  std::vector<Attribute> out;
  for_each_flow_attribute(key, cid, [&](AttributeKind kind, std::span<const std::uint8_t> v) {
    out.emplace_back(kind, std::vector<std::uint8_t>(v.begin(), v.end()));
  });
  return out;
}

}  // namespace

TEST_CASE("index keys have the documented byte layout", "[index][keys]") {
  const SegmentId seg = store::make_segment_id(1, 3);  // 0x0001000000000003
  CHECK(bytes_of(segment_prefix(Table::segment, seg)) ==
        std::vector<std::uint8_t>{0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0x03});
  CHECK(bytes_of(flow_record_key(seg, 0x0A0B0C0D)) ==
        std::vector<std::uint8_t>{0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0x03, 0x0A, 0x0B, 0x0C, 0x0D});
  const std::uint8_t ip[4] = {10, 0, 0, 1};
  CHECK(bytes_of(attribute_key(seg, AttributeKind::ip4, ip, 7)) ==
        std::vector<std::uint8_t>{0x03, 0x00, 0x01, 0, 0, 0, 0, 0, 0x03, 0x01, 10, 0, 0, 1, 0, 0, 0, 7});
  const std::uint8_t port[2] = {0x01, 0xBB};
  CHECK(bytes_of(attribute_key(seg, AttributeKind::port, port, 2)) ==
        std::vector<std::uint8_t>{0x03, 0x00, 0x01, 0, 0, 0, 0, 0, 0x03, 0x03, 0x01, 0xBB, 0, 0, 0, 2});
  CHECK(bytes_of(postings_key(seg, 5, 0x100)) ==
        std::vector<std::uint8_t>{0x04, 0x00, 0x01, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 5, 0, 0, 0x01, 0x00});
  CHECK(postings_key(seg, 5, 0).size == kPostingsKeySize);
  CHECK(attribute_key(seg, AttributeKind::ip6, std::span<const std::uint8_t>(), 1).size == kMaxKeySize);
  const auto format = format_value();
  CHECK(std::vector<std::uint8_t>(format.begin(), format.end()) ==
        std::vector<std::uint8_t>{'O', 'S', 'I', 'X', 0, 0, 0, 1});
}

TEST_CASE("index keys sort numerically: segment, then flow, then chunk", "[index][keys]") {
  CHECK(less(segment_prefix(Table::segment, 1), segment_prefix(Table::segment, 256)));
  CHECK(less(segment_prefix(Table::segment, store::make_segment_id(0, 0xFFFF)),
             segment_prefix(Table::segment, store::make_segment_id(1, 0))));
  CHECK(less(flow_record_key(1, 0xFFFFFFFF), flow_record_key(2, 0)));
  CHECK(less(postings_key(1, 1, 255), postings_key(1, 1, 256)));
  CHECK(less(postings_key(1, 1, 0xFFFFFFFF), postings_key(1, 2, 0)));
  // Every table's keys of one segment lie between the table's prefix of this
  // segment and of the next.
  CHECK(less(segment_prefix(Table::postings, 9), postings_key(9, 0, 0)));
  CHECK(less(postings_key(9, 0xFFFFFFFF, 0xFFFFFFFF), segment_prefix(Table::postings, 10)));
  CHECK(has_prefix(postings_key(9, 3, 4).view(), postings_prefix(9, 3).view()));
  CHECK_FALSE(has_prefix(postings_key(9, 3, 4).view(), postings_prefix(9, 4).view()));
  CHECK_FALSE(has_prefix(segment_prefix(Table::flow, 9).view(), flow_record_key(9, 1).view()));
}

TEST_CASE("SegmentMeta values round-trip and reject bad bytes", "[index][keys]") {
  SegmentMeta m;
  m.id = 77;
  m.first_ts = 1'764'237'600'000'000'000;
  m.last_ts = -5;  // signed survives
  m.packets = 123456789012ULL;
  m.indexed_bytes = 0xFFFFFFFF12ULL;
  m.flows = 4000000000U;
  m.link = LinkType::linux_sll2;
  m.closed = true;
  m.file_name = "0001764237600000000000-00000003.pcap";
  std::vector<std::uint8_t> v;
  REQUIRE(encode_segment_meta(m, v));
  CHECK(v.size() == kSegmentMetaFixedSize + m.file_name.size());
  CHECK(v[0] == kValueVersion);
  const auto back = decode_segment_meta(77, v);
  REQUIRE(back);
  CHECK(*back == m);

  SECTION("empty name") {
    m.file_name.clear();
    m.closed = false;
    REQUIRE(encode_segment_meta(m, v));
    CHECK(decode_segment_meta(77, v) == std::optional<SegmentMeta>(m));
  }
  SECTION("malformed") {
    auto bad = v;
    bad[0] = 2;
    CHECK_FALSE(decode_segment_meta(77, bad));
    bad = v;
    bad.pop_back();
    CHECK_FALSE(decode_segment_meta(77, bad));
    bad = v;
    bad.push_back('x');
    CHECK_FALSE(decode_segment_meta(77, bad));
    CHECK_FALSE(decode_segment_meta(77, std::span<const std::uint8_t>(v.data(), 41)));
    CHECK_FALSE(decode_segment_meta(77, {}));
  }
  SECTION("name too long to encode") {
    m.file_name.assign(70000, 'a');
    CHECK_FALSE(encode_segment_meta(m, v));
  }
}

TEST_CASE("FlowEntry values round-trip and reject bad bytes", "[index][keys]") {
  FlowEntry e;
  e.flow_no = 42;
  e.key = make_key("2001:db8::1", 443, "2001:db8::2", 50000, 6, 4094);
  e.first_ts = 100;
  e.last_ts = 200;
  e.packets = 1ULL << 40;
  const auto v = encode_flow_entry(e);
  CHECK(v[0] == kValueVersion);
  CHECK(v[33] == 0x01);  // lo_port 443 big-endian
  CHECK(v[34] == 0xBB);
  const auto back = decode_flow_entry(42, v);
  REQUIRE(back);
  CHECK(*back == e);
  CHECK(decode_flow_entry(43, v)->flow_no == 43);  // the number comes from the key

  auto bad = std::vector<std::uint8_t>(v.begin(), v.end());
  bad[0] = 0;
  CHECK_FALSE(decode_flow_entry(42, bad));
  CHECK_FALSE(decode_flow_entry(42, std::span<const std::uint8_t>(v.data(), v.size() - 1)));
}

TEST_CASE("a new flow gets one attribute key per address, port, protocol, vlan and community id",
          "[index][keys]") {
  const std::array<std::uint8_t, 8> cid = {1, 2, 3, 4, 5, 6, 7, 8};
  using V = std::vector<std::uint8_t>;
  SECTION("TCP over IPv4 with a VLAN") {
    const auto attrs = attributes_of(make_key("10.0.0.1", 1234, "10.0.0.2", 80, 6, 100));
    CHECK(attrs == std::vector<Attribute>{{AttributeKind::ip4, V{10, 0, 0, 1}},
                                          {AttributeKind::ip4, V{10, 0, 0, 2}},
                                          {AttributeKind::port, V{0x04, 0xD2}},
                                          {AttributeKind::port, V{0x00, 0x50}},
                                          {AttributeKind::proto, V{6}},
                                          {AttributeKind::vlan, V{0x00, 0x64}},
                                          {AttributeKind::community_id, V(cid.begin(), cid.end())}});
  }
  SECTION("UDP with equal ports and addresses, untagged") {
    const auto attrs = attributes_of(make_key("10.0.0.1", 53, "10.0.0.1", 53, 17));
    CHECK(attrs == std::vector<Attribute>{{AttributeKind::ip4, V{10, 0, 0, 1}},
                                          {AttributeKind::port, V{0x00, 0x35}},
                                          {AttributeKind::proto, V{17}},
                                          {AttributeKind::community_id, V(cid.begin(), cid.end())}});
  }
  SECTION("ICMP has no ports; IPv6 addresses are 16 bytes") {
    const auto attrs = attributes_of(make_key("::1", 8, "::2", 0, 58));
    REQUIRE(attrs.size() == 4);
    CHECK(attrs[0].first == AttributeKind::ip6);
    CHECK(attrs[0].second.size() == 16);
    CHECK(attrs[0].second[15] == 1);
    CHECK(attrs[1].second[15] == 2);
    CHECK(attrs[2] == Attribute{AttributeKind::proto, V{58}});
    CHECK(attrs[3].first == AttributeKind::community_id);
  }
  SECTION("SCTP is indexed by port") {
    const auto attrs = attributes_of(make_key("10.0.0.1", 2905, "10.0.0.2", 2906, 132));
    CHECK(attrs[2] == Attribute{AttributeKind::port, V{0x0B, 0x59}});
  }
}
