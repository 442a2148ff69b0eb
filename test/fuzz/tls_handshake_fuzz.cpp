// libFuzzer entry point for the TLS hello parser. The input is one stream
// direction, parsed both as a ClientHello and as a ServerHello, with a scratch
// buffer whose size the first byte picks (so the "spans records, does not fit"
// path is reached too). Besides "no crash, no sanitizer report", it checks
// that every view the parser returns lies inside the stream or the scratch
// buffer, and that the fingerprints have their fixed shapes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "proto/tls_handshake.hpp"

namespace {

bool inside(std::string_view v, const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  if (v.empty()) return true;
  const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
  auto within = [&](const std::vector<std::uint8_t>& buf) {
    return !buf.empty() && p >= buf.data() && p + v.size() <= buf.data() + buf.size();
  };
  return within(a) || within(b);
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t scratch_size = data[0] == 0 ? 0 : (data[0] < 128 ? data[0] * 8u : opensoc::proto::kTlsScratchBytes);
  // Exactly sized copies: the harness must not hide over-reads behind the
  // caller's buffer.
  const std::vector<std::uint8_t> stream(data + 1, data + size);
  std::vector<std::uint8_t> scratch(scratch_size);

  opensoc::proto::TlsClientHello client;
  if (opensoc::proto::parse_tls_client_hello(stream, scratch, client) == opensoc::proto::TlsParseStatus::ok) {
    check(inside(client.server_name, stream, scratch));
    for (const auto alpn : client.alpn.view()) check(inside(alpn, stream, scratch));
    const auto ja3 = opensoc::proto::compute_ja3(client);
    check(ja3.text().size() <= ja3.text_buffer.size());
    check(ja3.md5().size() == 32);
    const auto ja4 = opensoc::proto::compute_ja4(client);
    check(ja4.text()[10] == '_' && ja4.text()[23] == '_');
  }
  opensoc::proto::TlsServerHello server;
  if (opensoc::proto::parse_tls_server_hello(stream, scratch, server) == opensoc::proto::TlsParseStatus::ok) {
    check(inside(server.alpn, stream, scratch));
    check(opensoc::proto::compute_ja3s(server).md5().size() == 32);
  }
  return 0;
}
