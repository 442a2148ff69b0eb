// libFuzzer entry point for GrokPattern: the input up to the first newline is
// compiled as a pattern (with custom definitions that refer to each other),
// the rest is matched by it and by a fixed set of realistic patterns.
// Checks: a refused pattern says why; a match adds only named, typed-valid
// fields; a failed match adds nothing; matching is repeatable.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "logparse/grok_pattern.hpp"

namespace {
using namespace opensoc;
using namespace opensoc::logparse;

const std::map<std::string, std::string>& custom() {
  static const std::map<std::string, std::string> c{
      {"FWACTION", "(?:accept|deny|drop)"},
      {"FWRULE", "rule=%{INT:rule.id:int} action=%{FWACTION:event.action}"},
      {"LOOP", "%{LOOP2}"},
      {"LOOP2", "%{LOOP}"},
  };
  return c;
}

// Compiled once per process: the fixed set the fuzzed text is matched against.
const std::vector<GrokPattern>& fixed() {
  static const std::vector<GrokPattern> set = [] {
    std::vector<GrokPattern> v;
    for (const char* p : {
             "^%{SYSLOGTIMESTAMP:timestamp} %{HOSTNAME:observer.hostname} %{WORD:event.action} "
             "%{WORD:network.transport} %{IP:source.ip}:%{POSINT:source.port} -> %{IP:destination.ip}:"
             "%{POSINT:destination.port} %{GREEDYDATA:message}$",
             "%{IPORHOST:source.address} %{USER:user.ident} %{USER:user.name} \\[%{HTTPDATE:timestamp}\\] "
             "\"%{WORD:http.request.method} %{NOTSPACE:url.original} HTTP/%{NUMBER:http.version:float}\" "
             "%{INT:http.response.status_code:int} (?:%{INT:http.response.body.bytes:int}|-)",
             "%{TIMESTAMP_ISO8601:@timestamp} %{LOGLEVEL:log.level} %{QS:x.q} %{EMAILADDRESS:user.email} "
             "%{MAC:source.mac} %{URI:url.full} %{PATH:file.path} %{WORD:x.b:bool} %{IP:x.ip:ip}",
             "%{FWRULE} user=(?<user_name>%{WORD})",
         }) {
      auto g = GrokPattern::compile(p, custom());
      if (!g) __builtin_trap();
      v.push_back(std::move(*g));
    }
    return v;
  }();
  return set;
}

void check(const GrokPattern& g, std::string_view text) {
  LogEvent a;
  const bool m = g.match(text, a);
  if (!m && !a.fields.empty()) __builtin_trap();
  for (const LogField& f : a.fields) {
    if (f.name.empty() || f.value.empty()) __builtin_trap();
    if (f.type == LogValueType::ip && !IpAddress::parse(f.value)) __builtin_trap();
    if (f.type == LogValueType::boolean && f.value != "true" && f.value != "false") __builtin_trap();
  }
  LogEvent b;
  if (g.match(text, b) != m || b.fields.size() != a.fields.size()) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string pattern = input.substr(0, nl);
  const std::string text = nl == std::string::npos ? std::string() : input.substr(nl + 1);

  auto g = GrokPattern::compile(pattern, custom());
  if (g) {
    check(*g, text);
  } else if (g.error().message.empty()) {
    __builtin_trap();
  }
  for (const GrokPattern& f : fixed()) check(f, text);
  return 0;
}
