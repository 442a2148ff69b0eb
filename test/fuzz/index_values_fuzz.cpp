// Fuzz harness: the packet index's value decoders (postings chunks, segment
// metadata, flow entries, and a compacted segment's packed flows, attribute
// and postings values). These bytes come from data.mdb on disk, which a
// crash, a bad disk or a hand edit can leave in any state; a decoder must
// reject what it cannot read, never read out of bounds or crash. A postings
// chunk that decodes must re-encode to the same postings.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "index/index_keys.hpp"
#include "index/packed_segment.hpp"
#include "index/postings.hpp"

namespace {

using namespace opensoc::index;

void fuzz_packed(std::span<const std::uint8_t> bytes) {
  if (const auto flows = PackedFlowsView::parse(bytes)) {
    // Every slot, and a few past the end.
    const std::uint32_t n = flows->slots();
    for (std::uint32_t no = 0; no < n + 2 && no < 4096; ++no) {
      (void)flows->present(no);
      (void)flows->entry(no);
    }
    (void)flows->entry(0xFFFFFFFF);
  }
  for (std::uint8_t kind = 0; kind <= 7; ++kind) {
    const auto view = PackedAttributesView::parse(static_cast<AttributeKind>(kind), bytes);
    if (!view) continue;
    const std::uint8_t lo[16] = {};
    std::uint8_t hi[16];
    for (auto& b : hi) b = 0xFF;
    std::vector<std::uint32_t> out;
    view->flows_in_range(lo, hi, out);
    if (out.size() != view->records()) __builtin_trap();  // [0, max] covers every record
    out.clear();
    view->flows_in_range(hi, lo, out);  // empty range
  }
  if (const auto postings = PackedPostingsView::parse(bytes)) {
    std::vector<Posting> out;
    for (std::uint32_t no = 0; no < 64; ++no) {
      out.clear();
      if (postings->postings(no, out)) {
        for (std::size_t i = 1; i < out.size(); ++i) {
          if (out[i].offset <= out[i - 1].offset) __builtin_trap();
        }
        const auto tail = postings->tail(no);
        if (out.empty() ? tail.has_value() : (!tail || tail->second != out.back().offset)) __builtin_trap();
      } else if (!out.empty()) {
        __builtin_trap();  // a failed decode leaves out as it was
      }
    }
    (void)postings->postings(0xFFFFFFFF, out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  std::vector<Posting> postings;
  if (decode_postings(bytes, postings)) {
    PostingsEncoder enc;
    for (const Posting& p : postings) {
      if (!enc.add(p.offset, p.swapped)) __builtin_trap();  // decoded offsets strictly increase
    }
    // Varints may be non-minimal on disk, so compare meaning, not bytes.
    std::vector<Posting> again;
    if (!decode_postings(enc.bytes(), again) || again != postings) __builtin_trap();
  }
  (void)decode_segment_meta(0x0001000000000007ULL, bytes);
  (void)decode_flow_entry(42, bytes);
  fuzz_packed(bytes);
  return 0;
}
