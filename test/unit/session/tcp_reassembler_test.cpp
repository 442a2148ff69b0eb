// Tests of TcpReassembler: exact delivered streams (data and gaps) for
// in-order, out-of-order, overlapping, wrapping, lossy and bounded input.
#include "session/tcp_reassembler.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>

#include <catch2/catch.hpp>

namespace {

using opensoc::session::ReassemblyBudget;
using opensoc::session::StreamSink;
using opensoc::session::TcpReassembler;

// Renders the stream as text: data verbatim, each hole as "[gap N]".
class TextSink final : public StreamSink {
 public:
  void on_stream_data(std::span<const std::uint8_t> data) override {
    REQUIRE_FALSE(data.empty());
    text.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void on_stream_gap(std::uint64_t bytes) override { text += "[gap " + std::to_string(bytes) + "]"; }
  std::string text;
};

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

struct Flags {
  bool syn = false;
  bool fin = false;
  bool rst = false;
};

void segment(TcpReassembler& r, TextSink& sink, std::uint32_t seq, const std::string& payload, Flags f = {}) {
  r.on_segment(seq, f.syn, f.fin, f.rst, bytes(payload), sink);
}

// Exact byte accounting in the tests that check budgets.
ReassemblyBudget exact_budget() {
  ReassemblyBudget b;
  b.limits.held_segment_overhead = 0;
  return b;
}

}  // namespace

TEST_CASE("TcpReassembler delivers in-order segments as one stream", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  CHECK_FALSE(r.started());
  segment(r, sink, 1000, "hel");
  segment(r, sink, 1003, "lo ");
  segment(r, sink, 1006, "world");
  CHECK(sink.text == "hello world");
  CHECK(r.started());
  CHECK(r.delivered() == 11);
  CHECK(budget.counters.segments == 3);
  CHECK(budget.counters.bytes_delivered == 11);
  CHECK(budget.counters.out_of_order_segments == 0);
  CHECK(budget.buffered == 0);
}

TEST_CASE("TcpReassembler starts the stream after the SYN's sequence number", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  SECTION("data after a bare SYN") {
    segment(r, sink, 100, "", {.syn = true});
    CHECK(r.started());
    segment(r, sink, 101, "abc");
    segment(r, sink, 104, "def");
    CHECK(sink.text == "abcdef");
  }
  SECTION("data carried on the SYN (Fast Open)") {
    segment(r, sink, 100, "xy", {.syn = true});
    segment(r, sink, 103, "z");
    CHECK(sink.text == "xyz");
  }
  SECTION("a retransmitted SYN is not data") {
    segment(r, sink, 100, "", {.syn = true});
    segment(r, sink, 100, "", {.syn = true});
    segment(r, sink, 101, "abc");
    CHECK(sink.text == "abc");
    CHECK(budget.counters.retransmitted_bytes == 0);
  }
}

TEST_CASE("TcpReassembler picks a stream up mid-way at the first segment", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 5000, "mid");
  segment(r, sink, 5003, "dle");
  CHECK(sink.text == "middle");
  // Bytes from before the pickup point count as already past.
  segment(r, sink, 4990, "0123456789");
  CHECK(sink.text == "middle");
  CHECK(budget.counters.retransmitted_bytes == 10);
}

