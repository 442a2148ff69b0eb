#pragma once
// Builders for synthetic pcap and pcapng files, byte by byte, in either byte
// order: the cases the corpus lacks (big-endian pcapng, odd if_tsresol, SPB,
// the obsolete PB, several sections) and hostile variants of them.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace opensoc::capture::test {

/// Appends integers in a chosen byte order.
class ByteWriter {
 public:
  std::vector<std::uint8_t> out;
  bool big_endian = false;

  void u8(std::uint8_t v) { out.push_back(v); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void bytes(std::span<const std::uint8_t> b) { out.insert(out.end(), b.begin(), b.end()); }
  void pad4() {
    while (out.size() % 4 != 0) out.push_back(0);
  }
  /// Overwrites a 32-bit value already written at `at`.
  void patch32(std::size_t at, std::uint32_t v) {
    ByteWriter w;
    w.big_endian = big_endian;
    w.u32(v);
    std::memcpy(out.data() + at, w.out.data(), 4);
  }

 private:
  void put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = big_endian ? (n - 1 - i) * 8 : i * 8;
      out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
  }
};

/// A classic pcap file.
class PcapBuilder {
 public:
  PcapBuilder(bool big_endian, bool nanosecond, std::uint32_t link_field, std::uint32_t snaplen = 262144) {
    w_.big_endian = big_endian;
    w_.u32(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    w_.u16(2);
    w_.u16(4);
    w_.u32(0);  // thiszone
    w_.u32(0);  // sigfigs
    w_.u32(snaplen);
    w_.u32(link_field);
  }
  PcapBuilder& record(std::uint32_t sec, std::uint32_t frac, std::span<const std::uint8_t> data,
                      std::uint32_t wirelen) {
    return record_header(sec, frac, static_cast<std::uint32_t>(data.size()), wirelen).payload(data);
  }
  PcapBuilder& record_header(std::uint32_t sec, std::uint32_t frac, std::uint32_t caplen, std::uint32_t wirelen) {
    w_.u32(sec);
    w_.u32(frac);
    w_.u32(caplen);
    w_.u32(wirelen);
    return *this;
  }
  PcapBuilder& payload(std::span<const std::uint8_t> data) {
    w_.bytes(data);
    return *this;
  }
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return w_.out; }

 private:
  ByteWriter w_;
};

/// A pcapng file: blocks are appended in call order; section() starts a new
/// section in its own byte order.
class PcapngBuilder {
 public:
  PcapngBuilder& section(bool big_endian, std::uint16_t major = 1) {
    w_.big_endian = big_endian;
    const auto at = begin(0x0a0d0d0a);
    w_.u32(0x1a2b3c4d);
    w_.u16(major);
    w_.u16(0);
    w_.u64(~std::uint64_t{0});  // section length unknown
    return end(at);
  }
  PcapngBuilder& interface(std::uint16_t link, std::uint32_t snaplen, std::optional<std::uint8_t> tsresol = {},
                           std::optional<std::int64_t> tsoffset = {}) {
    const auto at = begin(1);
    w_.u16(link);
    w_.u16(0);
    w_.u32(snaplen);
    if (tsresol) {
      w_.u16(9);
      w_.u16(1);
      w_.u8(*tsresol);
      w_.pad4();
    }
    if (tsoffset) {
      w_.u16(14);
      w_.u16(8);
      w_.u64(static_cast<std::uint64_t>(*tsoffset));
    }
    if (tsresol || tsoffset) {
      w_.u16(0);
      w_.u16(0);
    }
    return end(at);
  }
  PcapngBuilder& epb(std::uint32_t if_id, std::uint64_t ticks, std::span<const std::uint8_t> data,
                     std::uint32_t wirelen) {
    const auto at = begin(6);
    w_.u32(if_id);
    w_.u32(static_cast<std::uint32_t>(ticks >> 32));
    w_.u32(static_cast<std::uint32_t>(ticks));
    w_.u32(static_cast<std::uint32_t>(data.size()));
    w_.u32(wirelen);
    w_.bytes(data);
    w_.pad4();
    return end(at);
  }
  PcapngBuilder& pb(std::uint16_t if_id, std::uint64_t ticks, std::span<const std::uint8_t> data,
                    std::uint32_t wirelen) {
    const auto at = begin(2);
    w_.u16(if_id);
    w_.u16(0);  // drops
    w_.u32(static_cast<std::uint32_t>(ticks >> 32));
    w_.u32(static_cast<std::uint32_t>(ticks));
    w_.u32(static_cast<std::uint32_t>(data.size()));
    w_.u32(wirelen);
    w_.bytes(data);
    w_.pad4();
    return end(at);
  }
  /// `data` is what the block holds (already cut to the snaplen).
  PcapngBuilder& spb(std::span<const std::uint8_t> data, std::uint32_t wirelen) {
    const auto at = begin(3);
    w_.u32(wirelen);
    w_.bytes(data);
    w_.pad4();
    return end(at);
  }
  /// Any other block (NRB, ISB, custom...), body padded to 32 bits.
  PcapngBuilder& block(std::uint32_t type, std::span<const std::uint8_t> body) {
    const auto at = begin(type);
    w_.bytes(body);
    w_.pad4();
    return end(at);
  }
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return w_.out; }
  ByteWriter& writer() { return w_; }

 private:
  std::size_t begin(std::uint32_t type) {
    const auto at = w_.out.size();
    w_.u32(type);
    w_.u32(0);  // patched by end()
    return at;
  }
  PcapngBuilder& end(std::size_t at) {
    const auto len = static_cast<std::uint32_t>(w_.out.size() - at + 4);
    w_.u32(len);
    w_.patch32(at + 4, len);
    return *this;
  }
  ByteWriter w_;
};

}  // namespace opensoc::capture::test
