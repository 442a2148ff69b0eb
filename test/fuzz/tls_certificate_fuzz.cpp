// libFuzzer entry point for the TLS server-certificate locator and the X.509
// summary. The input is the server's stream, with a scratch buffer whose size
// the first byte picks (so the "leaf spans records, does not fit" path is
// reached too). It checks that the leaf view lies inside the stream or the
// scratch buffer, then summarises the leaf, and the raw input as DER as well
// (the summary's own DER walk for the serial sees hostile bytes that way).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "proto/tls_certificate.hpp"

namespace {
bool inside(std::span<const std::uint8_t> v, const std::vector<std::uint8_t>& buf) {
  return !buf.empty() && v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size();
}
void check(bool condition) {
  if (!condition) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::proto;
  if (size == 0) return 0;
  const std::size_t scratch_size = data[0] < 128 ? data[0] * 16u : kTlsCertificateScratchBytes;
  // Exactly sized copies: the harness must not hide over-reads behind the
  // caller's buffer.
  const std::vector<std::uint8_t> stream(data + 1, data + size);
  std::vector<std::uint8_t> scratch(scratch_size);
  std::span<const std::uint8_t> leaf;
  const TlsCertificateStatus st = find_tls_certificate_message(stream, scratch, leaf);
  check(to_string(st) != "unknown");
  if (st == TlsCertificateStatus::ok) {
    check(!leaf.empty());
    check(inside(leaf, stream) || inside(leaf, scratch));
    if (const auto summary = summarize_certificate(leaf)) {
      check(summary->fingerprint_sha1.size() == 59);
    }
  } else {
    check(leaf.empty());
  }
  (void)summarize_certificate(stream);
  return 0;
}
