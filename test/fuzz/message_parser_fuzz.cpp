// libFuzzer entry point for MessageParser (the auto chain with config
// patterns, and an explicit rfc5424+json chain). Checks the chain's promise:
// never fails, keeps the bytes as event.original, and an event is either
// parsed (no parse_error) or raw (parser "raw", a reason, the
// _parse_failure tag, no stray fields, endpoints or time).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "logparse/message_parser.hpp"

namespace {
using namespace opensoc;
using namespace opensoc::logparse;

std::unique_ptr<MessageParser> make(std::vector<std::string> chain) {
  MessageParserConfig cfg;
  cfg.chain = std::move(chain);
  cfg.patterns = {
      {"fw", "^%{WORD:event.action} %{IP:source.ip}:%{POSINT:source.port} -> %{IP:destination.ip}:"
             "%{POSINT:destination.port}"},
      {"login", "user=%{USERNAME:user.name} from %{IP:source.ip} at %{TIMESTAMP_ISO8601:timestamp}"},
  };
  auto p = MessageParser::create(cfg);
  if (!p) __builtin_trap();
  return std::move(*p);
}

void check(MessageParser& p, const std::string& msg) {
  LogEvent e;
  e.received = 1699574400LL * kNsPerSecond;
  p.parse(msg, e);
  if (e.original != msg) __builtin_trap();
  if (e.parsed) {
    if (!e.parse_error.empty() || e.parser.empty() || e.parser == "raw") __builtin_trap();
    return;
  }
  if (e.parser != "raw" || e.parse_error.empty() || e.timestamp != 0) __builtin_trap();
  if (e.fields.size() != 1 || e.fields[0].name != "tags" || e.fields[0].value != "_parse_failure") __builtin_trap();
  if (e.endpoints.source_ip.version != 0 || e.endpoints.destination_port != 0) __builtin_trap();
  if (e.message.size() > msg.size() || msg.compare(0, e.message.size(), e.message) != 0) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<MessageParser> automatic = make({"auto"});
  static const std::unique_ptr<MessageParser> explicit_chain = make({"rfc5424", "json", "kv"});
  const std::string msg(reinterpret_cast<const char*>(data), size);
  check(*automatic, msg);
  check(*explicit_chain, msg);
  return 0;
}
