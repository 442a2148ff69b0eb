#pragma once
// SyslogFramer: splits a TCP/TLS byte stream into messages, RFC 6587 octet
// counting ("<len> <msg>") or non-transparent framing (a message ends at LF;
// NUL and CRLF are accepted too, because senders in the wild use them).
// A pure state machine over byte chunks: it owns no socket and knows nothing
// of how the chunks were split, so it is fed by the connection and by the
// fuzzer alike. One instance per connection; not thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/received_message.hpp"
#include "ingest/receivers_config.hpp"

namespace opensoc::ingest {

enum class FramingStatus : std::uint8_t { ok, error };

class SyslogFramer {
 public:
  /// `max_message_bytes` (at least 1) bounds every frame: longer ones are cut
  /// there, flagged truncated and the rest of them discarded.
  SyslogFramer(TcpFraming framing, std::uint32_t max_message_bytes);

  /// Appends every frame that `chunk` completes to `out` (only `bytes` and
  /// `truncated` are set). On error (a bad octet count) the frames before it
  /// are still appended, error() says why, and every later call fails: the
  /// stream can no longer be split, so the connection must be closed.
  FramingStatus feed(std::string_view chunk, std::vector<ReceivedMessage>& out);

  /// The peer closed: appends the frame in progress, if any. A line without
  /// its LF is complete as far as the sender is concerned (rsyslog delivers it
  /// too); an octet-counted frame cut short is delivered flagged truncated.
  void finish(std::vector<ReceivedMessage>& out);

  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  enum class State : std::uint8_t { frame_start, count_digits, octets, octets_discard, line, line_discard, failed };

  FramingStatus fail(std::string why);
  void emit(std::vector<ReceivedMessage>& out, bool truncated);
  void emit_line(std::vector<ReceivedMessage>& out);

  TcpFraming framing_;
  std::uint32_t max_;
  State state_ = State::frame_start;
  std::string frame_;
  std::uint64_t count_ = 0;  // octets still to come (octets, octets_discard) or being parsed
  std::uint32_t digits_ = 0;
  std::string error_;
};

}  // namespace opensoc::ingest
