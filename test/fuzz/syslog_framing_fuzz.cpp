// Fuzzes SyslogFramer, the RFC 6587 splitter of TCP/TLS syslog streams. The
// first three input bytes choose the framing mode, max_message_bytes and the
// chunking; the rest is the stream. The stream is framed twice, fed whole
// and fed in pseudo-random chunks, and both must give the same frames and the
// same outcome: a TCP read can split the stream anywhere. Invariants: no
// frame exceeds the maximum, a line frame carries no terminator and is never
// empty, and a failed framer stays failed.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/syslog_framer.hpp"

namespace {

using namespace opensoc::ingest;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Outcome {
  std::vector<ReceivedMessage> frames;
  bool failed = false;
};

Outcome run(TcpFraming mode, std::uint32_t max, std::string_view stream, std::uint32_t chunk_seed) {
  SyslogFramer f(mode, max);
  Outcome o;
  std::uint32_t state = chunk_seed * 2654435761u + 1;
  std::size_t i = 0;
  while (i < stream.size()) {
    std::size_t len = stream.size() - i;
    if (chunk_seed != 0) {
      state = state * 1103515245u + 12345u;
      len = std::min<std::size_t>(len, 1 + (state >> 16) % 97);
    }
    if (f.feed(stream.substr(i, len), o.frames) == FramingStatus::error) {
      check(!f.error().empty());
      o.failed = true;
    } else {
      check(!o.failed);  // once failed, always failed
    }
    i += len;
  }
  if (!o.failed) {
    f.finish(o.frames);
    const std::size_t n = o.frames.size();
    f.finish(o.frames);  // nothing left in progress
    check(o.frames.size() == n);
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const auto mode = static_cast<TcpFraming>(data[0] % 3);
  const std::uint32_t max = data[1] < 200 ? 1u + data[1] : 65536u;
  const std::uint32_t seed = data[2];
  const std::string_view stream(reinterpret_cast<const char*>(data + 3), size - 3);

  const Outcome whole = run(mode, max, stream, 0);
  const Outcome split = run(mode, max, stream, seed + 1);
  check(whole.failed == split.failed);
  check(whole.frames.size() == split.frames.size());
  std::size_t total = 0;
  for (std::size_t i = 0; i < whole.frames.size(); ++i) {
    const ReceivedMessage& a = whole.frames[i];
    const ReceivedMessage& b = split.frames[i];
    check(a.bytes == b.bytes);
    check(a.truncated == b.truncated);
    check(a.bytes.size() <= max);
    if (mode == TcpFraming::newline) {
      check(!a.bytes.empty());
      check(a.bytes.find('\n') == std::string::npos);
      check(a.bytes.find('\0') == std::string::npos);
    }
    total += a.bytes.size();
  }
  check(total <= stream.size());
  return 0;
}
