#include <catch2/catch.hpp>

#include "decode/decode_state.hpp"
#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::detail;
using opensoc::decode::test::Bytes;

TEST_CASE("DecodeState keeps the first anomaly", "[decode][state]") {
  const Bytes frame(4);
  DecodeState s(frame.data(), 4, 4);
  CHECK(s.fail(DecodeAnomaly::tcp_truncated).space == Space::stop);
  s.fail(DecodeAnomaly::udp_truncated);
  CHECK(s.out.anomaly == DecodeAnomaly::tcp_truncated);
}

TEST_CASE("DecodeState bounds checks never overflow", "[decode][state]") {
  const Bytes frame(10);
  DecodeState s(frame.data(), 10, 10);
  CHECK(s.has(0, 10));
  CHECK_FALSE(s.has(0, 11));
  CHECK(s.has(10, 0));
  CHECK_FALSE(s.has(11, 0));
  CHECK_FALSE(s.has(4, 0xffffffffu));
  CHECK_FALSE(s.has(0xffffffffu, 2));
  CHECK(s.remaining(12) == 0);
  s.enter_container(2, 4);
  CHECK(s.cap_end() == 6);
  CHECK_FALSE(s.has(2, 5));
  CHECK(s.remaining_on_wire(2) == 4);
}
