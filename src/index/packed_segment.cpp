// Codecs of a compacted segment's values (docs/STORAGE.md, "Compacted
// segments"). Every length is checked before a load; loads are memcpy-based
// (index_keys.hpp), so hostile bytes on disk cannot make a read leave the
// value.
#include "index/packed_segment.hpp"

#include <algorithm>
#include <cstring>

namespace opensoc::index {

namespace {

constexpr std::uint8_t kAttributePartBase = 0x10;
constexpr std::size_t kPostingsHeadFixed = 1 + 4;

}  // namespace

KeyBuffer packed_key(SegmentId seg, PackedPart part) noexcept {
  KeyBuffer k = segment_prefix(Table::packed, seg);
  k.bytes[k.size++] = static_cast<std::uint8_t>(part);
  return k;
}

KeyBuffer packed_attribute_key(SegmentId seg, AttributeKind kind) noexcept {
  KeyBuffer k = segment_prefix(Table::packed, seg);
  k.bytes[k.size++] = static_cast<std::uint8_t>(kAttributePartBase + static_cast<std::uint8_t>(kind));
  return k;
}

// --- flows -----------------------------------------------------------------

std::optional<PackedFlowsView> PackedFlowsView::parse(std::span<const std::uint8_t> value) noexcept {
  if (value.empty() || value[0] != kPackedVersion) return std::nullopt;
  const std::size_t body = value.size() - 1;
  if (body % kPackedFlowSlotSize != 0 || body / kPackedFlowSlotSize > 0xFFFFFFFFULL) return std::nullopt;
  PackedFlowsView v;
  v.bytes_ = value.subspan(1);
  v.slots_ = static_cast<std::uint32_t>(body / kPackedFlowSlotSize);
  return v;
}

bool PackedFlowsView::present(std::uint32_t flow_no) const noexcept {
  return flow_no < slots_ && bytes_[static_cast<std::size_t>(flow_no) * kPackedFlowSlotSize] != 0;
}

std::optional<FlowEntry> PackedFlowsView::entry(std::uint32_t flow_no) const noexcept {
  if (flow_no >= slots_) return std::nullopt;
  // A slot marked 0 or kPackedUndecodable has the wrong version byte, so
  // decode_flow_entry rejects it.
  return decode_flow_entry(flow_no,
                           bytes_.subspan(static_cast<std::size_t>(flow_no) * kPackedFlowSlotSize, kPackedFlowSlotSize));
}

PackedFlowsBuilder::PackedFlowsBuilder(std::uint32_t slots)
    : bytes_(1 + static_cast<std::size_t>(slots) * kPackedFlowSlotSize, 0) {
  bytes_[0] = kPackedVersion;
}

void PackedFlowsBuilder::set(std::uint32_t flow_no, std::span<const std::uint8_t> raw) noexcept {
  const std::size_t at = 1 + static_cast<std::size_t>(flow_no) * kPackedFlowSlotSize;
  if (at + kPackedFlowSlotSize > bytes_.size()) return;
  std::uint8_t* slot = bytes_.data() + at;
  if (decode_flow_entry(flow_no, raw)) {
    std::memcpy(slot, raw.data(), kPackedFlowSlotSize);
  } else {
    std::memset(slot, 0, kPackedFlowSlotSize);
    slot[0] = kPackedUndecodable;
  }
}

// --- attributes ------------------------------------------------------------

std::vector<std::uint8_t> start_packed_attributes(AttributeKind kind) {
  return {kPackedVersion, static_cast<std::uint8_t>(kind)};
}

void append_packed_attribute(std::vector<std::uint8_t>& value, std::span<const std::uint8_t> attribute,
                             std::uint32_t flow_no) {
  value.insert(value.end(), attribute.begin(), attribute.end());
  std::uint8_t no[4];
  store_be32(no, flow_no);
  value.insert(value.end(), no, no + 4);
}

std::optional<PackedAttributesView> PackedAttributesView::parse(AttributeKind kind,
                                                                std::span<const std::uint8_t> value) noexcept {
  const std::size_t width = attribute_value_size(kind);
  if (width == 0 || value.size() < 2 || value[0] != kPackedVersion || value[1] != static_cast<std::uint8_t>(kind)) {
    return std::nullopt;
  }
  const std::size_t record = width + 4;
  if ((value.size() - 2) % record != 0) return std::nullopt;
  PackedAttributesView v;
  v.bytes_ = value.subspan(2);
  v.width_ = width;
  v.records_ = v.bytes_.size() / record;
  return v;
}

void PackedAttributesView::flows_in_range(const std::uint8_t* lo, const std::uint8_t* hi,
                                          std::vector<std::uint32_t>& out) const {
  const std::size_t record = width_ + 4;
  auto value_at = [&](std::size_t i) { return bytes_.data() + i * record; };
  // First record whose value is >= lo (flow_no does not matter: every flow
  // of the value lo is in range).
  std::size_t first = 0;
  std::size_t count = records_;
  while (count > 0) {
    const std::size_t half = count / 2;
    if (std::memcmp(value_at(first + half), lo, width_) < 0) {
      first += half + 1;
      count -= half + 1;
    } else {
      count = half;
    }
  }
  for (std::size_t i = first; i < records_; ++i) {
    const std::uint8_t* p = value_at(i);
    if (std::memcmp(p, hi, width_) > 0) break;
    out.push_back(load_be32(p + width_));
  }
}

// --- postings --------------------------------------------------------------

std::optional<PackedPostingsView> PackedPostingsView::parse(std::span<const std::uint8_t> value) noexcept {
  if (value.size() < kPostingsHeadFixed || value[0] != kPackedVersion) return std::nullopt;
  const std::uint64_t n = load_be32(value.data() + 1);
  const std::uint64_t head = kPostingsHeadFixed + 4 * (n + 1) + 4 * n;
  if (head > value.size()) return std::nullopt;
  PackedPostingsView v;
  v.flows_ = static_cast<std::uint32_t>(n);
  v.directory_ = value.subspan(kPostingsHeadFixed, 4 * (n + 1));
  v.chunks_ = value.subspan(kPostingsHeadFixed + 4 * (n + 1), 4 * n);
  v.stream_ = value.subspan(head);
  return v;
}

std::optional<std::span<const std::uint8_t>> PackedPostingsView::stream_of(std::uint32_t flow_no) const noexcept {
  if (flow_no >= flows_) return std::span<const std::uint8_t>{};
  const std::size_t at = static_cast<std::size_t>(flow_no) * 4;
  const std::uint32_t begin = load_be32(directory_.data() + at);
  const std::uint32_t end = load_be32(directory_.data() + at + 4);
  if (begin > end || end > stream_.size()) return std::nullopt;
  return stream_.subspan(begin, end - begin);
}

bool PackedPostingsView::postings(std::uint32_t flow_no, std::vector<Posting>& out) const {
  const auto stream = stream_of(flow_no);
  if (!stream) return false;
  return decode_postings(*stream, out);
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> PackedPostingsView::tail(std::uint32_t flow_no) const {
  const auto stream = stream_of(flow_no);
  if (!stream || stream->empty()) return std::nullopt;
  std::vector<Posting> all;
  if (!decode_postings(*stream, all) || all.empty()) return std::nullopt;
  return std::make_pair(load_be32(chunks_.data() + static_cast<std::size_t>(flow_no) * 4), all.back().offset);
}

bool PackedPostingsBuilder::add(std::uint32_t flow_no, std::span<const Posting> postings, std::uint32_t last_chunk_no) {
  if (!added_.empty() && flow_no <= added_.back().flow_no) return false;
  PostingsEncoder enc;
  for (const Posting& p : postings) {
    if (!enc.add(p.offset, p.swapped)) return false;
  }
  const auto bytes = enc.bytes();
  if (stream_.size() + bytes.size() > 0xFFFFFFFFULL) return false;
  const auto begin = static_cast<std::uint32_t>(stream_.size());
  stream_.insert(stream_.end(), bytes.begin(), bytes.end());
  added_.push_back({flow_no, begin, static_cast<std::uint32_t>(stream_.size()), last_chunk_no});
  return true;
}

std::vector<std::uint8_t> PackedPostingsBuilder::finish(std::uint32_t flows) const {
  const std::size_t n = flows;
  const std::size_t head = kPostingsHeadFixed + 4 * (n + 1) + 4 * n;
  std::vector<std::uint8_t> out(head, 0);
  out[0] = kPackedVersion;
  store_be32(out.data() + 1, flows);
  std::uint8_t* offsets = out.data() + kPostingsHeadFixed;
  std::uint8_t* chunks = offsets + 4 * (n + 1);
  // A flow without postings starts and ends where the previous one ended.
  std::uint32_t position = 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (j < added_.size() && added_[j].flow_no == i) {
      store_be32(offsets + 4 * i, added_[j].begin);
      store_be32(chunks + 4 * i, added_[j].last_chunk_no);
      position = added_[j].end;
      ++j;
    } else {
      store_be32(offsets + 4 * i, position);
    }
  }
  store_be32(offsets + 4 * n, position);
  out.insert(out.end(), stream_.begin(), stream_.begin() + position);
  return out;
}

}  // namespace opensoc::index