TEST_CASE("TcpReassembler reorders three segments in any arrival order", "[tcp_reassembler]") {
  struct Seg {
    std::uint32_t seq;
    std::string data;
  };
  std::array<int, 3> order{0, 1, 2};
  const std::array<Seg, 3> segs{Seg{1001, "abc"}, Seg{1004, "def"}, Seg{1007, "ghi"}};
  int permutations = 0;
  do {
    ReassemblyBudget budget;
    TextSink sink;
    {
      TcpReassembler r(budget);
      segment(r, sink, 1000, "", {.syn = true});
      for (int i : order) segment(r, sink, segs[i].seq, segs[i].data);
      INFO("order " << order[0] << order[1] << order[2]);
      CHECK(sink.text == "abcdefghi");
      CHECK(r.buffered() == 0);
      CHECK(budget.buffered == 0);
      CHECK(budget.counters.gaps == 0);
      CHECK(budget.counters.retransmitted_bytes == 0);
    }
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK(permutations == 6);
}

TEST_CASE("TcpReassembler counts out-of-order segments and charges what it holds", "[tcp_reassembler]") {
  ReassemblyBudget budget;  // default overhead of 64 bytes per held piece
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 1, "a");
  segment(r, sink, 5, "e");
  segment(r, sink, 3, "c");
  CHECK(sink.text == "a");
  CHECK(budget.counters.out_of_order_segments == 2);
  CHECK(r.buffered() == 2 * (1 + 64));
  CHECK(budget.buffered == 2 * (1 + 64));
  segment(r, sink, 2, "b");
  CHECK(sink.text == "abc");
  CHECK(r.buffered() == 1 + 64);
  segment(r, sink, 4, "d");
  CHECK(sink.text == "abcde");
  CHECK(budget.buffered == 0);
}

TEST_CASE("TcpReassembler drops retransmitted bytes, keeping the first copy", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  SECTION("exact retransmission") {
    segment(r, sink, 1, "abc");
    segment(r, sink, 1, "abc");
    segment(r, sink, 4, "def");
    CHECK(sink.text == "abcdef");
    CHECK(budget.counters.retransmitted_bytes == 3);
    CHECK(budget.counters.overlap_mismatch_bytes == 0);
  }
  SECTION("partial overlap with delivered bytes") {
    segment(r, sink, 1, "abcd");
    segment(r, sink, 3, "cdef");
    CHECK(sink.text == "abcdef");
    CHECK(budget.counters.retransmitted_bytes == 2);
  }
  SECTION("different bytes over delivered data are only counted as retransmitted") {
    segment(r, sink, 1, "abcd");
    segment(r, sink, 3, "XYef");
    CHECK(sink.text == "abcdef");
    CHECK(budget.counters.retransmitted_bytes == 2);
    CHECK(budget.counters.overlap_mismatch_bytes == 0);
  }
  SECTION("partial overlap between held segments") {
    segment(r, sink, 1, "a");
    segment(r, sink, 4, "defg");
    segment(r, sink, 6, "fghij");
    segment(r, sink, 2, "bc");
    CHECK(sink.text == "abcdefghij");
    CHECK(budget.counters.retransmitted_bytes == 2);
    CHECK(budget.counters.overlap_mismatch_bytes == 0);
    CHECK(budget.buffered == 0);
  }
  SECTION("a segment spanning several held pieces fills only the holes") {
    segment(r, sink, 1, "a");
    segment(r, sink, 3, "c");
    segment(r, sink, 6, "f");
    segment(r, sink, 2, "bXdeYg");  // overlaps c and f with different bytes
    CHECK(sink.text == "abcdefg");
    CHECK(budget.counters.retransmitted_bytes == 2);
    CHECK(budget.counters.overlap_mismatch_bytes == 2);
  }
}

TEST_CASE("TcpReassembler counts held bytes overwritten with different data", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  SECTION("out-of-order copy over a held copy") {
    segment(r, sink, 1, "0");
    segment(r, sink, 5, "BBBB");
    segment(r, sink, 5, "bbbbCC");
    segment(r, sink, 2, "123");
    CHECK(sink.text == "0123BBBBCC");
    CHECK(budget.counters.retransmitted_bytes == 4);
    CHECK(budget.counters.overlap_mismatch_bytes == 4);
  }
  SECTION("in-order copy over a held copy") {
    segment(r, sink, 0, "");  // pick up at 0
    segment(r, sink, 10, "XYZ");
    segment(r, sink, 0, "0123456789xYzW");
    CHECK(sink.text == "0123456789XYZW");
    CHECK(budget.counters.retransmitted_bytes == 3);
    CHECK(budget.counters.overlap_mismatch_bytes == 2);
    CHECK(budget.buffered == 0);
  }
}

