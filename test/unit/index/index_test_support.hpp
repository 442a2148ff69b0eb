#pragma once
// Helpers for the index tests: a private temp directory, flow keys written
// as text, and a raw LMDB key count per (table, segment) that does not go
// through PacketIndex.
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "index/index_keys.hpp"
#include "opensoc/core/flow_key.hpp"
#include "support/temp_dir.hpp"

namespace opensoc::index::test {

using opensoc::test::TempDir;

/// Network-order bytes of an IPv4 or IPv6 literal in a 16-byte buffer (IPv4
/// in the first 4 bytes). Throws on a bad literal (test input).
void parse_address(const std::string& text, std::uint8_t out[16]);

/// A FlowKey with lo = (a, a_port), hi = (b, b_port) as given (no
/// normalisation); version from the literal.
FlowKey make_key(const std::string& a, std::uint16_t a_port, const std::string& b, std::uint16_t b_port,
                 std::uint8_t proto, std::uint16_t vlan = 0);

/// Keys per (table byte, segment id) in the index at `directory`, counted
/// with a raw LMDB cursor. The format key counts as (0, 0). The index must
/// not be open in this process.
std::map<std::pair<std::uint8_t, SegmentId>, std::uint64_t> count_keys(const std::string& directory);

}  // namespace opensoc::index::test
