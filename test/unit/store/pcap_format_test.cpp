#include "store/pcap_format.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace opensoc;
using namespace opensoc::store;

namespace {

std::vector<std::uint8_t> header_only(LinkType link = LinkType::ethernet) {
  std::vector<std::uint8_t> f(kGlobalHeaderSize);
  encode_global_header(f.data(), link);
  return f;
}

void put_record(std::vector<std::uint8_t>& f, std::uint32_t sec, std::uint32_t nsec, std::uint32_t caplen,
                std::uint32_t wirelen, std::uint32_t data_bytes) {
  const std::size_t at = f.size();
  f.resize(at + kRecordHeaderSize + data_bytes, 0xAB);
  store_le32(&f[at], sec);
  store_le32(&f[at + 4], nsec);
  store_le32(&f[at + 8], caplen);
  store_le32(&f[at + 12], wirelen);
}

}  // namespace

TEST_CASE("the segment header is pcap 2.4 little-endian nanosecond with snaplen 262144", "[store][pcap_format]") {
  const auto f = header_only(LinkType::linux_sll2);
  const std::vector<std::uint8_t> expected = {0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                              0,    0,    0,    0,    0, 0, 4, 0, 0x14, 1, 0, 0};
  CHECK(f == expected);
  GlobalHeader h;
  REQUIRE(decode_global_header(f, h));
  CHECK(h.link == LinkType::linux_sll2);
  CHECK(h.snaplen == kSegmentSnaplen);
}

TEST_CASE("decode_global_header rejects what this module does not write", "[store][pcap_format]") {
  GlobalHeader h;
  auto f = header_only();
  SECTION("short") { CHECK_FALSE(decode_global_header(std::span(f).first(23), h)); }
  SECTION("microsecond magic") {
    store_le32(&f[0], 0xa1b2c3d4);
    CHECK_FALSE(decode_global_header(f, h));
  }
  SECTION("big-endian nanosecond magic") {
    store_le32(&f[0], 0x4d3cb2a1);
    CHECK_FALSE(decode_global_header(f, h));
  }
  SECTION("version") {
    store_le16(&f[6], 3);
    CHECK_FALSE(decode_global_header(f, h));
  }
  SECTION("snaplen 0 or above 262144") {
    store_le32(&f[16], 0);
    CHECK_FALSE(decode_global_header(f, h));
    store_le32(&f[16], kSegmentSnaplen + 1);
    CHECK_FALSE(decode_global_header(f, h));
  }
  SECTION("FCS bits in the link field") {
    store_le32(&f[20], 0x10000001);
    CHECK_FALSE(decode_global_header(f, h));
  }
}

TEST_CASE("check_record classifies every way a record can be wrong", "[store][pcap_format]") {
  RecordHeader h;
  auto f = header_only();
  SECTION("a good record, then the exact end of the file") {
    put_record(f, 10, 999'999'999, 5, 60, 5);
    REQUIRE(check_record(f, 24, kSegmentSnaplen, h) == RecordStatus::ok);
    CHECK(h.ts() == 10 * kNsPerSecond + 999'999'999);
    CHECK(h.caplen == 5);
    CHECK(h.wirelen == 60);
    CHECK(check_record(f, 24 + 16 + 5, kSegmentSnaplen, h) == RecordStatus::end_of_data);
  }
  SECTION("offsets outside the record area") {
    put_record(f, 1, 0, 4, 4, 4);
    CHECK(check_record(f, 0, kSegmentSnaplen, h) == RecordStatus::bad_offset);
    CHECK(check_record(f, 23, kSegmentSnaplen, h) == RecordStatus::bad_offset);
    CHECK(check_record(f, f.size() + 1, kSegmentSnaplen, h) == RecordStatus::bad_offset);
    CHECK(check_record(f, ~0ULL, kSegmentSnaplen, h) == RecordStatus::bad_offset);
  }
  SECTION("an all-zero header is the end; caplen 0 with anything else set is uncommitted") {
    f.resize(f.size() + 64, 0);
    CHECK(check_record(f, 24, kSegmentSnaplen, h) == RecordStatus::end_of_data);
    store_le32(&f[24], 1);
    CHECK(check_record(f, 24, kSegmentSnaplen, h) == RecordStatus::uncommitted);
  }
  SECTION("a header cut short") {
    f.resize(f.size() + 15, 1);
    CHECK(check_record(f, 24, kSegmentSnaplen, h) == RecordStatus::short_header);
  }
  SECTION("caplen above snaplen or wirelen") {
    put_record(f, 1, 0, 101, 200, 101);
    CHECK(check_record(f, 24, 100, h) == RecordStatus::bad_caplen);
    CHECK(check_record(f, 24, 101, h) == RecordStatus::ok);
    store_le32(&f[24 + 12], 100);
    CHECK(check_record(f, 24, kSegmentSnaplen, h) == RecordStatus::bad_caplen);
  }
  SECTION("nanoseconds out of range") {
    put_record(f, 1, 1'000'000'000, 4, 4, 4);
    CHECK(check_record(f, 24, kSegmentSnaplen, h) == RecordStatus::bad_timestamp);
  }
  SECTION("data running past the end") {
    put_record(f, 1, 0, 100, 100, 99);
    CHECK(check_record(f, 24, kSegmentSnaplen, h) == RecordStatus::short_data);
    f.push_back(0);
    CHECK(check_record(f, 24, kSegmentSnaplen, h) == RecordStatus::ok);
  }
}
