#include "opensoc/core/json_writer.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

using opensoc::JsonWriter;

namespace {
bool is_valid_json(const std::string& s) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  return p.parse(s).get(e) == simdjson::SUCCESS;
}
}  // namespace

TEST_CASE("JsonWriter separates members and nests objects and arrays", "[core][json]") {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("a", std::uint64_t{1}).key("b").begin_array().value("x").value(true).null().end_array();
  w.key("c").begin_object().field("d", std::int64_t{-2}).end_object().end_object();
  CHECK(out == R"({"a":1,"b":["x",true,null],"c":{"d":-2}})");
  CHECK(is_valid_json(out));
}

TEST_CASE("JsonWriter escapes quotes, control bytes and invalid UTF-8", "[core][json]") {
  std::string out;
  JsonWriter::escape(out, std::string("a\"b\\c\n\x01\x7f", 8));
  CHECK(out == R"("a\"b\\c\n\u0001\u007f")");
  out.clear();
  JsonWriter::escape(out, "caf\xc3\xa9");  // valid UTF-8 passes through
  CHECK(out == "\"caf\xc3\xa9\"");
  out.clear();
  JsonWriter::escape(out, "\xff\xc3(\xed\xa0\x80");  // stray byte, bad continuation, surrogate
  CHECK(out == R"("\ufffd\ufffd(\ufffd\ufffd\ufffd")");
  CHECK(is_valid_json(out));
}

TEST_CASE("JsonWriter writes non-finite doubles as null", "[core][json]") {
  std::string out;
  JsonWriter w(out);
  w.begin_array().value(1.5).value(std::numeric_limits<double>::infinity()).end_array();
  CHECK(out == "[1.5,null]");
}

TEST_CASE("format_rfc3339_ns prints UTC with nanoseconds, also before 1970", "[core][time]") {
  CHECK(opensoc::format_rfc3339_ns(0) == "1970-01-01T00:00:00.000000000Z");
  CHECK(opensoc::format_rfc3339_ns(1'700'000'000'123'456'789) == "2023-11-14T22:13:20.123456789Z");
  CHECK(opensoc::format_rfc3339_ns(-1) == "1969-12-31T23:59:59.999999999Z");
}
