#pragma once
// Rule: one parsed Suricata-subset signature, as plain values. The rule
// parser (rule_parser.hpp) makes them from `.rules` text; the rule engine
// (rule_engine.hpp) compiles a set of them into Hyperscan databases and
// evaluates them on packets and protocol events. Variables ($HOME_NET,
// $HTTP_PORTS) are resolved by the parser, so a Rule is self-contained.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "opensoc/core/ip_address.hpp"

namespace opensoc::detect {

/// Where a content/pcre match looks. `packet` is the TCP/UDP/ICMP payload of
/// one packet; the others are sticky buffers filled from protocol events.
enum class RuleBuffer : std::uint8_t {
  packet = 0,
  dns_query,        // dns.query / dns_query: each query name, no trailing dot
  http_uri,         // http.uri / http_uri: request target as sent
  http_host,        // http.host / http_host: Host header value without port, lower-cased (as Suricata normalises)
  http_method,      // http.method / http_method
  http_user_agent,  // http.user_agent / http_user_agent
  tls_sni,          // tls.sni
  ja3_hash,         // ja3.hash / ja3_hash: lower-case hex MD5
  count_
};

const char* rule_buffer_name(RuleBuffer b) noexcept;  // "packet", "dns.query", ...

/// Address side of a rule header after variable expansion: matches when the
/// address is in `include` (or `any`) and in none of `exclude`.
struct Cidr {
  IpAddress network;  ///< host bits zero
  std::uint8_t prefix = 0;  ///< 0..32 or 0..128
};
struct AddressSpec {
  bool any = true;
  std::vector<Cidr> include;
  std::vector<Cidr> exclude;
  [[nodiscard]] bool matches(const IpAddress& a) const noexcept;
};

struct PortRange {
  std::uint16_t lo = 0, hi = 65535;
};
struct PortSpec {
  bool any = true;
  std::vector<PortRange> include;
  std::vector<PortRange> exclude;
  [[nodiscard]] bool matches(std::uint16_t port) const noexcept;
};

/// `content` with its modifiers. Positions follow Suricata: offset/depth are
/// from the buffer start; distance/within relative to the previous content
/// match in the same buffer (a content with distance or within is relative).
struct ContentMatch {
  std::string bytes;  ///< decoded (|41 42| hex and escapes resolved)
  bool nocase = false;
  bool negated = false;
  std::optional<std::int32_t> offset, depth, distance, within;
  bool fast_pattern = false;  ///< explicitly chosen as the prefilter literal
  bool startswith = false, endswith = false;
  [[nodiscard]] bool relative() const noexcept { return distance.has_value() || within.has_value(); }
};

/// `pcre:"/re/flags"` through PCRE2. Flags i s m x are PCRE's, R is relative
/// to the previous match, U puts the step in http.uri (Suricata's old form);
/// any other flag is a load error naming it.
struct PcreMatch {
  std::string pattern;  ///< between the slashes
  bool caseless = false, dotall = false, multiline = false, extended = false;
  bool relative = false;
  bool negated = false;
};

/// One match step in rule order, in one buffer.
struct MatchStep {
  RuleBuffer buffer = RuleBuffer::packet;
  enum class Kind : std::uint8_t { content, pcre } kind = Kind::content;
  ContentMatch content;
  PcreMatch pcre;
};

struct FlowSpec {
  bool established = false;
  bool not_established = false;
  bool to_server = false;  ///< to_server / from_client
  bool to_client = false;  ///< to_client / from_server
  bool stateless = false;
};

struct ThresholdSpec {
  enum class Type : std::uint8_t { limit, threshold, both } type = Type::limit;
  enum class Track : std::uint8_t { by_src, by_dst } track = Track::by_src;
  std::uint32_t count = 1;
  std::uint32_t seconds = 60;
};

/// The rule's protocol field. App-layer protocols restrict the rule to
/// sessions the detector identified as that protocol.
enum class RuleProtocol : std::uint8_t { ip, tcp, udp, icmp, dns, http, tls, ssh, dhcp };

struct Rule {
  std::string action = "alert";  ///< only alert is accepted
  RuleProtocol protocol = RuleProtocol::ip;
  AddressSpec src, dst;
  PortSpec src_ports, dst_ports;
  bool bidirectional = false;  ///< "<>"
  std::string msg;
  std::uint32_t sid = 0;
  std::uint32_t rev = 0;
  std::string classtype;
  std::uint8_t priority = 3;  ///< explicit priority, else the classtype's, else 3
  std::vector<MatchStep> steps;
  FlowSpec flow;
  std::optional<ThresholdSpec> threshold;
  std::vector<std::string> references;  ///< "url,example.com/x" as written
  std::string metadata;                 ///< as written
  // Where it came from, for errors and the API.
  std::string file;
  std::uint32_t line = 0;
  std::string text;  ///< the rule as written (one logical line)

  /// Every step reads sticky buffers (an event rule) or every step reads the
  /// packet (a packet rule). The parser rejects a rule mixing both.
  [[nodiscard]] bool is_event_rule() const noexcept {
    for (const auto& s : steps) {
      if (s.buffer != RuleBuffer::packet) return true;
    }
    return false;
  }
};

/// A rule the parser refused, and why.
struct RuleError {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t sid = 0;       ///< 0 when not parsed yet
  std::string keyword;         ///< the offending keyword, "" for a syntax error
  std::string message;         ///< "unsupported keyword 'byte_test'"
  std::string text;            ///< the rule as written (truncated to 512 bytes)
};

}  // namespace opensoc::detect
