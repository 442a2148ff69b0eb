// Fuzzes request-target parsing and routing: the first thing the API does
// with bytes from the network.
#include <cstdint>
#include <string>

#include "api/http_types.hpp"
#include "api/router.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  static const api::Router router(api::ApiServices{[] { return StatsSnapshot{}; }});
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto nl = input.find('\n');
  api::Request r;
  r.method = nl == std::string::npos ? "GET" : input.substr(0, nl);
  r.target = nl == std::string::npos ? input : input.substr(nl + 1);
  std::string error;
  if (api::parse_target(r.target, r, error)) {
    const api::Response resp = router.handle(r);
    if (resp.status < 200 || resp.status > 599) __builtin_trap();
  }
  return 0;
}
