// libFuzzer entry point for parse_syslog, in all three formats, and
// parse_rfc3339_ns on the same bytes. Besides "no crash, no sanitizer
// report", it checks what callers rely on: a success names its parser and
// dataset and carries the priority fields first; a refusal says why and
// where (" at byte N" within the input).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "logparse/syslog_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  using namespace opensoc::logparse;
  // An exactly sized copy: the harness must not hide over-reads behind the
  // caller's buffer.
  const std::string copy(reinterpret_cast<const char*>(data), size);
  const std::string_view line(copy);
  constexpr TimestampNs kReceived = 1795887240000000000;
  for (const SyslogFormat f : {SyslogFormat::automatic, SyslogFormat::rfc5424, SyslogFormat::rfc3164}) {
    LogEvent e;
    const auto r = parse_syslog(line, f, kReceived, e);
    if (r.has_value()) {
      if (e.parser != "rfc5424" && e.parser != "rfc3164") __builtin_trap();
      if (f == SyslogFormat::rfc5424 && e.parser != "rfc5424") __builtin_trap();
      if (f == SyslogFormat::rfc3164 && e.parser != "rfc3164") __builtin_trap();
      if (e.dataset != "syslog" || e.fields.size() < 5) __builtin_trap();
      if (e.fields[0].name != "log.syslog.priority") __builtin_trap();
      if (e.message.size() > size) __builtin_trap();
      for (const auto& field : e.fields)
        if (field.name.empty()) __builtin_trap();
    } else {
      const std::string& m = r.error().message;
      const auto at = m.rfind(" at byte ");
      if (at == std::string::npos) __builtin_trap();
      if (std::stoull(m.substr(at + 9)) > size) __builtin_trap();
    }
  }
  (void)parse_rfc3339_ns(line);
  return 0;
}
