// libFuzzer entry point for parse_ssh_banner. Besides "no crash, no sanitizer
// report", it checks what callers rely on: every view inside the input, the
// consumed count within it and ending on a LF, and the split fields being
// pieces of the line.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "proto/ssh_banner.hpp"

namespace {
bool inside(const std::vector<std::uint8_t>& in, std::string_view v) {
  if (v.empty()) return true;
  const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
  return p >= in.data() && p + v.size() <= in.data() + in.size();
}
void check(bool condition) {
  if (!condition) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::proto;
  // An exactly sized copy: the harness must not hide over-reads behind the
  // caller's buffer.
  const std::vector<std::uint8_t> stream(data, data + size);
  SshBanner b;
  const SshBannerStatus st = parse_ssh_banner(stream, b);
  check(to_string(st) != "unknown");
  if (st != SshBannerStatus::ok) return 0;
  check(b.consumed >= 1 && b.consumed <= stream.size() && stream[b.consumed - 1] == '\n');
  check(b.pre_banner_lines <= kSshMaxPreBannerLines);
  check(b.line.size() < kSshMaxLineBytes && b.line.starts_with("SSH-"));
  check(!b.proto_version.empty());
  for (const auto v : {b.line, b.proto_version, b.software_version, b.comments}) check(inside(stream, v));
  return 0;
}
