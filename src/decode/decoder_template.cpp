// decoder_template.cpp: a working example of a layer decoder, to copy when
// adding a protocol. It compiles and links with the module but nothing binds
// it, so it never runs on real traffic (its unit test calls it directly).
//
// The example protocol, "TMPL", is a 4-byte shim between Ethernet and IP:
//
//    0                   1                   2                   3
//   +-------------------------------+-------------------------------+
//   |   next protocol (ethertype)   |    header length in bytes     |
//   +-------------------------------+-------------------------------+
//   |              options (header length - 4 bytes) ...            |
//
// Adding a decoder for protocol FOO:
//   1. Copy this file to src/decode/foo.cpp, rename decode_template to
//      decode_foo, replace the header comment with one saying what FOO is
//      (RFC number, header layout) and what the decoder keeps.
//   2. Declare `NextLayer decode_foo(DecodeState&, std::uint32_t) noexcept;`
//      in layer_decoders.hpp, next to its layer's group.
//   3. Add foo.cpp to src/decode/meson.build.
//   4. Wire it with ONE line in kBindings in dispatch.cpp, e.g.
//        {Space::ethertype, kEthertypeFoo, decode_foo},
//      (put kEthertypeFoo in protocol_numbers.hpp). The same decoder may be
//      bound under several numbers (VLAN is bound to three ethertypes).
//   5. Pick the DecodeAnomaly values it reports. They are part of the
//      cross-module contract (include/opensoc/core/decode_anomaly.hpp), so a
//      new one is added there, at the end of the list, by the owner of core.
//   6. Test it: test/unit/decode/foo_test.cpp with a good header, every
//      truncated prefix of it, and each hostile length field; plus a golden
//      pcap case if a capture exists.
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {
// Name every size and bit: the reader should not need the RFC open.
constexpr std::uint32_t kTemplateMinHeaderLen = 4;
}  // namespace

// `off` is where this header starts in the frame. A decoder only reads
// bytes it has proven present with s.has(); s.be16()/s.u8() do not check.
NextLayer decode_template(DecodeState& s, std::uint32_t off) noexcept {
  // 1. Fixed part present? If not, record why and stop: s.fail() keeps the
  //    first anomaly only and returns NextLayer::stop(). Do not touch s.out
  //    before the header is known good, so earlier layers' fields stay whole.
  //    (A real decoder reports its own foo_truncated; the template borrows an
  //    existing value because it must compile without a contract change.)
  if (!s.has(off, kTemplateMinHeaderLen)) return s.fail(DecodeAnomaly::ethernet_truncated);

  // 2. Length fields come from the attacker: check them against what the
  //    protocol allows and against what was captured, separately, so the
  //    anomaly says which was wrong.
  const std::uint32_t header_len = s.be16(off + 2);
  if (header_len < kTemplateMinHeaderLen) return s.fail(DecodeAnomaly::ethernet_truncated);
  if (!s.has(off, header_len)) return s.fail(DecodeAnomaly::ethernet_truncated);

  // 3. Record what the layer contributes: a Layer bit if the contract has one
  //    for it, and fields. A protocol with its own length that bounds what it
  //    carries calls s.enter_container(off, len) after checking len against
  //    s.remaining_on_wire(off); a tunnel calls s.enter_tunnel() and stops
  //    when it returns false.
  s.set_payload_from(off + header_len);

  // 4. Say what comes next by its number in a registry (ethertype here); the
  //    dispatcher finds the decoder. Never call the next decoder directly:
  //    the dispatcher's loop is what bounds nesting.
  return NextLayer::ethertype(s.be16(off), off + header_len);
}

}  // namespace opensoc::decode::detail
