// SSH on one TCP session: the identification strings of both sides (RFC 4253
// 4.2), one SshEvent when both were seen, or at flow end with what was.
#include <string>

#include "proto/ssh_banner.hpp"
#include "session/stream_buffer.hpp"
#include "session/stream_handler.hpp"

namespace opensoc::session {
namespace {

constexpr std::size_t kBannerBuffer = 4096;  // 16 pre-banner lines of 255 bytes

class SshStream final : public StreamHandler {
 public:
  explicit SshStream(const StreamHandlerLimits& limits)
      : buf_{StreamBuffer(kBannerBuffer, limits.budget), StreamBuffer(kBannerBuffer, limits.budget)} {}

  void on_data(int direction, std::span<const std::uint8_t> data, EventEmitter& out) override {
    if (done_[direction]) return;
    buf_[direction].append(data);
    proto::SshBanner banner;
    const auto st = proto::parse_ssh_banner(buf_[direction].view(), banner);
    if (st == proto::SshBannerStatus::need_more && !buf_[direction].overflowed()) return;
    done_[direction] = true;
    if (st == proto::SshBannerStatus::ok) {
      seen_ = true;
      std::string& proto_version = direction == kToServer ? ev_.client_proto : ev_.server_proto;
      std::string& software = direction == kToServer ? ev_.client_software : ev_.server_software;
      proto_version.assign(banner.proto_version);
      software.assign(banner.software_version);
    }
    buf_[direction].release();
    if (done_[0] && done_[1]) emit(out);
  }

  void on_gap(int direction, std::uint64_t, EventEmitter& out) override {
    done_[direction] = true;
    buf_[direction].release();
    if (done_[0] && done_[1]) emit(out);
  }

  void on_end(EventEmitter& out) override { emit(out); }

  [[nodiscard]] bool done(int direction) const override { return done_[direction]; }

 private:
  void emit(EventEmitter& out) {
    if (emitted_ || !seen_) return;
    emitted_ = true;
    out.emit(std::move(ev_), true, 0);
  }

  StreamBuffer buf_[2];
  bool done_[2] = {false, false};
  SshEvent ev_;
  bool seen_ = false;
  bool emitted_ = false;
};

}  // namespace

std::unique_ptr<StreamHandler> make_ssh_stream(const StreamHandlerLimits& limits) {
  return std::make_unique<SshStream>(limits);
}

}  // namespace opensoc::session
