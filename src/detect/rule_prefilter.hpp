#pragma once
// RulePrefilter: the first stage of rule matching. For each RuleBuffer it
// holds one Hyperscan block-mode database of literal "fast patterns", one per
// rule (its explicit fast_pattern content, else its longest non-negated
// content); a hit makes the rule a candidate for the verifier. Rules with no
// non-negated content are kept in an "always checked" list instead.
// Built once on the control plane; the databases are read-only afterwards and
// shared by every detection thread, each scanning with its own hs_scratch.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "detect/rule.hpp"
#include "opensoc/core/result.hpp"

struct hs_database;
struct hs_scratch;

namespace opensoc::detect {

/// The set of candidate rule indexes for one packet or event: a bitset for
/// de-duplication plus the list of members. Sized for every rule at
/// construction, so insert never allocates. One per RuleScratch.
class CandidateSet {
 public:
  explicit CandidateSet(std::size_t rule_count);
  void insert(std::uint32_t rule) noexcept {
    std::uint64_t& w = bits_[rule >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (rule & 63);
    if ((w & bit) != 0) return;
    w |= bit;
    ids_.push_back(rule);  // capacity reserved for every rule: no allocation
  }
  /// Sorts the members so rules are verified (and reported) in load order.
  void sort() noexcept;
  void clear() noexcept;
  [[nodiscard]] std::span<const std::uint32_t> ids() const noexcept { return ids_; }

 private:
  std::vector<std::uint64_t> bits_;
  std::vector<std::uint32_t> ids_;
};

/// The step index of a rule's prefilter literal: the explicit fast_pattern,
/// else the longest non-negated content (the first of equal lengths); nullopt
/// when the rule has no non-empty, non-negated content.
[[nodiscard]] std::optional<std::size_t> fast_pattern_step(const Rule& rule) noexcept;

class RulePrefilter {
 public:
  /// Compiles the databases for `rules` (indexes into this vector are the
  /// rule ids reported). An error names the sid whose literal Hyperscan
  /// refused.
  static Result<std::unique_ptr<RulePrefilter>> build(const std::vector<Rule>& rules);
  ~RulePrefilter();
  RulePrefilter(const RulePrefilter&) = delete;
  RulePrefilter& operator=(const RulePrefilter&) = delete;

  /// Grows `*scratch` (which may be null) to serve every database here. Control
  /// plane: allocates.
  [[nodiscard]] Result<void> alloc_scratch(hs_scratch** scratch) const;

  /// Marks in `out` every rule whose fast pattern occurs in `data`, read as
  /// buffer `buffer`. Thread-safe given a scratch per thread; no allocation.
  void scan(RuleBuffer buffer, std::span<const std::uint8_t> data, hs_scratch* scratch,
            CandidateSet& out) const noexcept;

  [[nodiscard]] bool has_patterns(RuleBuffer buffer) const noexcept {
    return dbs_[static_cast<std::size_t>(buffer)] != nullptr;
  }
  /// Rules without a fast pattern, in load order, split by kind.
  [[nodiscard]] const std::vector<std::uint32_t>& always_packet() const noexcept { return always_packet_; }
  [[nodiscard]] const std::vector<std::uint32_t>& always_event() const noexcept { return always_event_; }
  /// Distinct literals compiled, over all buffers.
  [[nodiscard]] std::size_t pattern_count() const noexcept { return pattern_count_; }

  /// Hyperscan callback context; public only so the C callback can name it.
  struct ScanContext {
    const RulePrefilter* self;
    CandidateSet* out;
    std::size_t buffer;
  };
  /// Rule ids a pattern of `buffer` stands for (several rules may share one literal).
  [[nodiscard]] std::span<const std::uint32_t> rules_of(std::size_t buffer, unsigned pattern) const noexcept;

 private:
  RulePrefilter() = default;

  static constexpr std::size_t kBuffers = static_cast<std::size_t>(RuleBuffer::count_);
  hs_database* dbs_[kBuffers] = {};
  // Per buffer: pattern id -> [first_[p], first_[p+1]) in rule_ids_.
  std::vector<std::uint32_t> first_[kBuffers];
  std::vector<std::uint32_t> rule_ids_[kBuffers];
  std::vector<std::uint32_t> always_packet_, always_event_;
  std::size_t pattern_count_ = 0;
};

}  // namespace opensoc::detect
