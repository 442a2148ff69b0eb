#pragma once
// The TLS server context of a `transport: tls` listener: its certificate and
// key, TLS 1.2 as the floor, and client certificates required when a client
// CA is configured. Built once at start() on the control thread; shared
// read-only by that listener's connections.
#include <memory>

#include "ingest/receivers_config.hpp"
#include "opensoc/core/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace opensoc::ingest {

/// Error names the file that failed ("certificate /x.pem: ...").
[[nodiscard]] Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_server_context(const ListenerConfig& config);

}  // namespace opensoc::ingest
