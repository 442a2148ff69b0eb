#include "opensoc/pipeline/spsc_ring.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <thread>

#include <catch2/catch.hpp>

using opensoc::SpscRing;

TEST_CASE("SpscRing rounds capacity up and refuses pushes when full", "[pipeline][ring]") {
  SpscRing<int> ring(5);
  CHECK(ring.capacity() == 8);
  for (int i = 0; i < 8; ++i) CHECK(ring.try_push(i));
  CHECK_FALSE(ring.try_push(99));
  CHECK(ring.size() == 8);
  int v = -1;
  REQUIRE(ring.try_pop(v));
  CHECK(v == 0);
  CHECK(ring.try_push(8));
  for (int i = 1; i <= 8; ++i) {
    REQUIRE(ring.try_pop(v));
    CHECK(v == i);
  }
  CHECK_FALSE(ring.try_pop(v));
}

TEST_CASE("SpscRing delivers every element in order across threads", "[pipeline][ring]") {
  constexpr std::uint64_t kCount = 2'000'000;
  SpscRing<std::uint64_t> ring(1024);
  std::atomic<bool> done{false};
  // Watchdog: a lost wake-up or a broken index would hang; fail loudly instead.
  std::thread watchdog([&] {
    for (int i = 0; i < 600 && !done.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!done.load()) {
      std::fprintf(stderr, "SpscRing test hung: size=%zu\n", ring.size());
      std::abort();
    }
  });
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kCount;) {
      if (ring.try_push(i)) ++i;
    }
  });
  std::uint64_t expected = 0;
  bool in_order = true;
  while (expected < kCount) {
    std::uint64_t v;
    if (ring.try_pop(v)) {
      in_order = in_order && (v == expected);
      ++expected;
    }
  }
  producer.join();
  done = true;
  watchdog.join();
  CHECK(in_order);
  CHECK(ring.size() == 0);
}
