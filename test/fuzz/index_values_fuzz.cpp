// Fuzz harness: the packet index's value decoders (postings chunks, segment
// metadata, flow entries). These bytes come from data.mdb on disk, which a
// crash, a bad disk or a hand edit can leave in any state; a decoder must
// reject what it cannot read, never read out of bounds or crash. A postings
// chunk that decodes must re-encode to the same postings.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "index/index_keys.hpp"
#include "index/postings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::index;
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
  return 0;
}
