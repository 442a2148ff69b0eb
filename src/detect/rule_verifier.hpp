#pragma once
// RuleVerifier: the second stage of rule matching. For a candidate rule it
// checks the header (protocol, addresses, ports, flow) and then every match
// step of one buffer with Suricata's semantics, including its backtracking
// over earlier content occurrences when a later relative step fails. Owns
// the rule set's compiled PCRE2 patterns (built once, JIT when available);
// read-only after build and shared by every detection thread, each with its
// own VerifierScratch.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "detect/rule.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/result.hpp"

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

namespace opensoc::detect {

/// Per-thread PCRE2 state. Made by RuleVerifier::make_scratch; used by one
/// thread at a time.
class VerifierScratch {
 public:
  ~VerifierScratch();
  VerifierScratch(const VerifierScratch&) = delete;
  VerifierScratch& operator=(const VerifierScratch&) = delete;

 private:
  friend class RuleVerifier;
  VerifierScratch() = default;
  pcre2_real_match_data_8* match_data_ = nullptr;
  pcre2_real_match_context_8* match_context_ = nullptr;
  pcre2_real_jit_stack_8* jit_stack_ = nullptr;
  std::uint32_t budget_ = 0;  // inspection steps left for the current buffer
};

/// The oriented header of what is being matched.
struct HeaderView {
  const IpAddress* src_ip;
  const IpAddress* dst_ip;
  std::uint16_t src_port;
  std::uint16_t dst_port;
  std::uint8_t ip_proto;
  AppProtocol app;
  bool to_server;
  bool established;
};

class RuleVerifier {
 public:
  /// Upper bound on inspection steps per rule and buffer instance: a bound
  /// on backtracking, as Suricata's inspection-recursion-limit (3000).
  static constexpr std::uint32_t kInspectionLimit = 3000;

  /// Compiles every pcre step of `rules`. An error names the sid and the
  /// PCRE2 message.
  static Result<std::unique_ptr<RuleVerifier>> build(const std::vector<Rule>& rules);
  ~RuleVerifier();
  RuleVerifier(const RuleVerifier&) = delete;
  RuleVerifier& operator=(const RuleVerifier&) = delete;

  /// Control plane: allocates.
  [[nodiscard]] std::unique_ptr<VerifierScratch> make_scratch() const;

  /// Protocol, addresses and ports (either orientation for `<>`), and flow.
  [[nodiscard]] static bool header_matches(const Rule& rule, const HeaderView& h) noexcept;

  /// Every step of rule `rule_index` that reads `buffer` holds on `data`.
  /// No allocation; bounded by kInspectionLimit.
  /// `rule` is the rule at `rule_index` of the vector given to build().
  [[nodiscard]] bool steps_match(const Rule& rule, std::size_t rule_index, RuleBuffer buffer,
                                 std::span<const std::uint8_t> data, VerifierScratch& scratch) const noexcept;

  /// The compiled pattern count, for statistics.
  [[nodiscard]] std::size_t pcre_count() const noexcept { return pcre_count_; }

 private:
  RuleVerifier() = default;
  enum class Outcome : std::uint8_t { match, no_match, fatal };
  Outcome inspect(const Rule& rule, const pcre2_real_code_8* const* codes, RuleBuffer buffer, std::size_t step,
                  std::span<const std::uint8_t> data, std::size_t prev_end, VerifierScratch& scratch) const noexcept;
  // Per rule: index of its first step's slot in codes_ (one slot per step,
  // null for content steps).
  std::vector<std::uint32_t> first_code_;
  std::vector<pcre2_real_code_8*> codes_;
  std::size_t pcre_count_ = 0;
  std::uint32_t max_pairs_ = 1;
};

}  // namespace opensoc::detect
