#include "ingest/syslog_framer.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using opensoc::ingest::FramingStatus;
using opensoc::ingest::ReceivedMessage;
using opensoc::ingest::SyslogFramer;
using opensoc::ingest::TcpFraming;

namespace {

struct Framed {
  std::vector<std::pair<std::string, bool>> frames;  // bytes, truncated
  bool failed = false;
};

// Feeds `stream` in chunks of `chunk` bytes (0: all at once), then finishes
// when `eof` and no error.
Framed frame(TcpFraming mode, std::uint32_t max, const std::string& stream, std::size_t chunk = 0, bool eof = false) {
  SyslogFramer f(mode, max);
  std::vector<ReceivedMessage> out;
  Framed r;
  const std::size_t step = chunk == 0 ? std::max<std::size_t>(stream.size(), 1) : chunk;
  for (std::size_t i = 0; i < stream.size(); i += step) {
    if (f.feed(std::string_view(stream).substr(i, step), out) == FramingStatus::error) r.failed = true;
  }
  if (eof && !r.failed) f.finish(out);
  for (auto& m : out) r.frames.emplace_back(m.bytes, m.truncated);
  return r;
}

// The same stream split at every position into two chunks, and fed a byte
// at a time, must frame exactly as when fed whole.
void check_split_invariant(TcpFraming mode, std::uint32_t max, const std::string& stream, bool eof = false) {
  const Framed whole = frame(mode, max, stream, 0, eof);
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    SyslogFramer f(mode, max);
    std::vector<ReceivedMessage> out;
    bool failed = f.feed(std::string_view(stream).substr(0, cut), out) == FramingStatus::error;
    failed = (f.feed(std::string_view(stream).substr(cut), out) == FramingStatus::error) || failed;
    if (eof && !failed) f.finish(out);
    Framed split;
    split.failed = failed;
    for (auto& m : out) split.frames.emplace_back(m.bytes, m.truncated);
    INFO("cut at " << cut);
    CHECK(split.frames == whole.frames);
    CHECK(split.failed == whole.failed);
  }
  const Framed bytewise = frame(mode, max, stream, 1, eof);
  CHECK(bytewise.frames == whole.frames);
  CHECK(bytewise.failed == whole.failed);
}

using F = std::vector<std::pair<std::string, bool>>;

}  // namespace

TEST_CASE("SyslogFramer splits octet-counted frames exactly, whatever the chunking", "[ingest][framer]") {
  const std::string stream = "11 <13>1 hello5 world12 with\nnewline";
  const Framed r = frame(TcpFraming::octet_counting, 1024, stream);
  CHECK_FALSE(r.failed);
  CHECK(r.frames == F{{"<13>1 hello", false}, {"world", false}, {"with\nnewline", false}});
  check_split_invariant(TcpFraming::octet_counting, 1024, stream);
  check_split_invariant(TcpFraming::automatic, 1024, stream);
}

TEST_CASE("SyslogFramer ends newline frames at LF, CRLF and NUL and skips blank lines", "[ingest][framer]") {
  const std::string stream = std::string("<13>a\n<13>b\r\n\n\r\n<13>c") + '\0' + "<13>d\n";
  const Framed r = frame(TcpFraming::newline, 1024, stream);
  CHECK_FALSE(r.failed);
  CHECK(r.frames == F{{"<13>a", false}, {"<13>b", false}, {"<13>c", false}, {"<13>d", false}});
  check_split_invariant(TcpFraming::newline, 1024, stream);
}

TEST_CASE("SyslogFramer in automatic mode decides the framing per frame", "[ingest][framer]") {
  // An octet-counted frame, a line, a line starting with digits (no SP after
  // them), and an octet-counted frame after the LF some senders add.
  const std::string stream = "5 <1>ab<2>line\n2024-01-01 x\n123\n3 xyz\n4 tail";
  const Framed r = frame(TcpFraming::automatic, 1024, stream);
  CHECK_FALSE(r.failed);
  CHECK(r.frames == F{{"<1>ab", false}, {"<2>line", false}, {"2024-01-01 x", false}, {"123", false}, {"xyz", false},
                      {"tail", false}});
  check_split_invariant(TcpFraming::automatic, 1024, stream);
}

