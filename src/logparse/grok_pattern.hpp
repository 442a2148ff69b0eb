#pragma once
// GrokPattern: a user-defined pattern with named captures in the spirit of
// Logstash's grok ("%{IP:source.ip} %{INT:destination.port:int}"), expanded
// once to a PCRE2 regular expression and JIT-compiled.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/log_event.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::logparse {

class GrokPattern {
 public:
  /// `pattern`: PCRE2 syntax plus %{NAME}, %{NAME:field} and
  /// %{NAME:field:type} (type int, float, ip, bool, string; default string).
  /// NAME is a built-in (IP, IPV4, IPV6, INT, POSINT, NUMBER, WORD, NOTSPACE,
  /// SPACE, DATA, GREEDYDATA, QUOTEDSTRING/QS, HOSTNAME, IPORHOST, USERNAME,
  /// USER, EMAILADDRESS, MAC, URIPATH, URI, PATH, LOGLEVEL, SYSLOGTIMESTAMP,
  /// TIMESTAMP_ISO8601, HTTPDATE, MONTH, DAY, YEAR, HOUR, MINUTE, SECOND, TIME)
  /// or one of `custom` (which may refer to each other; cycles are an error).
  /// Error names the pattern position and reason (unknown name, bad regex).
  static Result<GrokPattern> compile(std::string_view pattern,
                                     const std::map<std::string, std::string>& custom = {});
  GrokPattern(GrokPattern&&) noexcept;
  GrokPattern& operator=(GrokPattern&&) noexcept;
  ~GrokPattern();

  /// Matches anywhere in `text` (anchor with ^...$ in the pattern to pin it);
  /// on a match adds one field per non-empty named capture (addresses and
  /// ports named source.ip/destination.ip/source.port/destination.port, and
  /// network.transport, also into out.endpoints; "@timestamp" or
  /// "timestamp" parsed into out.timestamp; "message" replaces out.message)
  /// and returns true. Not thread-safe: one instance per thread (it keeps its
  /// match data).
  bool match(std::string_view text, LogEvent& out) const;

  [[nodiscard]] const std::string& expanded() const noexcept;  ///< the regex it compiled to

 private:
  struct Impl;
  explicit GrokPattern(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace opensoc::logparse
