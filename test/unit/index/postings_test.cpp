#include "index/postings.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

using opensoc::index::decode_postings;
using opensoc::index::Posting;
using opensoc::index::PostingsEncoder;

namespace {

std::vector<Posting> decode_all(const std::vector<std::uint8_t>& bytes) {
  std::vector<Posting> out;
  REQUIRE(decode_postings(bytes, out));
  return out;
}

}  // namespace

TEST_CASE("postings round-trip offsets and directions including 1-byte and huge deltas", "[index][postings]") {
  const std::vector<Posting> in = {
      {24, false},           // first: absolute
      {25, true},            // delta 1
      {89, false},           // delta 64: first 2-byte delta
      {90, true},            // delta 1
      {0x10000000, false},   // huge delta
      {0xFFFFFFFE, true},
      {0xFFFFFFFF, false},   // largest offset
  };
  PostingsEncoder enc;
  for (const Posting& p : in) REQUIRE(enc.add(p.offset, p.swapped));
  CHECK(enc.packets() == in.size());
  CHECK(enc.last_offset() == 0xFFFFFFFF);
  const std::vector<std::uint8_t> bytes(enc.bytes().begin(), enc.bytes().end());
  CHECK(decode_all(bytes) == in);
}

TEST_CASE("postings varint sizes follow (delta << 1 | direction)", "[index][postings]") {
  auto size_of = [](std::uint32_t first, std::uint32_t second) {
    PostingsEncoder enc;
    REQUIRE(enc.add(first, false));
    const std::size_t before = enc.bytes().size();
    REQUIRE(enc.add(second, true));
    return enc.bytes().size() - before;
  };
  CHECK(size_of(100, 101) == 1);           // (1 << 1) | 1 = 3
  CHECK(size_of(100, 163) == 1);           // delta 63 -> 127
  CHECK(size_of(100, 164) == 2);           // delta 64 -> 129
  CHECK(size_of(100, 100 + 8191) == 2);    // -> 16383
  CHECK(size_of(100, 100 + 8192) == 3);
  CHECK(size_of(1, 0xFFFFFFFF) == 5);      // 33 bits

  PostingsEncoder enc;
  REQUIRE(enc.add(24, true));
  CHECK(std::vector<std::uint8_t>(enc.bytes().begin(), enc.bytes().end()) == std::vector<std::uint8_t>{49});
}

TEST_CASE("PostingsEncoder rejects offsets that do not increase", "[index][postings]") {
  PostingsEncoder enc;
  CHECK_FALSE(enc.add(0, false));  // offset 0 is the pcap header, never a record
  CHECK(enc.empty());
  REQUIRE(enc.add(100, false));
  CHECK_FALSE(enc.add(100, true));
  CHECK_FALSE(enc.add(99, true));
  CHECK(enc.packets() == 1);
  CHECK(decode_all({enc.bytes().begin(), enc.bytes().end()}) == std::vector<Posting>{{100, false}});

  SECTION("across chunks") {
    (void)enc.take_chunk();
    CHECK_FALSE(enc.add(100, false));
    CHECK(enc.add(101, false));
  }
  SECTION("after resume with the committed last offset") {
    enc.resume(3, 5000);
    CHECK(enc.empty());
    CHECK(enc.chunk_no() == 4);
    CHECK_FALSE(enc.add(4000, false));
    CHECK(enc.add(5001, false));
    CHECK(decode_all({enc.bytes().begin(), enc.bytes().end()}) == std::vector<Posting>{{5001, false}});
  }
}

TEST_CASE("postings chunks are self-contained: each starts absolute", "[index][postings]") {
  PostingsEncoder enc;
  REQUIRE(enc.add(1000, false));
  REQUIRE(enc.add(1100, true));
  CHECK(enc.chunk_no() == 0);
  const std::vector<std::uint8_t> first = enc.take_chunk();
  CHECK(enc.empty());
  CHECK_FALSE(enc.dirty());
  CHECK(enc.packets() == 0);
  CHECK(enc.chunk_no() == 1);
  REQUIRE(enc.add(5000, false));
  const std::vector<std::uint8_t> second = enc.take_chunk();
  CHECK(enc.chunk_no() == 2);

  CHECK(decode_all(first) == std::vector<Posting>{{1000, false}, {1100, true}});
  CHECK(decode_all(second) == std::vector<Posting>{{5000, false}});
}

