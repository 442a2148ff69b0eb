// Key and value encoding of the packet index. The layout is documented byte
// by byte in docs/STORAGE.md; change both together and bump kFormatVersion
// (or kValueVersion) when it changes.
#include "index/index_keys.hpp"

#include <algorithm>

namespace opensoc::index {

namespace {

KeyBuffer start_key(Table table, SegmentId seg) noexcept {
  KeyBuffer k;
  k.bytes[0] = static_cast<std::uint8_t>(table);
  store_be64(k.bytes.data() + 1, seg);
  k.size = kSegmentPrefixSize;
  return k;
}

void append_be32(KeyBuffer& k, std::uint32_t v) noexcept {
  store_be32(k.bytes.data() + k.size, v);
  k.size += 4;
}

void append_attribute(KeyBuffer& k, AttributeKind kind, std::span<const std::uint8_t> value) noexcept {
  const std::size_t width = attribute_value_size(kind);
  k.bytes[k.size++] = static_cast<std::uint8_t>(kind);
  // Zero-padded: the key width depends on the kind only, never on the caller.
  const std::size_t n = std::min(width, value.size());
  if (n != 0) std::memcpy(k.bytes.data() + k.size, value.data(), n);
  k.size += width;
}

}  // namespace

std::size_t attribute_value_size(AttributeKind kind) noexcept {
  switch (kind) {
    case AttributeKind::ip4: return 4;
    case AttributeKind::ip6: return 16;
    case AttributeKind::port: return 2;
    case AttributeKind::proto: return 1;
    case AttributeKind::vlan: return 2;
    case AttributeKind::community_id: return 8;
  }
  return 0;
}

std::array<std::uint8_t, kFormatValueSize> format_value() noexcept {
  std::array<std::uint8_t, kFormatValueSize> v = {'O', 'S', 'I', 'X', 0, 0, 0, 0};
  store_be32(v.data() + 4, kFormatVersion);
  return v;
}

KeyBuffer segment_prefix(Table table, SegmentId seg) noexcept { return start_key(table, seg); }

KeyBuffer flow_record_key(SegmentId seg, std::uint32_t flow_no) noexcept {
  KeyBuffer k = start_key(Table::flow, seg);
  append_be32(k, flow_no);
  return k;
}

KeyBuffer attribute_prefix(SegmentId seg, AttributeKind kind, std::span<const std::uint8_t> value) noexcept {
  KeyBuffer k = start_key(Table::attribute, seg);
  append_attribute(k, kind, value);
  return k;
}

KeyBuffer attribute_key(SegmentId seg, AttributeKind kind, std::span<const std::uint8_t> value,
                        std::uint32_t flow_no) noexcept {
  KeyBuffer k = attribute_prefix(seg, kind, value);
  append_be32(k, flow_no);
  return k;
}

KeyBuffer postings_prefix(SegmentId seg, std::uint32_t flow_no) noexcept {
  KeyBuffer k = start_key(Table::postings, seg);
  append_be32(k, flow_no);
  return k;
}

KeyBuffer postings_key(SegmentId seg, std::uint32_t flow_no, std::uint32_t chunk_no) noexcept {
  KeyBuffer k = postings_prefix(seg, flow_no);
  append_be32(k, chunk_no);
  return k;
}

bool has_prefix(std::span<const std::uint8_t> key, std::span<const std::uint8_t> prefix) noexcept {
  return key.size() >= prefix.size() && std::memcmp(key.data(), prefix.data(), prefix.size()) == 0;
}

// SegmentMeta value:
//   0 version | 1 first_ts be64 | 9 last_ts be64 | 17 packets be64 |
//   25 indexed_bytes be64 | 33 flows be32 | 37 link be16 | 39 flags (bit 0 closed) |
//   40 name_len be16 | 42 file name bytes
bool encode_segment_meta(const SegmentMeta& meta, std::vector<std::uint8_t>& out) {
  if (meta.file_name.size() > 0xFFFF) return false;
  out.assign(kSegmentMetaFixedSize + meta.file_name.size(), 0);
  std::uint8_t* p = out.data();
  p[0] = kValueVersion;
  store_be64(p + 1, static_cast<std::uint64_t>(meta.first_ts));
  store_be64(p + 9, static_cast<std::uint64_t>(meta.last_ts));
  store_be64(p + 17, meta.packets);
  store_be64(p + 25, meta.indexed_bytes);
  store_be32(p + 33, meta.flows);
  store_be16(p + 37, static_cast<std::uint16_t>(meta.link));
  p[39] = meta.closed ? 1 : 0;
  store_be16(p + 40, static_cast<std::uint16_t>(meta.file_name.size()));
  if (!meta.file_name.empty()) std::memcpy(p + kSegmentMetaFixedSize, meta.file_name.data(), meta.file_name.size());
  return true;
}

std::optional<SegmentMeta> decode_segment_meta(SegmentId id, std::span<const std::uint8_t> value) {
  if (value.size() < kSegmentMetaFixedSize || value[0] != kValueVersion) return std::nullopt;
  const std::uint8_t* p = value.data();
  const std::size_t name_len = load_be16(p + 40);
  if (value.size() != kSegmentMetaFixedSize + name_len) return std::nullopt;
  SegmentMeta m;
  m.id = id;
  m.first_ts = static_cast<TimestampNs>(load_be64(p + 1));
  m.last_ts = static_cast<TimestampNs>(load_be64(p + 9));
  m.packets = load_be64(p + 17);
  m.indexed_bytes = load_be64(p + 25);
  m.flows = load_be32(p + 33);
  m.link = static_cast<LinkType>(load_be16(p + 37));
  m.closed = (p[39] & 1) != 0;
  m.file_name.assign(reinterpret_cast<const char*>(p + kSegmentMetaFixedSize), name_len);
  return m;
}

// FlowEntry value:
//   0 version | 1 lo_addr[16] | 17 hi_addr[16] | 33 lo_port be16 | 35 hi_port be16 |
//   37 vlan be16 | 39 ip_proto | 40 ip_version | 41 first_ts be64 | 49 last_ts be64 |
//   57 packets be64
std::array<std::uint8_t, kFlowEntryValueSize> encode_flow_entry(const FlowEntry& e) noexcept {
  std::array<std::uint8_t, kFlowEntryValueSize> v{};
  std::uint8_t* p = v.data();
  p[0] = kValueVersion;
  std::memcpy(p + 1, e.key.lo_addr, 16);
  std::memcpy(p + 17, e.key.hi_addr, 16);
  store_be16(p + 33, e.key.lo_port);
  store_be16(p + 35, e.key.hi_port);
  store_be16(p + 37, e.key.vlan);
  p[39] = e.key.ip_proto;
  p[40] = e.key.ip_version;
  store_be64(p + 41, static_cast<std::uint64_t>(e.first_ts));
  store_be64(p + 49, static_cast<std::uint64_t>(e.last_ts));
  store_be64(p + 57, e.packets);
  return v;
}

std::optional<FlowEntry> decode_flow_entry(std::uint32_t flow_no, std::span<const std::uint8_t> value) noexcept {
  if (value.size() != kFlowEntryValueSize || value[0] != kValueVersion) return std::nullopt;
  const std::uint8_t* p = value.data();
  FlowEntry e;
  e.flow_no = flow_no;
  std::memcpy(e.key.lo_addr, p + 1, 16);
  std::memcpy(e.key.hi_addr, p + 17, 16);
  e.key.lo_port = load_be16(p + 33);
  e.key.hi_port = load_be16(p + 35);
  e.key.vlan = load_be16(p + 37);
  e.key.ip_proto = p[39];
  e.key.ip_version = p[40];
  e.first_ts = static_cast<TimestampNs>(load_be64(p + 41));
  e.last_ts = static_cast<TimestampNs>(load_be64(p + 49));
  e.packets = load_be64(p + 57);
  return e;
}

}  // namespace opensoc::index
