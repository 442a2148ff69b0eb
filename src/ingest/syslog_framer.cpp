// SyslogFramer: RFC 6587 framing of a syslog/JSON-lines byte stream. Runs on
// the receive thread (one framer per TCP/TLS connection) and in the fuzzer.
#include "ingest/syslog_framer.hpp"

#include <algorithm>
#include <utility>

namespace opensoc::ingest {
namespace {

// More digits than this cannot be a sane octet count (RFC 6587 MSG-LEN has no
// bound, but 10 digits already exceed any message we would accept).
constexpr std::uint32_t kMaxCountDigits = 10;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_terminator(char c) noexcept { return c == '\n' || c == '\0'; }
// Bytes between frames: the LF some octet-counting senders add anyway, the
// NUL or CR of a previous frame's terminator.
bool is_filler(char c) noexcept { return c == '\n' || c == '\r' || c == '\0'; }

}  // namespace

SyslogFramer::SyslogFramer(TcpFraming framing, std::uint32_t max_message_bytes)
    : framing_(framing), max_(std::max<std::uint32_t>(max_message_bytes, 1)) {}

FramingStatus SyslogFramer::fail(std::string why) {
  state_ = State::failed;
  error_ = std::move(why);
  frame_.clear();
  return FramingStatus::error;
}

void SyslogFramer::emit(std::vector<ReceivedMessage>& out, bool truncated) {
  ReceivedMessage& m = out.emplace_back();
  m.bytes = std::move(frame_);
  m.truncated = truncated;
  frame_.clear();
}

// A line may hold one byte beyond max_ so that a CR before the LF does not
// count as content; cut and flag only what is really longer.
void SyslogFramer::emit_line(std::vector<ReceivedMessage>& out) {
  if (!frame_.empty() && frame_.back() == '\r') frame_.pop_back();
  bool truncated = false;
  if (frame_.size() > max_) {
    frame_.resize(max_);
    truncated = true;
  }
  if (frame_.empty()) return;  // blank lines carry nothing
  emit(out, truncated);
}

FramingStatus SyslogFramer::feed(std::string_view chunk, std::vector<ReceivedMessage>& out) {
  std::size_t i = 0;
  const std::size_t n = chunk.size();
  while (i < n) {
    switch (state_) {
      case State::failed:
        return FramingStatus::error;

      case State::frame_start: {
        const char c = chunk[i];
        if (is_filler(c)) {
          ++i;
          break;
        }
        frame_.clear();
        if (framing_ != TcpFraming::newline && is_digit(c)) {
          state_ = State::count_digits;
          digits_ = 0;
          count_ = 0;
        } else if (framing_ == TcpFraming::octet_counting) {
          return fail("octet count expected");
        } else {
          state_ = State::line;
        }
        break;  // the byte is consumed by the new state
      }

      case State::count_digits: {
        const char c = chunk[i];
        if (is_digit(c) && digits_ < kMaxCountDigits) {
          frame_.push_back(c);
          count_ = count_ * 10 + static_cast<std::uint64_t>(c - '0');
          ++digits_;
          ++i;
        } else if (c == ' ' && digits_ > 0) {
          if (frame_[0] == '0') return fail("octet count is zero or has a leading zero");
          frame_.clear();
          state_ = State::octets;
          ++i;
        } else if (framing_ == TcpFraming::automatic) {
          // Digits not followed by SP: a message that just starts with digits.
          state_ = State::line;
        } else {
          return fail(is_digit(c) ? "octet count too long" : "octet count not followed by SP");
        }
        break;
      }

      case State::octets: {
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(count_, n - i));
        const std::size_t room = max_ - frame_.size();
        frame_.append(chunk.data() + i, std::min(take, room));
        i += take;
        count_ -= take;
        if (take > room || (frame_.size() == max_ && count_ > 0)) {
          // Longer than max_: keep the head, discard what is left of it.
          emit(out, true);
          state_ = count_ == 0 ? State::frame_start : State::octets_discard;
        } else if (count_ == 0) {
          emit(out, false);
          state_ = State::frame_start;
        }
        break;
      }

      case State::octets_discard: {
        const std::size_t skip = static_cast<std::size_t>(std::min<std::uint64_t>(count_, n - i));
        i += skip;
        count_ -= skip;
        if (count_ == 0) state_ = State::frame_start;
        break;
      }

      case State::line: {
        const char* begin = chunk.data() + i;
        const char* end = chunk.data() + n;
        const char* term = std::find_if(begin, end, is_terminator);
        const std::size_t len = static_cast<std::size_t>(term - begin);
        const std::size_t room = max_ + 1 - frame_.size();
        if (len > room) {
          frame_.append(begin, room);
          frame_.resize(max_);
          emit(out, true);
          state_ = State::line_discard;
          i += room;
          break;
        }
        frame_.append(begin, len);
        i += len;
        if (term != end) {
          ++i;
          emit_line(out);
          state_ = State::frame_start;
        }
        break;
      }

      case State::line_discard: {
        const char* begin = chunk.data() + i;
        const char* end = chunk.data() + n;
        const char* term = std::find_if(begin, end, is_terminator);
        i = static_cast<std::size_t>(term - chunk.data());
        if (term != end) {
          ++i;
          state_ = State::frame_start;
        }
        break;
      }
    }
  }
  return state_ == State::failed ? FramingStatus::error : FramingStatus::ok;
}

void SyslogFramer::finish(std::vector<ReceivedMessage>& out) {
  switch (state_) {
    case State::line:
    case State::count_digits:  // "123" then EOF: a line of digits
      emit_line(out);
      break;
    case State::octets:
      if (!frame_.empty()) emit(out, true);
      break;
    default:
      break;
  }
  frame_.clear();
  state_ = state_ == State::failed ? State::failed : State::frame_start;
}

}  // namespace opensoc::ingest
