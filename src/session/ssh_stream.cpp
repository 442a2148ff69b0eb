// SSH on one TCP session: the identification strings of both sides (RFC 4253
// 4.2) and the KEXINIT that follows each (HASSH fingerprints), one SshEvent
// when both sides got that far, or at flow end with what was seen.
#include <string>

#include "proto/ssh_banner.hpp"
#include "proto/ssh_kexinit.hpp"
#include "session/stream_buffer.hpp"
#include "session/stream_handler.hpp"

namespace opensoc::session {
namespace {

// 16 pre-banner lines of 255 bytes, the banner, and a KEXINIT (a few hundred
// bytes to a few KB in practice).
constexpr std::size_t kBannerBuffer = 16384;

class SshStream final : public StreamHandler {
 public:
  explicit SshStream(const StreamHandlerLimits& limits)
      : buf_{StreamBuffer(kBannerBuffer, limits.budget), StreamBuffer(kBannerBuffer, limits.budget)} {}

  void on_data(int direction, std::span<const std::uint8_t> data, EventEmitter& out) override {
    if (done_[direction]) return;
    buf_[direction].append(data);
    const bool client = direction == kToServer;
    if (banner_end_[direction] == 0) {
      proto::SshBanner banner;
      const auto st = proto::parse_ssh_banner(buf_[direction].view(), banner);
      if (st == proto::SshBannerStatus::need_more && !buf_[direction].overflowed()) return;
      if (st != proto::SshBannerStatus::ok) return finish_direction(direction, out);
      seen_ = true;
      (client ? ev_.client_proto : ev_.server_proto).assign(banner.proto_version);
      (client ? ev_.client_software : ev_.server_software).assign(banner.software_version);
      banner_end_[direction] = banner.consumed;
    }
    proto::SshKexinit kex;
    const auto st = proto::parse_ssh_kexinit(buf_[direction].view().subspan(banner_end_[direction]), kex);
    if (st == proto::SshKexinitStatus::need_more && !buf_[direction].overflowed()) return;
    if (st == proto::SshKexinitStatus::ok) {
      const proto::Hassh h = proto::compute_hassh(kex, client);
      (client ? ev_.client_hassh : ev_.server_hassh) = h.md5;
      (client ? ev_.client_hassh_string : ev_.server_hassh_string) = h.text;
    }
    finish_direction(direction, out);
  }

  void on_gap(int direction, std::uint64_t, EventEmitter& out) override {
    done_[direction] = true;
    buf_[direction].release();
    if (done_[0] && done_[1]) emit(out);
  }

  void on_end(EventEmitter& out) override { emit(out); }

  void finish_direction(int direction, EventEmitter& out) {
    done_[direction] = true;
    buf_[direction].release();
    if (done_[0] && done_[1]) emit(out);
  }

  [[nodiscard]] bool done(int direction) const override { return done_[direction]; }

 private:
  void emit(EventEmitter& out) {
    if (emitted_ || !seen_) return;
    emitted_ = true;
    out.emit(std::move(ev_), true, 0);
  }

  StreamBuffer buf_[2];
  bool done_[2] = {false, false};
  std::size_t banner_end_[2] = {0, 0};  // bytes up to the banner's LF, once parsed
  SshEvent ev_;
  bool seen_ = false;
  bool emitted_ = false;
};

}  // namespace

std::unique_ptr<StreamHandler> make_ssh_stream(const StreamHandlerLimits& limits) {
  return std::make_unique<SshStream>(limits);
}

}  // namespace opensoc::session
