#pragma once
// SliceQuery: what an analyst asked for when requesting a PCAP slice, as one
// value whichever request form it came from (GET parameters or a
// Stenographer-language body), plus the per-packet filter evaluator.
//
// Values are built on the API thread (parse_slice_params, parse_steno_query)
// and then only read: a SliceQuery may be shared by const reference between
// threads. `matches` runs on whichever thread executes the slice, once per
// candidate packet, and neither allocates nor throws.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::slice {

/// An address prefix. version 4: addr[0..3] used, rest zero; prefix_len <= 32.
/// version 6: 16 bytes, prefix_len <= 128. Host bits are zeroed on parse.
struct IpPrefix {
  std::uint8_t addr[16]{};
  std::uint8_t version = 4;
  std::uint8_t prefix_len = 32;

  /// True when `a` (4 or 16 bytes, per `ip_version`) lies in the prefix. An
  /// IPv4 prefix never contains an IPv6 address and vice versa (an
  /// IPv4-mapped IPv6 address is IPv6). Reads 4 or 16 bytes of `a`.
  bool contains(const std::uint8_t* a, std::uint8_t ip_version) const noexcept;
  /// lowest and highest address of the prefix (4 or 16 bytes used per version;
  /// the unused tail of an IPv4 bound is zero).
  void bounds(std::uint8_t lo[16], std::uint8_t hi[16]) const noexcept;
  /// Full-length prefix: a single host.
  [[nodiscard]] bool is_host() const noexcept { return prefix_len == (version == 6 ? 128 : 32); }

  friend bool operator==(const IpPrefix& a, const IpPrefix& b) noexcept;
};

/// Parses "A" (a host, full-length prefix) or "A/N", IPv4 or IPv6; host bits
/// are zeroed. nullopt on anything else (zone ids, leading zeros in N, N past
/// the family's width, stray characters).
[[nodiscard]] std::optional<IpPrefix> parse_ip_prefix(std::string_view text);

/// Text form: "A" for a host, "A/N" otherwise (RFC 5952 for IPv6).
[[nodiscard]] std::string format_ip_prefix(const IpPrefix& p);

enum class Direction : std::uint8_t { either, src, dst };

struct Predicate {
  enum class Kind : std::uint8_t { host, port, proto, vlan, community_id };
  Kind kind = Kind::host;
  Direction dir = Direction::either;      // host and port only
  IpPrefix net;                           // host
  std::uint16_t port = 0;                 // port: TCP, UDP or SCTP only (never ICMP "ports")
  std::uint8_t proto = 0;                 // proto: IP protocol number (icmp means 1 OR 58)
  bool icmp_any = false;                  // proto "icmp": matches 1 and 58
  std::uint16_t vlan = 0;                 // vlan: outer VLAN id
  std::array<std::uint8_t, 20> community_id{};  // community_id: the SHA-1 digest decoded from "1:<base64>"
};

/// Parses a Community ID v1 string "1:<28 base64 chars>" (canonical padding,
/// "=" last) into its SHA-1 digest. nullopt on anything else.
[[nodiscard]] std::optional<std::array<std::uint8_t, 20>> parse_community_id(std::string_view text);
/// "1:" + base64(digest): the inverse of parse_community_id.
[[nodiscard]] std::string format_community_id(const std::array<std::uint8_t, 20>& digest);

/// Boolean tree over predicates, nodes in a vector, root is nodes.back();
/// empty = match every packet.
///
/// Invariant relied on by `matches`: a node's children have smaller indices
/// than the node itself (children are appended first). A node that breaks it
/// evaluates to false rather than looping.
struct FilterExpr {
  struct Node {
    enum class Op : std::uint8_t { leaf, all_of, any_of } op = Op::leaf;
    std::uint32_t left = 0, right = 0;
    Predicate leaf;
  };
  std::vector<Node> nodes;

  [[nodiscard]] bool empty() const noexcept { return nodes.empty(); }
  [[nodiscard]] bool uses(Predicate::Kind k) const noexcept;
  /// Combines: result = a AND b (either may be empty).
  static FilterExpr conjunction(FilterExpr a, FilterExpr b);

  /// A one-node expression.
  static FilterExpr leaf(const Predicate& p);
  /// a `op` b for op all_of or any_of. An empty operand means "every packet",
  /// so all_of(empty, b) = b and any_of(empty, b) = empty.
  static FilterExpr combine(Node::Op op, FilterExpr a, FilterExpr b);
  /// op over all `parts`, as a balanced tree: depth grows with log2 of the
  /// number of parts, not linearly (long "host a or host b or ..." lists).
  static FilterExpr combine_all(Node::Op op, std::vector<FilterExpr> parts);
  /// Longest root-to-leaf path in nodes (0 when empty, 1 for a single leaf).
  [[nodiscard]] std::size_t depth() const;
};

/// Deepest tree `matches` evaluates; deeper branches evaluate to false so that
/// a hand-built pathological tree cannot exhaust the stack. The parsers reject
/// anything deeper than kMaxParsedFilterDepth, well below this.
inline constexpr std::size_t kMaxEvalDepth = 1024;
inline constexpr std::size_t kMaxParsedFilterDepth = 256;

/// What is known of one stored packet when the filter runs: the flow key's fields
/// in the packet's own direction (src = sender). No packet bytes.
struct PacketFacts {
  std::uint8_t ip_version = 0;            // 0: not IP (then host/port/proto never match)
  std::uint8_t src[16]{}, dst[16]{};
  std::uint8_t proto = 0;
  bool has_ports = false;                 // TCP/UDP/SCTP with an L4 header
  std::uint16_t sport = 0, dport = 0;
  std::uint16_t vlan = 0;                 // 0 = untagged
  const std::array<std::uint8_t, 20>* community_id = nullptr;  // null: unknown -> community_id never matches
};

/// Evaluates `f` on one packet, like tshark's ip.addr / tcp.port: an
/// undirected host or port predicate matches either end, src/dst look at the
/// packet's own sender/receiver. Per packet: no allocation, no exceptions;
/// reentrant.
[[nodiscard]] bool matches(const FilterExpr& f, const PacketFacts& p) noexcept;

struct SliceQuery {
  FilterExpr filter;
  std::optional<TimestampNs> start;       // inclusive
  std::optional<TimestampNs> end;         // inclusive
  std::optional<std::uint64_t> limit_packets;
  std::optional<std::uint64_t> limit_bytes;   // on pcap record bytes (16-byte header + caplen)
  /// Canonical text for logs/audit and for the download file name stem, e.g.
  /// "host 10.1.2.3 and port 443".
  ///
  /// Stenographer syntax with our extensions: parse_steno_query(describe())
  /// gives an equivalent filter and the same start/end ("after T" / "before T"
  /// in RFC 3339 UTC). Limits are not part of the language and are not shown.
  /// "" for a query with no filter and no time bounds.
  std::string describe() const;
};

/// Text of a filter alone, in the syntax of SliceQuery::describe().
[[nodiscard]] std::string describe_filter(const FilterExpr& f);

/// Errors name what was wrong so the API can answer 400 {"error":..., "parameter": ...}.
struct QueryError {
  std::string parameter;
  std::string message;
  /// Stenographer text only: 1-based column (byte) the error points at, also
  /// written into `message`. 0 when not applicable.
  std::uint32_t column = 0;
};

/// A T or a QueryError (the project's Result with the query error type).
template <class T>
using QueryResult = Result<T, QueryError>;

}  // namespace opensoc::slice
