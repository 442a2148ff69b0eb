#pragma once
// Byte layout of every LMDB key and value of the packet index
// (docs/STORAGE.md, "Packet index (LMDB)"). Keys are big-endian so that LMDB's
// bytewise order is numeric order: a segment's keys of one table are one
// contiguous range, and a flow's postings chunks sort by chunk number.
// Pure functions over caller-owned buffers; any thread; no allocation except
// where a std::string or std::vector is the result.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "index/index_records.hpp"
#include "opensoc/core/byte_order.hpp"
#include "opensoc/core/flow_key.hpp"
#include "opensoc/core/ip_protocol.hpp"

namespace opensoc::index {

/// First byte of every key.
enum class Table : std::uint8_t {
  format = 0x00,     ///< the single format/version key
  segment = 0x01,    ///< T | seg -> SegmentMeta
  flow = 0x02,       ///< T | seg | flow_no -> FlowEntry
  attribute = 0x03,  ///< T | seg | kind | value | flow_no -> (empty)
  postings = 0x04,   ///< T | seg | flow_no | chunk_no -> postings chunk
  packed = 0x05,     ///< T | seg | part -> a compacted segment's values (packed_segment.hpp)
};

/// Tables that hold a segment's keys before compaction (drop_segment also
/// clears Table::packed).
inline constexpr std::array<Table, 4> kSegmentTables = {Table::segment, Table::flow, Table::attribute,
                                                        Table::postings};

/// Second field of an attribute key; decides the value's width.
enum class AttributeKind : std::uint8_t {
  ip4 = 1,           ///< 4 bytes, network order
  ip6 = 2,           ///< 16 bytes, network order
  port = 3,          ///< be16; only for TCP, UDP and SCTP
  proto = 4,         ///< 1 byte IP protocol
  vlan = 5,          ///< be16; only when the flow has a VLAN (!= 0)
  community_id = 6,  ///< first 8 bytes of the Community ID SHA-1 digest
};

/// Width of an attribute's value in its key (0 for an unknown kind).
[[nodiscard]] std::size_t attribute_value_size(AttributeKind kind) noexcept;

inline constexpr std::size_t kSegmentPrefixSize = 1 + 8;
inline constexpr std::size_t kFlowKeySize = kSegmentPrefixSize + 4;
inline constexpr std::size_t kPostingsKeySize = kSegmentPrefixSize + 4 + 4;
inline constexpr std::size_t kMaxKeySize = kSegmentPrefixSize + 1 + 16 + 4;

/// The format key and its value: magic "OSIX" then be32 version. Opening an
/// index with any other value fails, so a layout change cannot be misread.
inline constexpr std::array<std::uint8_t, 1> kFormatKey = {0x00};
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kFormatValueSize = 8;
[[nodiscard]] std::array<std::uint8_t, kFormatValueSize> format_value() noexcept;

/// A key built in place (no allocation).
struct KeyBuffer {
  std::array<std::uint8_t, kMaxKeySize> bytes{};
  std::size_t size = 0;
  [[nodiscard]] std::span<const std::uint8_t> view() const noexcept { return {bytes.data(), size}; }
};

/// T | seg: the prefix of every key of `table` for one segment (and the whole
/// key of a segment-meta record).
[[nodiscard]] KeyBuffer segment_prefix(Table table, SegmentId seg) noexcept;
[[nodiscard]] KeyBuffer flow_record_key(SegmentId seg, std::uint32_t flow_no) noexcept;
/// T | seg | kind | value: every flow with that attribute value. `value` must
/// be attribute_value_size(kind) bytes (it is truncated or zero-padded).
[[nodiscard]] KeyBuffer attribute_prefix(SegmentId seg, AttributeKind kind, std::span<const std::uint8_t> value) noexcept;
[[nodiscard]] KeyBuffer attribute_key(SegmentId seg, AttributeKind kind, std::span<const std::uint8_t> value,
                                      std::uint32_t flow_no) noexcept;
/// T | seg | flow_no: every postings chunk of one flow.
[[nodiscard]] KeyBuffer postings_prefix(SegmentId seg, std::uint32_t flow_no) noexcept;
[[nodiscard]] KeyBuffer postings_key(SegmentId seg, std::uint32_t flow_no, std::uint32_t chunk_no) noexcept;

/// Whether `key` starts with `prefix`.
[[nodiscard]] bool has_prefix(std::span<const std::uint8_t> key, std::span<const std::uint8_t> prefix) noexcept;


/// Calls emit(AttributeKind, std::span<const std::uint8_t> value) once per
/// attribute key a new flow gets: both addresses (ip4 or ip6 by version,
/// once if equal), both ports for TCP/UDP/SCTP (once if equal), the protocol,
/// the VLAN when non-zero, and the Community ID prefix.
template <typename Emit>
void for_each_flow_attribute(const FlowKey& key, const std::array<std::uint8_t, 8>& community_id_prefix,
                             Emit&& emit) {
  const bool same_addr = std::memcmp(key.lo_addr, key.hi_addr, 16) == 0;
  if (key.ip_version == 4 || key.ip_version == 6) {
    const AttributeKind kind = key.ip_version == 4 ? AttributeKind::ip4 : AttributeKind::ip6;
    const std::size_t n = key.ip_version == 4 ? 4 : 16;
    emit(kind, std::span<const std::uint8_t>(key.lo_addr, n));
    if (!same_addr) emit(kind, std::span<const std::uint8_t>(key.hi_addr, n));
  }
  if (has_transport_ports(key.ip_proto)) {
    std::uint8_t port[2];
    store_be16(port, key.lo_port);
    emit(AttributeKind::port, std::span<const std::uint8_t>(port, 2));
    if (key.hi_port != key.lo_port) {
      store_be16(port, key.hi_port);
      emit(AttributeKind::port, std::span<const std::uint8_t>(port, 2));
    }
  }
  emit(AttributeKind::proto, std::span<const std::uint8_t>(&key.ip_proto, 1));
  if (key.vlan != 0) {
    std::uint8_t vlan[2];
    store_be16(vlan, key.vlan);
    emit(AttributeKind::vlan, std::span<const std::uint8_t>(vlan, 2));
  }
  emit(AttributeKind::community_id, std::span<const std::uint8_t>(community_id_prefix));
}

// Values. Each starts with a value-version byte (kValueVersion); integers are
// big-endian; timestamps are two's-complement int64.
inline constexpr std::uint8_t kValueVersion = 1;
inline constexpr std::size_t kSegmentMetaFixedSize = 42;  // then file_name bytes
inline constexpr std::size_t kFlowEntryValueSize = 65;

/// Replaces `out` with the value bytes; false (out unspecified) when the file
/// name is longer than 65535 bytes.
[[nodiscard]] bool encode_segment_meta(const SegmentMeta& meta, std::vector<std::uint8_t>& out);
/// nullopt for a value of the wrong version or length. `id` comes from the key.
[[nodiscard]] std::optional<SegmentMeta> decode_segment_meta(SegmentId id, std::span<const std::uint8_t> value);

[[nodiscard]] std::array<std::uint8_t, kFlowEntryValueSize> encode_flow_entry(const FlowEntry& entry) noexcept;
/// nullopt for a value of the wrong version or length. `flow_no` comes from the key.
[[nodiscard]] std::optional<FlowEntry> decode_flow_entry(std::uint32_t flow_no,
                                                         std::span<const std::uint8_t> value) noexcept;

}  // namespace opensoc::index