TEST_CASE("TcpReassembler reassembles across sequence number wraparound", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 0xFFFFFFFDu, "", {.syn = true});  // data starts at 0xFFFFFFFE
  segment(r, sink, 0xFFFFFFFEu, "ab");
  segment(r, sink, 4, "gh");   // out of order, past the wrap
  segment(r, sink, 0, "cd");   // exactly at the wrap
  CHECK(sink.text == "abcd");
  segment(r, sink, 0xFFFFFFFFu, "bcdef");  // old bytes across the wrap, then new ones
  CHECK(sink.text == "abcdefgh");
  CHECK(budget.counters.retransmitted_bytes == 3);
  r.on_peer_ack(6, sink);
  CHECK(sink.text == "abcdefgh");
  CHECK(budget.counters.gaps == 0);
  CHECK(budget.buffered == 0);
}

TEST_CASE("TcpReassembler skips a hole the peer acknowledged", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 1, "abc");
  segment(r, sink, 10, "xyz");
  segment(r, sink, 20, "tail");
  r.on_peer_ack(4, sink);  // acknowledges what was delivered: nothing lost
  CHECK(sink.text == "abc");
  SECTION("ack past the first held piece") {
    r.on_peer_ack(13, sink);
    CHECK(sink.text == "abc[gap 6]xyz");
    CHECK(budget.counters.gaps == 1);
    CHECK(budget.counters.gap_bytes == 6);
    segment(r, sink, 13, "1234567");
    CHECK(sink.text == "abc[gap 6]xyz1234567tail");
  }
  SECTION("ack into the middle of the first hole delivers nothing yet") {
    r.on_peer_ack(7, sink);
    CHECK(sink.text == "abc[gap 3]");
    segment(r, sink, 7, "ghi");
    CHECK(sink.text == "abc[gap 3]ghixyz");
  }
  SECTION("ack of everything skips every hole") {
    r.on_peer_ack(24, sink);
    CHECK(sink.text == "abc[gap 6]xyz[gap 7]tail");
    CHECK(budget.counters.gap_bytes == 13);
    CHECK(budget.buffered == 0);
  }
  SECTION("ack beyond anything seen skips only up to the furthest byte seen") {
    r.on_peer_ack(1'000'000, sink);
    CHECK(sink.text == "abc[gap 6]xyz[gap 7]tail");
    segment(r, sink, 30, "more");
    CHECK(sink.text == "abc[gap 6]xyz[gap 7]tail");
    r.on_peer_ack(1'000'000, sink);
    CHECK(sink.text == "abc[gap 6]xyz[gap 7]tail[gap 6]more");
  }
  SECTION("ack behind the stream is ignored") {
    r.on_peer_ack(1, sink);
    r.on_peer_ack(0x90000000u, sink);  // more than half the sequence space ahead: behind
    CHECK(sink.text == "abc");
    CHECK(budget.counters.gaps == 0);
  }
}

TEST_CASE("TcpReassembler ignores acks before it has started", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  r.on_peer_ack(12345, sink);
  r.flush(sink);
  CHECK_FALSE(r.started());
  CHECK(sink.text.empty());
}

TEST_CASE("TcpReassembler flush delivers held data and reports the holes", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 1, "abc");
  segment(r, sink, 15, "jk");
  segment(r, sink, 7, "def");
  SECTION("without a FIN") {
    r.flush(sink);
    CHECK(sink.text == "abc[gap 3]def[gap 5]jk");
    CHECK(budget.counters.gaps == 2);
    CHECK(budget.counters.gap_bytes == 8);
  }
  SECTION("with a FIN after a lost tail") {
    segment(r, sink, 20, "", {.fin = true});
    r.flush(sink);
    CHECK(sink.text == "abc[gap 3]def[gap 5]jk[gap 3]");
  }
  SECTION("on RST, whose payload is not stream data") {
    segment(r, sink, 4, "reset reason", {.rst = true});
    CHECK(sink.text == "abc[gap 3]def[gap 5]jk");
  }
  CHECK(budget.buffered == 0);
  CHECK(r.buffered() == 0);
}

