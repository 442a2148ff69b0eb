// libFuzzer entry point for decode_packet. The first input byte picks the
// link type (modulo the supported ones), the rest is the frame. Besides
// "no crash, no sanitizer report", it checks the offsets the decoder returns
// stay inside the frame, since every later stage trusts them.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "opensoc/core/decoded_packet.hpp"
#include "opensoc/core/packet_view.hpp"

#include "decode/decode.hpp"

namespace {
// Order is part of the seed format (test/fuzz/seeds/decode, written by
// tools/extract_fuzz_seeds.py): append only.
constexpr opensoc::LinkType kLinkTypes[] = {
    opensoc::LinkType::ethernet,   opensoc::LinkType::raw,      opensoc::LinkType::linux_sll,
    opensoc::LinkType::linux_sll2, opensoc::LinkType::null_bsd, opensoc::LinkType::ipv4,
    opensoc::LinkType::ipv6,
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // An exactly sized copy: the harness must not hide over-reads behind the
  // caller's buffer.
  const std::vector<std::uint8_t> frame(data + 1, data + size);
  opensoc::PacketView v;
  v.data = frame.data();
  v.caplen = static_cast<std::uint32_t>(frame.size());
  v.wirelen = v.caplen;
  v.link = kLinkTypes[data[0] % std::size(kLinkTypes)];
  const opensoc::DecodedPacket p = opensoc::decode::decode_packet(v);

  const std::uint64_t caplen = v.caplen;
  if (p.payload_offset + std::uint64_t{p.payload_len} > caplen) __builtin_trap();
  if (p.ip_version != 0) {
    const std::uint64_t alen = p.ip_version == 4 ? 4 : 16;
    if (p.src_ip_offset + alen > caplen || p.dst_ip_offset + alen > caplen) __builtin_trap();
  }
  constexpr std::uint32_t kL4 = opensoc::kLayerTcp | opensoc::kLayerUdp | opensoc::kLayerSctp |
                                opensoc::kLayerIcmp | opensoc::kLayerIcmpv6;
  if ((p.layers & kL4) != 0 && p.l4_offset >= caplen) __builtin_trap();
  return 0;
}
