// SSH identification-string parser (see ssh_banner.hpp). Runs on whichever
// thread calls it; no state, no allocation.
#include "proto/ssh_banner.hpp"

#include <algorithm>

namespace opensoc::proto {

std::string_view to_string(SshBannerStatus status) noexcept {
  switch (status) {
    case SshBannerStatus::ok: return "ok";
    case SshBannerStatus::need_more: return "need_more";
    case SshBannerStatus::line_too_long: return "line_too_long";
    case SshBannerStatus::too_many_lines: return "too_many_lines";
    case SshBannerStatus::malformed: return "malformed";
  }
  return "unknown";
}

SshBannerStatus parse_ssh_banner(std::span<const std::uint8_t> stream, SshBanner& out) noexcept {
  out = SshBanner{};
  const std::string_view text(reinterpret_cast<const char*>(stream.data()), stream.size());
  std::size_t pos = 0;
  std::size_t skipped = 0;
  for (;;) {
    const std::string_view rest = text.substr(pos);
    // The bound covers CR LF, so the LF must be among the first 255 bytes.
    const std::size_t window = std::min(rest.size(), kSshMaxLineBytes);
    const std::size_t lf = rest.substr(0, window).find('\n');
    if (lf == std::string_view::npos) {
      return rest.size() >= kSshMaxLineBytes ? SshBannerStatus::line_too_long : SshBannerStatus::need_more;
    }
    std::string_view line = rest.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t line_end = pos + lf + 1;
    if (!line.starts_with("SSH-")) {
      // RFC 4253 4.2: a server may send other lines first; clients may not,
      // but accepting them costs nothing.
      if (++skipped > kSshMaxPreBannerLines) return SshBannerStatus::too_many_lines;
      pos = line_end;
      continue;
    }
    const std::string_view body = line.substr(4);
    const std::size_t dash = body.find('-');
    if (dash == std::string_view::npos || dash == 0) return SshBannerStatus::malformed;
    const std::string_view after = body.substr(dash + 1);
    const std::size_t space = after.find(' ');
    out.line = line;
    out.proto_version = body.substr(0, dash);
    out.software_version = after.substr(0, space);
    out.comments = space == std::string_view::npos ? std::string_view{} : after.substr(space + 1);
    out.consumed = line_end;
    out.pre_banner_lines = static_cast<std::uint8_t>(skipped);
    return SshBannerStatus::ok;
  }
}

}  // namespace opensoc::proto
