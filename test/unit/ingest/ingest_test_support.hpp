#pragma once
// Helpers for the receiver tests: listener configs on 127.0.0.1 with an
// ephemeral port, draining the queue with a deadline, waiting on counters,
// and the external senders (logger, python3, openssl) run through the shell.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ingest/message_queue.hpp"
#include "ingest/receivers_config.hpp"
#include "ingest/telemetry_receivers.hpp"
#include "support/external_tools.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::ingest::test {

using opensoc::test::run_command;
using opensoc::test::shell_quote;
using opensoc::test::TempDir;

ListenerConfig make_listener(const std::string& name, ListenerProtocol protocol, ListenerTransport transport);

/// Pops until `n` messages arrived or `timeout` passed; returns what came.
std::vector<ReceivedMessage> drain(MessageQueue& queue, std::size_t n,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Polls `done` every few ms; true once it holds, false after `timeout`.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// stats()[i] of a running receivers object.
ListenerStats stats_of(const TelemetryReceivers& receivers, std::size_t i = 0);

/// Writes a python3 program (source text) to dir/name.py and runs it with
/// `args`; its stdout, or nullopt when it failed.
std::optional<std::string> run_python(const TempDir& dir, const std::string& name, const std::string& source,
                                      const std::string& args);

/// A throwaway self-signed certificate for CN=localhost (openssl req), in `dir`.
struct TestCertificate {
  std::string certificate;
  std::string key;
};
TestCertificate make_self_signed_certificate(const TempDir& dir, const std::string& stem = "server");

}  // namespace opensoc::ingest::test
