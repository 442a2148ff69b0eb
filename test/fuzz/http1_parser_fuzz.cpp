// libFuzzer entry point for proto::Http1Parser. Input: byte 0 picks the
// direction (bit 0), small limits (bit 1) and the feed piece size (bits 2-7,
// 1..64); byte 1 is the request methods queued for a response parser (bit
// set = HEAD, else GET; bit 7 = CONNECT first); the rest is the stream.
// Besides "no crash, no sanitizer report" it checks that the events do not
// depend on how the stream is split, that events come in order, and that a
// Content-Length body never overruns its length.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "proto/http1_parser.hpp"

namespace {

using namespace opensoc::proto;

// Folds every event into one hash, and checks event order as it goes.
struct HashingSink : Http1Sink {
  std::uint64_t h = 1469598103934665603ull;
  bool in_message = false;
  std::uint64_t length = 0;
  bool has_length = false;
  std::uint64_t body = 0;

  void mix(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  void mix(std::string_view s) {
    const std::size_t n = s.size();
    mix(&n, sizeof n);
    mix(s.data(), s.size());
  }
  void on_head(const Http1Head& head) override {
    if (in_message) __builtin_trap();
    in_message = true;
    has_length = head.has_content_length;
    length = head.content_length;
    body = 0;
    for (const auto s : {head.version, head.method, head.target, head.path, head.query, head.host, head.user_agent,
                         head.referer, head.reason, head.content_type, head.transfer_encoding}) {
      mix(s);
    }
    mix(&head.status_code, sizeof head.status_code);
    mix(&head.content_length, sizeof head.content_length);
    mix(&head.header_count, sizeof head.header_count);
    const std::uint8_t flags = static_cast<std::uint8_t>(head.has_content_length | head.chunked << 1);
    mix(&flags, 1);
  }
  void on_body(std::span<const std::uint8_t> data) override {
    if (!in_message || data.empty()) __builtin_trap();
    body += data.size();
    mix(data.data(), data.size());
  }
  void on_message_end(const Http1MessageEnd& end) override {
    if (!in_message) __builtin_trap();
    in_message = false;
    if (end.body_bytes != body) __builtin_trap();
    if (end.body_kind == Http1BodyKind::content_length && (!has_length || body > length)) __builtin_trap();
    if (end.body_kind == Http1BodyKind::content_length && end.complete && body != length) __builtin_trap();
    mix(&end.body_bytes, sizeof end.body_bytes);
    mix(&end.chunk_count, sizeof end.chunk_count);
    mix(&end.trailer_count, sizeof end.trailer_count);
    const std::uint8_t flags = static_cast<std::uint8_t>(static_cast<unsigned>(end.body_kind) | end.complete << 4);
    mix(&flags, 1);
  }
};

struct Outcome {
  std::uint64_t hash;
  Http1Status status;
  std::uint64_t body_bytes;
};

Outcome run(Http1Direction dir, Http1Limits limits, std::uint8_t methods, const std::uint8_t* data, std::size_t size,
            std::size_t piece) {
  Http1Parser p(dir, limits);
  if (methods & 0x80) p.note_request_method("CONNECT");
  for (int i = 0; i < 7; ++i) p.note_request_method((methods >> i) & 1 ? "HEAD" : "GET");
  HashingSink sink;
  for (std::size_t off = 0; off < size; off += piece) {
    const std::size_t n = size - off < piece ? size - off : piece;
    // An exactly sized copy, so an over-read is not hidden by the caller's buffer.
    const std::vector<std::uint8_t> chunk(data + off, data + off + n);
    const Http1Status s = p.feed(chunk, sink);
    if (s != p.status()) __builtin_trap();
  }
  p.finish(sink);
  if (sink.in_message && !p.gave_up()) __builtin_trap();
  if (p.counters().body_bytes > size) __builtin_trap();
  return {sink.h, p.status(), p.counters().body_bytes};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const Http1Direction dir = (data[0] & 1) != 0 ? Http1Direction::response : Http1Direction::request;
  const Http1Limits limits = (data[0] & 2) != 0 ? Http1Limits{96, 4} : Http1Limits{};
  const std::size_t piece = static_cast<std::size_t>(data[0] >> 2) + 1;
  const std::uint8_t methods = data[1];
  const Outcome whole = run(dir, limits, methods, data + 2, size - 2, size);
  const Outcome split = run(dir, limits, methods, data + 2, size - 2, piece);
  if (whole.hash != split.hash || whole.status != split.status || whole.body_bytes != split.body_bytes) {
    __builtin_trap();
  }
  return 0;
}
