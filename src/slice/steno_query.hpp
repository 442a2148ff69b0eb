#pragma once
// The Stenographer query language (POST /api/v1/pcap bodies, and the GET
// `query` parameter) parsed into a SliceQuery. Runs on the API thread; pure.
#include <cstddef>
#include <string_view>

#include "opensoc/core/time.hpp"
#include "slice/slice_query.hpp"

namespace opensoc::slice {

/// Longest query text accepted, in bytes.
inline constexpr std::size_t kMaxStenoQueryBytes = 4096;
/// Deepest parenthesis nesting accepted. The parser recurses once per level,
/// so this bounds its stack use.
inline constexpr std::size_t kMaxStenoParenDepth = 64;

/// Stenographer's language: `host A`, `net A/N`, `net A mask M`, `port P`, `ip proto N`,
/// `tcp`, `udp`, `icmp`, `before T`, `after T` (T: RFC 3339 or `N[smhd] ago`), `and`/`&&`,
/// `or`/`||`, parentheses. Extensions: `src host`, `dst host`, `src port`, `dst port`,
/// `vlan N`, `sctp`, `community_id 1:...` (or quoted). Case-insensitive keywords.
/// before/after are only allowed as top-level AND terms (error otherwise); they set
/// end/start (inclusive). Errors: parameter "query", message with the 1-based column.
///
/// As in Stenographer (and BPF), "and" and "or" bind equally and associate to
/// the left: "host a or host b and port 80" is "(host a or host b) and port 80".
/// Further details: `host` also takes A/N; `src net`/`dst net` exist; `icmp`
/// matches ICMP and ICMPv6; ports are 0..65535 (Stenographer's range), vlan
/// 0..4095; T is anything parse_time_value accepts as one word, or a word
/// followed by `ago`. Several before/after terms intersect. Limits: text of at
/// most kMaxStenoQueryBytes, kMaxStenoParenDepth nested parentheses, filter
/// depth kMaxParsedFilterDepth. An empty (all-whitespace) query is an error.
/// The error's `column` field holds the column too.
QueryResult<SliceQuery> parse_steno_query(std::string_view text, TimestampNs now);

}  // namespace opensoc::slice