TEST_CASE("TcpReassembler skips the earliest hole when the per-direction cap is reached", "[tcp_reassembler]") {
  ReassemblyBudget budget = exact_budget();
  budget.limits.max_buffered_per_direction = 8;
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 100, "a");
  segment(r, sink, 102, "bbbb");
  segment(r, sink, 107, "cccc");
  CHECK(r.buffered() == 8);
  SECTION("a later segment") {
    segment(r, sink, 112, "dd");
    CHECK(sink.text == "a[gap 1]bbbb");
    CHECK(r.buffered() == 6);
    CHECK_FALSE(r.stopped());
    r.flush(sink);
    CHECK(sink.text == "a[gap 1]bbbb[gap 1]cccc[gap 1]dd");
  }
  SECTION("a copy of held bytes needs no room and forces no gap") {
    segment(r, sink, 102, "bbbb");
    CHECK(sink.text == "a");
    CHECK(budget.counters.retransmitted_bytes == 4);
    r.flush(sink);
    CHECK(sink.text == "a[gap 1]bbbb[gap 1]cccc");
  }
  SECTION("a segment that alone exceeds the cap stops the direction") {
    segment(r, sink, 120, "123456789");
    CHECK(sink.text == "a[gap 1]bbbb[gap 1]cccc");
    CHECK(r.stopped());
    CHECK(budget.counters.budget_exhausted == 1);
    CHECK(budget.buffered == 0);
    segment(r, sink, 111, "more");
    r.flush(sink);
    CHECK(sink.text == "a[gap 1]bbbb[gap 1]cccc");
  }
}

TEST_CASE("TcpReassembler fills the hole before held data when over the cap", "[tcp_reassembler]") {
  ReassemblyBudget budget = exact_budget();
  budget.limits.max_buffered_per_direction = 8;
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 0, "0");
  segment(r, sink, 10, "ABCDEFGH");
  CHECK(r.buffered() == 8);
  segment(r, sink, 3, "xx");  // cannot be held: skip [1,3) and deliver it in order
  CHECK(sink.text == "0[gap 2]xx");
  CHECK(r.buffered() == 8);
  segment(r, sink, 5, "56789");
  CHECK(sink.text == "0[gap 2]xx56789ABCDEFGH");
  CHECK(budget.buffered == 0);
}

TEST_CASE("TcpReassembler shares the total budget between directions", "[tcp_reassembler]") {
  ReassemblyBudget budget = exact_budget();
  budget.limits.max_buffered_total = 10;
  TextSink sink1;
  TextSink sink2;
  {
    TcpReassembler r1(budget);
    TcpReassembler r2(budget);
    segment(r1, sink1, 0, "a");
    segment(r1, sink1, 2, "111111");
    segment(r2, sink2, 0, "b");
    segment(r2, sink2, 2, "2222");
    CHECK(budget.buffered == 10);
    // r2 is over the total: it skips its own hole and delivers, then holds.
    segment(r2, sink2, 8, "3");
    CHECK(sink2.text == "b[gap 1]2222");
    CHECK(r2.buffered() == 1);
    CHECK(budget.buffered == 7);
    // r1 needs 5 with 3 free: same for r1.
    segment(r1, sink1, 10, "55555");
    CHECK(sink1.text == "a[gap 1]111111");
    CHECK(r1.buffered() == 5);
    CHECK(budget.buffered == 6);
    // r1 fills the budget; r2, holding nothing more it could give back, stops.
    segment(r1, sink1, 16, "6666");
    CHECK(budget.buffered == 10);
    segment(r2, sink2, 6, "xy");  // in order: no buffering needed
    CHECK(sink2.text == "b[gap 1]2222xy3");
    segment(r2, sink2, 20, "late");
    CHECK(r2.stopped());
    CHECK_FALSE(r1.stopped());
    CHECK(budget.counters.budget_exhausted == 1);
    CHECK(budget.buffered == 9);
  }
  CHECK(budget.buffered == 0);
}