TEST_CASE("SyslogFramer with newline framing keeps a leading digit run in the message", "[ingest][framer]") {
  const Framed r = frame(TcpFraming::newline, 1024, "12 {\"a\":1}\n");
  CHECK(r.frames == F{{"12 {\"a\":1}", false}});
}

TEST_CASE("SyslogFramer cuts frames at max_message_bytes and discards the rest of them", "[ingest][framer]") {
  SECTION("octet counting") {
    const std::string stream = "12 0123456789ab3 xyz10 0123456789";
    const Framed r = frame(TcpFraming::octet_counting, 10, stream);
    CHECK_FALSE(r.failed);
    CHECK(r.frames == F{{"0123456789", true}, {"xyz", false}, {"0123456789", false}});
    check_split_invariant(TcpFraming::octet_counting, 10, stream);
  }
  SECTION("a count far beyond the maximum is read and discarded") {
    const std::string body(5000, 'x');
    const std::string stream = "5000 " + body + "2 ok";
    const Framed r = frame(TcpFraming::automatic, 8, stream, 333);
    CHECK(r.frames == F{{"xxxxxxxx", true}, {"ok", false}});
  }
  SECTION("newline") {
    const std::string stream = "0123456789abc\n0123456789\r\nshort\n0123456789\rX\n";
    const Framed r = frame(TcpFraming::newline, 10, stream);
    CHECK_FALSE(r.failed);
    // A line of exactly the maximum followed by CRLF is not cut.
    CHECK(r.frames == F{{"0123456789", true}, {"0123456789", false}, {"short", false}, {"0123456789", true}});
    check_split_invariant(TcpFraming::newline, 10, stream);
  }
}

TEST_CASE("SyslogFramer rejects bad octet counts and stays failed", "[ingest][framer]") {
  struct Case {
    TcpFraming mode;
    std::string stream;
    std::size_t frames_before;
  };
  const std::vector<Case> cases = {
      {TcpFraming::octet_counting, "3 abc<13>no count", 1},
      {TcpFraming::octet_counting, "3 abc12x", 1},
      {TcpFraming::octet_counting, "0 ", 0},
      {TcpFraming::octet_counting, "007 abcdefg", 0},
      {TcpFraming::octet_counting, "12345678901 x", 0},
      {TcpFraming::automatic, "3 abc0 ", 1},
      {TcpFraming::automatic, "05 hello", 0},
  };
  for (const auto& c : cases) {
    INFO(c.stream);
    SyslogFramer f(c.mode, 100);
    std::vector<ReceivedMessage> out;
    CHECK(f.feed(c.stream, out) == FramingStatus::error);
    CHECK(out.size() == c.frames_before);
    CHECK_FALSE(f.error().empty());
    CHECK(f.feed("3 abc", out) == FramingStatus::error);
    CHECK(out.size() == c.frames_before);
    check_split_invariant(c.mode, 100, c.stream);
  }
}

TEST_CASE("SyslogFramer delivers the frame in progress when the peer closes", "[ingest][framer]") {
  CHECK(frame(TcpFraming::newline, 100, "<13>a\n<13>partial", 0, true).frames ==
        F{{"<13>a", false}, {"<13>partial", false}});
  CHECK(frame(TcpFraming::automatic, 100, "<13>partial\r", 0, true).frames == F{{"<13>partial", false}});
  CHECK(frame(TcpFraming::automatic, 100, "42", 0, true).frames == F{{"42", false}});
  // An octet-counted frame cut short is kept, flagged.
  CHECK(frame(TcpFraming::octet_counting, 100, "10 abc", 0, true).frames == F{{"abc", true}});
  CHECK(frame(TcpFraming::octet_counting, 100, "10 ", 0, true).frames.empty());
  check_split_invariant(TcpFraming::newline, 100, "<13>a\n<13>partial", true);
}
