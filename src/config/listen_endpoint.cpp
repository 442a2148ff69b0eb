#include "config/listen_endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "config/config_error_list.hpp"
#include "config/scalar_parsers.hpp"

namespace opensoc::config {
namespace {

constexpr std::string_view kShape = "ADDR:PORT with a numeric IPv4 address or a bracketed IPv6 address "
                                    "(e.g. 127.0.0.1:8080 or [::1]:8080)";

Error expected(std::string_view what, std::string_view got) {
  return Error{"expected " + std::string(what) + ", got " + quoted(got)};
}

bool is_address(int family, const std::string& text) {
  // inet_pton stops at a NUL, which would accept "1.2.3.4\0junk".
  if (text.find('\0') != std::string::npos) return false;
  in6_addr buffer{};  // large enough for either family
  return inet_pton(family, text.c_str(), &buffer) == 1;
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text, bool allow_any_port) {
  std::string host;
  std::string_view after_host;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return expected("']' closing the IPv6 address in " + std::string(kShape), text);
    host = std::string(text.substr(1, close - 1));
    if (!is_address(AF_INET6, host)) return expected("an IPv6 address inside [ ]", host);
    after_host = text.substr(close + 1);
    if (after_host.empty() || after_host.front() != ':') return expected("':PORT' after the IPv6 address", text);
  } else {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return expected(kShape, text);
    if (text.find(':', colon + 1) != std::string_view::npos) {
      return expected("an IPv6 address in brackets, e.g. [::1]:8080", text);
    }
    host = std::string(text.substr(0, colon));
    if (!is_address(AF_INET, host)) {
      return expected("a numeric IPv4 address or a bracketed IPv6 address (host names are not resolved)", host);
    }
    after_host = text.substr(colon);
  }
  const std::string_view port_text = after_host.substr(1);
  const auto port = parse_decimal(port_text);
  const unsigned long long lowest = allow_any_port ? 0 : 1;
  if (!port || *port < lowest || *port > 65535) {
    return expected(allow_any_port ? "a port between 0 (any free port) and 65535" : "a port between 1 and 65535",
                    port_text);
  }
  return std::pair{std::move(host), static_cast<std::uint16_t>(*port)};
}

}  // namespace opensoc::config
