#pragma once
// SSH identification-string ("banner") parser, RFC 4253 section 4.2.
//
// Input is the start of one direction of an SSH TCP stream (the reassembled
// prefix). Output is views into those bytes: the caller keeps the stream alive
// while it uses them. Stateless and reentrant: any thread may call it, it
// never blocks, allocates or throws.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace opensoc::proto {

/// Longest identification line, CR LF included (RFC 4253 4.2), and the
/// same bound for each line a server may send before it.
inline constexpr std::size_t kSshMaxLineBytes = 255;
/// Lines without "SSH-" accepted before the identification line.
inline constexpr std::size_t kSshMaxPreBannerLines = 16;

enum class SshBannerStatus : std::uint8_t {
  ok,
  need_more,       ///< no complete identification line yet: call again with more bytes
  line_too_long,   ///< a line (banner or pre-banner) runs past kSshMaxLineBytes without LF
  too_many_lines,  ///< more than kSshMaxPreBannerLines lines before the "SSH-" line
  malformed,       ///< "SSH-" line without "-" after the protocol version, or an empty version
};

[[nodiscard]] std::string_view to_string(SshBannerStatus status) noexcept;

/// The identification line "SSH-protoversion-softwareversion SP comments".
/// Views point into the stream passed to parse_ssh_banner. Meaningful only
/// when the status is ok.
struct SshBanner {
  std::string_view line;              ///< the whole line, CR LF stripped (tshark's ssh.protocol)
  std::string_view proto_version;     ///< "2.0", "1.99"
  std::string_view software_version;  ///< "OpenSSH_8.9p1" (may be empty)
  std::string_view comments;          ///< after the first space, "" when absent
  std::size_t consumed = 0;           ///< bytes up to and including the line's LF
  std::uint8_t pre_banner_lines = 0;  ///< non-"SSH-" lines skipped before it
};

/// Finds and splits the identification line at the start of `stream`. A bare
/// LF ends a line too (some old implementations omit the CR).
[[nodiscard]] SshBannerStatus parse_ssh_banner(std::span<const std::uint8_t> stream, SshBanner& out) noexcept;

}  // namespace opensoc::proto
