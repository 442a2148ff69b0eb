// Fuzzes the slice request text parsers: Stenographer query text (a POST body
// straight from the network) and time values (GET start/end). Beyond "no
// crash", checks that an accepted query prints back (describe()) to text that
// parses to the same description, the same time bounds and a filter that
// agrees on a spread of packets.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "slice/slice_query.hpp"
#include "slice/steno_query.hpp"
#include "slice/time_value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  constexpr TimestampNs kNow = 1'764'237'600'000'000'000;  // 2025-11-27T10:00:00Z
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto t = slice::parse_time_value(text, kNow)) {
    // The canonical form must read back to the same instant.
    const auto again = slice::parse_time_value(slice::format_time_value(*t), kNow);
    if (!again || *again != *t) __builtin_trap();
  }

  const auto q = slice::parse_steno_query(text, kNow);
  if (!q) {
    if (q.error().parameter != "query" || q.error().column == 0) __builtin_trap();
    return 0;
  }
  const std::string d = q->describe();
  if (d.empty() || d.size() > slice::kMaxStenoQueryBytes) return 0;
  const auto back = slice::parse_steno_query(d, kNow);
  if (!back || back->describe() != d || back->start != q->start || back->end != q->end) __builtin_trap();

  // Both filters must agree on a spread of packets (addresses the seeds use,
  // ports 0/1/6/53/80, TCP/UDP/ICMP/ICMPv6, vlan 0/100).
  static const std::uint8_t addrs[][16] = {{10, 1, 2, 3}, {100, 0, 0, 8}, {192, 168, 1, 1},
                                           {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
  static const std::uint16_t ports[] = {0, 1, 6, 53, 80};
  static const std::uint8_t protos[] = {1, 6, 17, 58};
  for (unsigned i = 0; i < 160; ++i) {
    slice::PacketFacts p;
    const unsigned a = i % 4;
    p.ip_version = a == 3 ? 6 : 4;
    std::memcpy(p.src, addrs[a], 16);
    std::memcpy(p.dst, addrs[a == 3 ? 3 : (i / 4) % 3], 16);
    p.proto = protos[(i / 16) % 4];
    p.has_ports = true;
    p.sport = ports[i % 5];
    p.dport = ports[(i / 5) % 5];
    p.vlan = (i / 64) % 2 == 0 ? 0 : 100;
    if (slice::matches(q->filter, p) != slice::matches(back->filter, p)) __builtin_trap();
  }
  return 0;
}
