#include "ingest/message_queue.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using opensoc::ingest::MessageQueue;
using opensoc::ingest::ReceivedMessage;

namespace {

std::vector<ReceivedMessage> batch_of(int first, int n) {
  std::vector<ReceivedMessage> b;
  for (int i = first; i < first + n; ++i) b.push_back(ReceivedMessage{.bytes = "m" + std::to_string(i)});
  return b;
}

}  // namespace

TEST_CASE("MessageQueue try_push takes what fits from the front and leaves the rest", "[ingest][queue]") {
  MessageQueue q(3);
  auto b = batch_of(0, 5);
  CHECK(q.try_push(b) == 3);
  REQUIRE(b.size() == 2);
  CHECK(b[0].bytes == "m3");
  CHECK(b[1].bytes == "m4");
  CHECK(q.try_push(b) == 0);
  CHECK(b.size() == 2);
  CHECK(q.size() == 3);
  CHECK(q.high_water() == 3);

  std::vector<ReceivedMessage> out;
  CHECK(q.pop(out, 2, 0) == 2);
  CHECK(out[0].bytes == "m0");
  CHECK(out[1].bytes == "m1");
  CHECK(q.try_push(b) == 2);
  CHECK(b.empty());
  CHECK(q.pop(out, 10, 0) == 3);
  REQUIRE(out.size() == 5);
  CHECK(out[2].bytes == "m2");
  CHECK(out[3].bytes == "m3");
  CHECK(out[4].bytes == "m4");
  CHECK(q.size() == 0);
  CHECK(q.high_water() == 3);
}

TEST_CASE("MessageQueue pop waits for the first message, and only up to its timeout", "[ingest][queue]") {
  MessageQueue q(4);
  std::vector<ReceivedMessage> out;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(q.pop(out, 4, 50) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(45));

  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    auto b = batch_of(7, 1);
    CHECK(q.try_push(b) == 1);
  });
  CHECK(q.pop(out, 4, 5000) == 1);
  producer.join();
  REQUIRE(out.size() == 1);
  CHECK(out[0].bytes == "m7");
}

TEST_CASE("MessageQueue push_wait blocks until the consumer makes room, or times out", "[ingest][queue]") {
  MessageQueue q(2);
  auto b = batch_of(0, 5);
  CHECK_FALSE(q.push_wait(b, 30));
  CHECK(b.size() == 3);

  std::thread consumer([&] {
    std::vector<ReceivedMessage> out;
    while (out.size() < 5) q.pop(out, 1, 1000);
    for (int i = 0; i < 5; ++i) CHECK(out[static_cast<std::size_t>(i)].bytes == "m" + std::to_string(i));
  });
  CHECK(q.push_wait(b, 5000));
  CHECK(b.empty());
  consumer.join();
  CHECK(q.size() == 0);
}

TEST_CASE("MessageQueue close wakes the consumer, refuses pushes and keeps what it holds", "[ingest][queue]") {
  MessageQueue q(4);
  auto b = batch_of(0, 2);
  REQUIRE(q.try_push(b) == 2);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    q.close();
  });
  std::vector<ReceivedMessage> out;
  CHECK(q.pop(out, 2, 5000) == 2);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(q.pop(out, 2, 5000) == 0);  // woken by close, not by the timeout
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
  closer.join();
  auto more = batch_of(2, 1);
  CHECK(q.try_push(more) == 0);
  CHECK_FALSE(q.push_wait(more, 10));
  CHECK(more.size() == 1);
}

TEST_CASE("MessageQueue delivers every message of concurrent producers exactly once", "[ingest][queue]") {
  MessageQueue q(16);
  constexpr int kPerProducer = 5000;
  auto produce = [&](int base) {
    for (int i = 0; i < kPerProducer; i += 10) {
      auto b = batch_of(base + i, 10);
      while (!b.empty()) {
        if (q.try_push(b) == 0) std::this_thread::yield();
      }
    }
  };
  std::thread p1(produce, 0);
  std::thread p2(produce, 1'000'000);
  std::vector<ReceivedMessage> out;
  while (out.size() < 2 * kPerProducer && q.pop(out, 7, 2000) > 0) {
  }
  p1.join();
  p2.join();
  REQUIRE(out.size() == 2 * kPerProducer);
  // Each producer's messages in its own order.
  int next1 = 0;
  int next2 = 1'000'000;
  for (const auto& m : out) {
    const int v = std::stoi(m.bytes.substr(1));
    if (v < 1'000'000) {
      CHECK(v == next1++);
    } else {
      CHECK(v == next2++);
    }
  }
  CHECK(q.high_water() <= 16);
}
