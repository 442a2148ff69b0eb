#pragma once
// RuleEngine: a compiled, immutable set of Suricata-subset rules, evaluated
// on packets and on protocol events. Compiled once on the control plane
// (Hyperscan literal prefilter + PCRE2 verifier) and shared read-only by the
// detection threads through a shared_ptr; each thread matches with its own
// RuleScratch. A reload compiles a new engine and swaps the pointer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "detect/rule.hpp"
#include "detect/rule_prefilter.hpp"
#include "detect/rule_threshold.hpp"
#include "detect/rule_verifier.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

struct hs_scratch;

namespace opensoc::detect {

/// One packet, oriented as on the wire. The payload is borrowed for the call.
struct PacketMatchInput {
  IpAddress src_ip, dst_ip;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint8_t ip_proto = 0;
  bool to_server = true;    ///< the packet goes initiator -> responder
  bool established = false; ///< TCP: the 3-way handshake completed; UDP: both sides have sent
  AppProtocol app = AppProtocol::unknown;  ///< what the session detector found so far
  TimestampNs ts = 0;
  std::span<const std::uint8_t> payload;  ///< L4 payload (may be empty)
};

/// A rule that fired. `rule` points into the engine that produced it: valid
/// while the caller holds that engine's shared_ptr.
struct RuleMatch {
  const Rule* rule = nullptr;
  TimestampNs ts = 0;
  IpAddress src_ip, dst_ip;  ///< oriented as the packet / event message went
  std::uint16_t src_port = 0, dst_port = 0;
};

/// Per-thread matching state: Hyperscan scratch, PCRE2 match data, the
/// candidate set and the threshold counters. Made by one engine and usable
/// only with it; used by one thread at a time. Threshold counts are per
/// scratch, so per detection thread.
class RuleScratch {
 public:
  ~RuleScratch();
  RuleScratch(const RuleScratch&) = delete;
  RuleScratch& operator=(const RuleScratch&) = delete;

  [[nodiscard]] const ThresholdTable& thresholds() const noexcept { return thresholds_; }

 private:
  friend class RuleEngine;
  RuleScratch(std::size_t rule_count, std::unique_ptr<VerifierScratch> verifier);

  hs_scratch* hs_ = nullptr;
  CandidateSet candidates_;
  std::unique_ptr<VerifierScratch> verifier_;
  ThresholdTable thresholds_;
  std::string host_lower_;  // http.host lower-cased; reserved, grows only for absurd hosts
};

class RuleEngine {
 public:
  struct Stats {
    std::size_t rules = 0, packet_rules = 0, event_rules = 0, prefilter_patterns = 0, always_checked = 0;
    double compile_ms = 0;
  };

  /// Compiles `rules` (in load order; matches are reported in that order).
  /// An Error from Hyperscan or PCRE2 names the sid. Control plane: blocks for
  /// the compile (about a second per 10,000 rules).
  static Result<std::shared_ptr<const RuleEngine>> compile(std::vector<Rule> rules);

  /// A scratch for one thread; null only if Hyperscan cannot allocate one.
  /// Control plane: allocates.
  [[nodiscard]] std::unique_ptr<RuleScratch> make_scratch() const;

  /// Appends to `out` the packet rules that match `in` (after thresholds).
  /// Never allocates when nothing matches (reserve `out`). Thread-safe with a
  /// scratch per thread.
  void match_packet(const PacketMatchInput& in, RuleScratch& scratch, std::vector<RuleMatch>& out) const noexcept;

  /// Appends to `out` the event rules (sticky buffers) that match `ev`.
  /// The header is oriented as the event's message went: endpoints as given
  /// when ev.to_server, else reversed. flow:established holds for events on
  /// TCP and for UDP replies (both sides have sent). Same threading and
  /// allocation guarantees as match_packet.
  void match_event(const ProtocolEvent& ev, RuleScratch& scratch, std::vector<RuleMatch>& out) const noexcept;

  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }
  [[nodiscard]] const std::vector<Rule>& rules() const noexcept { return rules_; }

 private:
  RuleEngine() = default;
  void report(std::uint32_t id, const HeaderView& h, TimestampNs ts, RuleScratch& scratch,
              std::vector<RuleMatch>& out) const noexcept;

  std::vector<Rule> rules_;
  std::vector<std::uint16_t> buffers_used_;  // per rule: bit per RuleBuffer its steps read
  std::unique_ptr<RulePrefilter> prefilter_;
  std::unique_ptr<RuleVerifier> verifier_;
  Stats stats_;
};

}  // namespace opensoc::detect
