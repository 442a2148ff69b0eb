#pragma once
/// parse_listen: the "ADDR:PORT" syntax of http.listen and of --listen.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "opensoc/core/result.hpp"

namespace opensoc::config {

/// Parses "ADDR:PORT" where ADDR is a numeric IPv4 address ("127.0.0.1:8080")
/// or an IPv6 address in brackets ("[::1]:8080"); PORT is 1..65535. Host names
/// are refused: the daemon binds before any resolver is trustworthy, and a
/// name could silently resolve to a wider interface than intended.
/// Returns {address without brackets, port}. The error message has the form
/// "expected <what>, got '<text>'" so the loader can prefix file and key.
/// Pure; thread-safe.
/// `allow_any_port`: port 0 (the kernel picks a free one) is accepted, for
/// listeners whose bound port is reported (the telemetry receivers).
[[nodiscard]] Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text,
                                                                         bool allow_any_port = false);

}  // namespace opensoc::config
