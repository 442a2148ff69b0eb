// DNS over TCP on one session: each direction is a sequence of length-
// prefixed messages (RFC 1035 4.2.2); every message is one DnsEvent.
#include <memory>

#include "proto/dns_parser.hpp"
#include "session/dns_event_builder.hpp"
#include "session/stream_buffer.hpp"
#include "session/stream_handler.hpp"

namespace opensoc::session {
namespace {

class DnsTcpStream final : public StreamHandler {
 public:
  explicit DnsTcpStream(const StreamHandlerLimits& limits)
      : buf_{StreamBuffer(limits.buffer_bytes, limits.budget), StreamBuffer(limits.buffer_bytes, limits.budget)},
        message_(std::make_unique<proto::DnsMessage>()) {}

  void on_data(int direction, std::span<const std::uint8_t> data, EventEmitter& out) override {
    if (done_[direction]) return;
    buf_[direction].append(data);
    std::size_t used = 0;
    for (;;) {
      const auto frame = proto::frame_dns_tcp(buf_[direction].view().subspan(used));
      if (!frame.complete) break;
      const auto st = proto::parse_dns(frame.message, *message_);
      if (st == proto::DnsParseStatus::ok || message_->question_count > 0) {
        DnsEvent ev = make_dns_event(*message_, st);
        const std::uint32_t tx = next_tx_++;
        out.emit(std::move(ev), direction == kToServer, tx);
      }
      used += frame.consumed;
    }
    buf_[direction].consume(used);
    if (buf_[direction].full()) {  // a frame larger than the buffer: cannot follow this direction
      done_[direction] = true;
      buf_[direction].release();
    }
  }

  void on_gap(int direction, std::uint64_t, EventEmitter&) override {
    // Frame boundaries are lost with the hole.
    done_[direction] = true;
    buf_[direction].release();
  }

  void on_end(EventEmitter&) override {}

  [[nodiscard]] bool done(int direction) const override { return done_[direction]; }

 private:
  StreamBuffer buf_[2];
  std::unique_ptr<proto::DnsMessage> message_;  // ~50 KB: not on the stack, once per session
  std::uint32_t next_tx_ = 0;  // one transaction per message
  bool done_[2] = {false, false};
};

}  // namespace

std::unique_ptr<StreamHandler> make_dns_tcp_stream(const StreamHandlerLimits& limits) {
  return std::make_unique<DnsTcpStream>(limits);
}

}  // namespace opensoc::session
