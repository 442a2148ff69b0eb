// TCP (RFC 9293): ports, sequence numbers, flags, window; the option list is
// bounds-checked but not interpreted (no later stage needs option values).
#include <cstdint>

#include "decode/decode_state.hpp"
#include "decode/layer_decoders.hpp"

namespace opensoc::decode::detail {
namespace {

constexpr std::uint32_t kTcpMinHeaderLen = 20;
constexpr std::uint8_t kOptionEnd = 0;
constexpr std::uint8_t kOptionNop = 1;

// True when every option's length stays inside [begin, end). Walks at most
// 40 bytes, each step consuming at least one.
bool options_well_formed(const DecodeState& s, std::uint32_t begin, std::uint32_t end) {
  std::uint32_t cur = begin;
  while (cur < end) {
    const std::uint8_t kind = s.u8(cur);
    if (kind == kOptionEnd) return true;
    if (kind == kOptionNop) {
      ++cur;
      continue;
    }
    if (end - cur < 2) return false;
    const std::uint8_t len = s.u8(cur + 1);
    if (len < 2 || len > end - cur) return false;
    cur += len;
  }
  return true;
}

}  // namespace

NextLayer decode_tcp(DecodeState& s, std::uint32_t off) noexcept {
  if (!s.has(off, kTcpMinHeaderLen)) return s.fail(DecodeAnomaly::tcp_truncated);
  const std::uint32_t header_len = (s.u8(off + 12) >> 4) * 4u;
  if (header_len < kTcpMinHeaderLen) return s.fail(DecodeAnomaly::tcp_bad_data_offset);
  if (!s.has(off, header_len)) return s.fail(DecodeAnomaly::tcp_options_truncated);

  DecodedPacket& p = s.out;
  p.layers |= kLayerTcp;
  p.l4_offset = off;
  p.src_port = s.be16(off);
  p.dst_port = s.be16(off + 2);
  p.tcp_seq = s.be32(off + 4);
  p.tcp_ack = s.be32(off + 8);
  p.tcp_flags = s.u8(off + 13);
  p.tcp_window = s.be16(off + 14);
  s.set_payload_from(off + header_len);
  // A malformed option list does not make the ports or flags doubtful, so the
  // segment still belongs to its flow; the anomaly is only counted.
  if (!options_well_formed(s, off + kTcpMinHeaderLen, off + header_len)) {
    s.fail(DecodeAnomaly::tcp_options_truncated);
  }
  return NextLayer::stop();
}

}  // namespace opensoc::decode::detail
