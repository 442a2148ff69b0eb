#include <catch2/catch.hpp>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"
#include "frame_builder.hpp"

using namespace opensoc;
using namespace opensoc::decode::detail;
using opensoc::decode::test::Bytes;

TEST_CASE("decoder_template decodes its example shim header", "[decode][template]") {
  // next protocol IPv4, header length 8 (4 bytes of options)
  const Bytes frame = {0x08, 0x00, 0x00, 0x08, 1, 2, 3, 4, 0x45};
  DecodeState s(frame.data(), static_cast<std::uint32_t>(frame.size()), 0);
  const NextLayer next = decode_template(s, 0);
  CHECK(next.space == Space::ethertype);
  CHECK(next.key == 0x0800);
  CHECK(next.offset == 8);
  CHECK(s.out.payload_offset == 8);
  CHECK(s.out.payload_len == 1);

  SECTION("a header length past the frame stops the walk") {
    const Bytes bad = {0x08, 0x00, 0x00, 0x40, 1, 2};
    DecodeState t(bad.data(), static_cast<std::uint32_t>(bad.size()), 0);
    CHECK(decode_template(t, 0).space == Space::stop);
    CHECK(t.out.anomaly != DecodeAnomaly::none);
  }
}

TEST_CASE("decoder_template is bound to nothing", "[decode][template]") {
  // The shim header's bytes on an Ethernet frame with an unused ethertype
  // must not reach the template decoder.
  const Bytes frame = opensoc::decode::test::ethernet(0x88b5, {0x08, 0x00, 0x00, 0x04, 0x45});
  CHECK(opensoc::decode::test::decode_frame(frame).anomaly == DecodeAnomaly::ethertype_unsupported);
}