TEST_CASE("decode_postings appends to existing output and accepts an empty chunk", "[index][postings]") {
  std::vector<Posting> out = {{7, true}};
  CHECK(decode_postings({}, out));
  CHECK(out == std::vector<Posting>{{7, true}});
  const std::vector<std::uint8_t> bytes = {0x30, 0x03};  // 24, then 25 swapped
  CHECK(decode_postings(bytes, out));
  CHECK(out == std::vector<Posting>{{7, true}, {24, false}, {25, true}});
}

TEST_CASE("decode_postings rejects malformed chunks and leaves output as it was", "[index][postings]") {
  const std::vector<Posting> before = {{1, false}, {2, true}};
  auto rejects = [&](const std::vector<std::uint8_t>& bytes) {
    std::vector<Posting> out = before;
    const bool ok = decode_postings(bytes, out);
    CHECK(out == before);
    return !ok;
  };
  CHECK(rejects({0x80}));                                // truncated varint
  CHECK(rejects({0x30, 0xFF, 0xFF}));                    // truncated after a good posting
  CHECK(rejects({0x80, 0x80, 0x80, 0x80, 0x80, 0x01}));  // six groups: longer than any posting
  CHECK(rejects({0x00}));                                // delta 0, forward
  CHECK(rejects({0x01}));                                // delta 0, swapped
  CHECK(rejects({0x30, 0x00}));                          // repeated offset
  // 0xFFFFFFFF then +1: past the largest offset.
  CHECK(rejects({0xFE, 0xFF, 0xFF, 0xFF, 0x1F, 0x02}));
  // A 5-byte varint whose delta exceeds 32 bits.
  CHECK(rejects({0x80, 0x80, 0x80, 0x80, 0x7F}));
}

TEST_CASE("decode_postings on random bytes never yields non-increasing offsets", "[index][postings]") {
  std::mt19937 rng(12345);
  std::vector<std::uint8_t> bytes;
  std::vector<Posting> out;
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    bytes.resize(rng() % 24);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    out.clear();
    if (!decode_postings(bytes, out)) {
      CHECK(out.empty());
      continue;
    }
    ++accepted;
    for (std::size_t i = 1; i < out.size(); ++i) REQUIRE(out[i].offset > out[i - 1].offset);
    // What decodes re-encodes to the same postings.
    PostingsEncoder enc;
    for (const Posting& p : out) REQUIRE(enc.add(p.offset, p.swapped));
    std::vector<Posting> again;
    REQUIRE(decode_postings(enc.bytes(), again));
    REQUIRE(again == out);
  }
  CHECK(accepted > 0);
}

TEST_CASE("PostingsEncoder commit cycle grows a chunk until the target size, then starts the next",
          "[index][postings]") {
  PostingsEncoder enc;
  CHECK_FALSE(enc.dirty());
  REQUIRE(enc.add(1000, false));
  CHECK(enc.dirty());
  enc.committed();
  CHECK_FALSE(enc.dirty());
  CHECK(enc.chunk_no() == 0);  // small: stays open
  REQUIRE(enc.add(1100, true));
  CHECK(enc.dirty());
  // The rewrite carries the committed posting too.
  CHECK(decode_all({enc.bytes().begin(), enc.bytes().end()}) == std::vector<Posting>{{1000, false}, {1100, true}});
  enc.committed();
  CHECK(enc.chunk_no() == 0);

  std::vector<Posting> all = {{1000, false}, {1100, true}};
  std::uint32_t offset = 1100;
  while (enc.bytes().size() < PostingsEncoder::kChunkTargetBytes) {
    offset += 100;  // 2 bytes each
    REQUIRE(enc.add(offset, false));
    all.push_back({offset, false});
  }
  enc.committed();
  CHECK(enc.chunk_no() == 1);
  CHECK(enc.empty());
  CHECK_FALSE(enc.dirty());
  CHECK_FALSE(enc.add(offset, true));
  REQUIRE(enc.add(offset + 1, true));
  CHECK(decode_all({enc.bytes().begin(), enc.bytes().end()}) == std::vector<Posting>{{offset + 1, true}});
  CHECK(all.size() > 100);
}

TEST_CASE("postings encode the example documented in STORAGE.md byte for byte", "[index][postings]") {
  PostingsEncoder enc;
  REQUIRE(enc.add(24, false));
  REQUIRE(enc.add(1554, true));
  REQUIRE(enc.add(1648, false));
  CHECK(std::vector<std::uint8_t>(enc.bytes().begin(), enc.bytes().end()) ==
        std::vector<std::uint8_t>{0x30, 0xF5, 0x17, 0xBC, 0x01});
}