TEST_CASE("TcpReassembler stops at the depth limit", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  budget.limits.max_depth = 5;
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 1, "abc");
  segment(r, sink, 8, "held");
  CHECK(budget.buffered > 0);
  segment(r, sink, 4, "defg");
  CHECK(sink.text == "abcde");
  CHECK(r.delivered() == 5);
  CHECK(r.stopped());
  CHECK(budget.counters.depth_reached == 1);
  CHECK(budget.buffered == 0);
  segment(r, sink, 8, "more");
  r.on_peer_ack(100, sink);
  r.flush(sink);
  CHECK(sink.text == "abcde");
  CHECK(budget.counters.depth_reached == 1);
}

TEST_CASE("TcpReassembler with depth 0 has no depth limit", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  budget.limits.max_depth = 0;
  TextSink sink;
  TcpReassembler r(budget);
  const std::string chunk(1000, 'q');
  for (std::uint32_t i = 0; i < 3000; ++i) segment(r, sink, i * 1000, chunk);
  CHECK(r.delivered() == 3'000'000);
  CHECK_FALSE(r.stopped());
}

TEST_CASE("TcpReassembler ends the stream at the FIN", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  SECTION("data after the FIN is ignored") {
    segment(r, sink, 1, "abc", {.fin = true});
    segment(r, sink, 4, "zzz");
    segment(r, sink, 5, "zzz");
    r.flush(sink);
    CHECK(sink.text == "abc");
  }
  SECTION("a FIN that arrives early still bounds the stream") {
    segment(r, sink, 1, "abc");
    segment(r, sink, 7, "ghi", {.fin = true});
    segment(r, sink, 8, "hijk");  // straddles the FIN
    segment(r, sink, 4, "def");
    CHECK(sink.text == "abcdefghi");
    segment(r, sink, 10, "XYZ");
    r.on_peer_ack(11, sink);  // acknowledges the FIN itself
    r.flush(sink);
    CHECK(sink.text == "abcdefghi");
    CHECK(budget.counters.gaps == 0);
  }
  SECTION("a FIN trims held data beyond it") {
    segment(r, sink, 1, "a");
    segment(r, sink, 5, "efgh");
    segment(r, sink, 12, "later");
    segment(r, sink, 3, "c", {.fin = true});  // stream ends after "c"
    CHECK(r.buffered() == 1 + 64);  // only "c" is left held
    segment(r, sink, 2, "b");
    r.flush(sink);
    CHECK(sink.text == "abc");
  }
  SECTION("a FIN behind the stream does not cut it short") {
    segment(r, sink, 1, "abcdef");
    segment(r, sink, 2, "", {.fin = true});
    segment(r, sink, 7, "g");
    CHECK(sink.text == "abcdefg");
  }
  CHECK(budget.buffered == 0);
}

TEST_CASE("TcpReassembler accepts zero-length segments anywhere", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  TcpReassembler r(budget);
  segment(r, sink, 500, "");  // a pure ACK starts the stream at its seq
  CHECK(r.started());
  segment(r, sink, 900, "");
  segment(r, sink, 100, "");
  segment(r, sink, 0xFFFFFFFFu, "");
  CHECK(budget.counters.out_of_order_segments == 0);
  CHECK(budget.buffered == 0);
  segment(r, sink, 500, "ok");
  CHECK(sink.text == "ok");
  CHECK(budget.counters.segments == 5);
}

TEST_CASE("TcpReassembler moves its held data and its charge", "[tcp_reassembler]") {
  ReassemblyBudget budget;
  TextSink sink;
  {
    TcpReassembler a(budget);
    segment(a, sink, 1, "a");
    segment(a, sink, 3, "c");
    const std::uint64_t charged = budget.buffered;
    CHECK(charged == 1 + 64);
    TcpReassembler b(std::move(a));
    CHECK(budget.buffered == charged);
    CHECK(b.buffered() == charged);
    TcpReassembler c(budget);
    segment(c, sink, 50, "x");
    segment(c, sink, 52, "z");
    c = std::move(b);  // c's own held byte is returned first
    CHECK(budget.buffered == charged);
    segment(c, sink, 2, "b");
    CHECK(sink.text == "axbc");
    CHECK(budget.buffered == 0);
    segment(c, sink, 10, "q");
  }
  CHECK(budget.buffered == 0);
}
