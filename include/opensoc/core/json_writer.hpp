#pragma once
/// JsonWriter: appends compact JSON to a std::string, escaping strings
/// correctly (control bytes, quotes, invalid UTF-8 as U+FFFD). Used for flow
/// records, stats and API answers. Not thread-safe; one writer per buffer.
#include <cstdint>
#include <string>
#include <string_view>

namespace opensoc {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// Writes an object key; the next call writes its value.
  JsonWriter& key(std::string_view k);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint32_t n) { return value(static_cast<std::uint64_t>(n)); }
  JsonWriter& value(std::int32_t n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(std::uint16_t n) { return value(static_cast<std::uint64_t>(n)); }
  JsonWriter& value(std::uint8_t n) { return value(static_cast<std::uint64_t>(n)); }
  JsonWriter& value(double d);
  JsonWriter& null();
  /// Inserts already-serialised JSON as a value.
  JsonWriter& raw(std::string_view json);

  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  /// Appends `s` as a JSON string literal (with quotes) to `out`.
  static void escape(std::string& out, std::string_view s);

 private:
  void comma();
  std::string& out_;
  bool need_comma_ = false;
};

/// RFC 3339 UTC time with nanoseconds, e.g. "2026-11-28T08:10:20.123456789Z".
std::string format_rfc3339_ns(std::int64_t ns_since_epoch);

}  // namespace opensoc
