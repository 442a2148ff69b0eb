#include "config/scalar_parsers.hpp"

#include <optional>

#include <catch2/catch.hpp>

namespace opensoc::config {

using std::nullopt;

TEST_CASE("parse_decimal accepts plain digits and refuses signs, spaces, leading zeros and overflow", "[config]") {
  CHECK(parse_decimal("0") == 0u);
  CHECK(parse_decimal("4095") == 4095u);
  CHECK(parse_decimal("18446744073709551615") == 18446744073709551615ull);
  CHECK(parse_decimal("18446744073709551616") == nullopt);
  CHECK(parse_decimal("99999999999999999999") == nullopt);
  CHECK(parse_decimal("") == nullopt);
  CHECK(parse_decimal("010") == nullopt);
  CHECK(parse_decimal("+1") == nullopt);
  CHECK(parse_decimal("-1") == nullopt);
  CHECK(parse_decimal(" 1") == nullopt);
  CHECK(parse_decimal("1 ") == nullopt);
  CHECK(parse_decimal("1.0") == nullopt);
  CHECK(parse_decimal("1e3") == nullopt);
  CHECK(parse_decimal("0x10") == nullopt);
}

TEST_CASE("parse_duration_seconds accepts seconds and s, m, h, d units only", "[config]") {
  CHECK(parse_duration_seconds("90") == 90u);
  CHECK(parse_duration_seconds("90s") == 90u);
  CHECK(parse_duration_seconds("5m") == 300u);
  CHECK(parse_duration_seconds("1h") == 3600u);
  CHECK(parse_duration_seconds("2d") == 172800u);
  CHECK(parse_duration_seconds("0s") == 0u);
  CHECK(parse_duration_seconds("1w") == nullopt);
  CHECK(parse_duration_seconds("5M") == nullopt);
  CHECK(parse_duration_seconds("5 m") == nullopt);
  CHECK(parse_duration_seconds("5ms") == nullopt);
  CHECK(parse_duration_seconds("1h30m") == nullopt);
  CHECK(parse_duration_seconds("s") == nullopt);
  CHECK(parse_duration_seconds("-5s") == nullopt);
  CHECK(parse_duration_seconds("1.5h") == nullopt);
  CHECK(parse_duration_seconds("18446744073709551615s") == 18446744073709551615ull);
  CHECK(parse_duration_seconds("18446744073709551615m") == nullopt);
}

TEST_CASE("parse_size_bytes accepts bytes and binary KiB, MiB, GiB units only", "[config]") {
  CHECK(parse_size_bytes("0") == 0u);
  CHECK(parse_size_bytes("16384") == 16384u);
  CHECK(parse_size_bytes("16KiB") == 16384u);
  CHECK(parse_size_bytes("64MiB") == 67108864u);
  CHECK(parse_size_bytes("1GiB") == 1073741824u);
  CHECK(parse_size_bytes("1KB") == nullopt);
  CHECK(parse_size_bytes("1kib") == nullopt);
  CHECK(parse_size_bytes("1K") == nullopt);
  CHECK(parse_size_bytes("1TiB") == nullopt);
  CHECK(parse_size_bytes("KiB") == nullopt);
  CHECK(parse_size_bytes("1 KiB") == nullopt);
  CHECK(parse_size_bytes("17179869184GiB") == nullopt);  // 2^34 GiB = 2^64 bytes
  CHECK(parse_size_bytes("17179869183GiB") == 18446744072635809792ull);
}

}  // namespace opensoc::config
