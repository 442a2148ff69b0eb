#include "store/segment_name.hpp"

#include <catch2/catch.hpp>

using namespace opensoc::store;

TEST_CASE("segment names sort by time and parse back in all three forms", "[store][segment_name]") {
  CHECK(closed_segment_name(1'700'000'000'123'456'789, 42) == "1700000000123456789-00000042.pcap");
  CHECK(open_segment_name(5, 1) == ".0000000000000000005-00000001.pcap.open");
  CHECK(corrupt_segment_name(5, 1) == ".0000000000000000005-00000001.pcap.corrupt");
  CHECK(closed_segment_name(9, 0) < closed_segment_name(10, 0));

  const auto c = parse_segment_name("1700000000123456789-00000042.pcap");
  REQUIRE(c);
  CHECK(c->first_ts == 1'700'000'000'123'456'789);
  CHECK(c->sequence == 42);
  CHECK(c->state == SegmentState::closed);
  const auto o = parse_segment_name(open_segment_name(77, 123456789012));
  REQUIRE(o);
  CHECK(o->first_ts == 77);
  CHECK(o->sequence == 123456789012);
  CHECK(o->state == SegmentState::open);
  const auto k = parse_segment_name(corrupt_segment_name(3, 4));
  REQUIRE(k);
  CHECK(k->state == SegmentState::corrupt);
}

TEST_CASE("parse_segment_name rejects other files", "[store][segment_name]") {
  for (const char* bad : {"", ".pcap", "1-2.pcapng", "x-1.pcap", "1-x.pcap", "1.pcap", "-1-2.pcap", ".1-2.pcap",
                          "1-2.pcap.open", ".1-2.pcap.tmp", "1-281474976710656.pcap", "1 -2.pcap",
                          "99999999999999999999-1.pcap"}) {
    INFO(bad);
    CHECK_FALSE(parse_segment_name(bad));
  }
}

TEST_CASE("segment ids keep worker and sequence apart", "[store][segment_name]") {
  const SegmentId id = make_segment_id(513, 0xABCDEF012345);
  CHECK(segment_worker(id) == 513);
  CHECK(segment_sequence(id) == 0xABCDEF012345);
  CHECK(make_segment_id(1, 0) != make_segment_id(0, 1));
  CHECK(make_segment_id(0xFFFF, kMaxSegmentSequence) == ~0ULL);
}

TEST_CASE("worker directories parse only as worker_directory spells them", "[store][segment_name]") {
  StoreConfig cfg;
  CHECK(worker_directory(cfg, "/d", 7) == "/d/packets/w7");
  CHECK(parse_worker_directory("w7") == std::uint16_t{7});
  CHECK(parse_worker_directory("w0") == std::uint16_t{0});
  CHECK(parse_worker_directory("w65535") == std::uint16_t{65535});
  CHECK_FALSE(parse_worker_directory("w07"));
  CHECK_FALSE(parse_worker_directory("w65536"));
  CHECK_FALSE(parse_worker_directory("w"));
  CHECK_FALSE(parse_worker_directory("x1"));
  CHECK_FALSE(parse_worker_directory("w1a"));
}
