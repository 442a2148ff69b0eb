// RulePrefilter: Hyperscan literal databases, one per sticky buffer, mapping
// a literal hit to the rules it stands for. Built on the control plane by
// RuleEngine::compile; scanned by each detection thread with its own scratch.
// Literals are compiled with hs_compile_lit_multi (Hyperscan >= 5.2), which
// takes raw bytes, so contents with NULs or regex metacharacters need no
// escaping. Identical literals (same bytes, same case mode) are compiled once
// and fan out to every rule that chose them, as real rule sets repeat a lot
// of literals ("GET /", "User-Agent|3a|").
#include "detect/rule_prefilter.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include <hs/hs.h>

namespace opensoc::detect {

CandidateSet::CandidateSet(std::size_t rule_count) : bits_((rule_count + 63) / 64 + 1, 0) {
  ids_.reserve(rule_count + 1);
}

void CandidateSet::sort() noexcept { std::sort(ids_.begin(), ids_.end()); }

void CandidateSet::clear() noexcept {
  // Clearing by member keeps the cost proportional to the hits, not the rules.
  for (std::uint32_t id : ids_) bits_[id >> 6] = 0;
  ids_.clear();
}

std::optional<std::size_t> fast_pattern_step(const Rule& rule) noexcept {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < rule.steps.size(); ++i) {
    const MatchStep& s = rule.steps[i];
    if (s.kind != MatchStep::Kind::content || s.content.negated || s.content.bytes.empty()) continue;
    if (s.content.fast_pattern) return i;
    if (!best || s.content.bytes.size() > rule.steps[*best].content.bytes.size()) best = i;
  }
  return best;
}

namespace {

int on_match(unsigned int id, unsigned long long /*from*/, unsigned long long /*to*/, unsigned int /*flags*/,
             void* ctx) {
  auto* c = static_cast<RulePrefilter::ScanContext*>(ctx);
  for (std::uint32_t rule : c->self->rules_of(c->buffer, id)) c->out->insert(rule);
  return 0;  // keep scanning: other literals may still hit
}

struct Literal {
  std::string bytes;
  bool nocase = false;
  std::vector<std::uint32_t> rules;
};

}  // namespace

RulePrefilter::~RulePrefilter() {
  for (hs_database* db : dbs_) hs_free_database(db);
}

std::span<const std::uint32_t> RulePrefilter::rules_of(std::size_t buffer, unsigned pattern) const noexcept {
  const auto& first = first_[buffer];
  if (pattern + 1 >= first.size()) return {};
  return std::span<const std::uint32_t>(rule_ids_[buffer]).subspan(first[pattern], first[pattern + 1] - first[pattern]);
}

Result<std::unique_ptr<RulePrefilter>> RulePrefilter::build(const std::vector<Rule>& rules) {
  std::unique_ptr<RulePrefilter> pf(new RulePrefilter());
  std::vector<Literal> literals[kBuffers];
  std::map<std::pair<std::string, bool>, std::size_t> index[kBuffers];

  for (std::size_t r = 0; r < rules.size(); ++r) {
    const Rule& rule = rules[r];
    const auto id = static_cast<std::uint32_t>(r);
    const auto step = fast_pattern_step(rule);
    if (!step) {
      (rule.is_event_rule() ? pf->always_event_ : pf->always_packet_).push_back(id);
      continue;
    }
    const MatchStep& s = rule.steps[*step];
    const auto b = static_cast<std::size_t>(s.buffer);
    // Hyperscan folds case for ASCII letters only, as Suricata's nocase does.
    auto key = std::make_pair(s.content.bytes, s.content.nocase);
    auto [it, inserted] = index[b].try_emplace(key, literals[b].size());
    if (inserted) literals[b].push_back(Literal{s.content.bytes, s.content.nocase, {}});
    literals[b][it->second].rules.push_back(id);
  }

  for (std::size_t b = 0; b < kBuffers; ++b) {
    const auto& lits = literals[b];
    if (lits.empty()) continue;
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> flags, ids;
    exprs.reserve(lits.size());
    pf->first_[b].reserve(lits.size() + 1);
    for (std::size_t p = 0; p < lits.size(); ++p) {
      exprs.push_back(lits[p].bytes.data());
      lens.push_back(lits[p].bytes.size());
      flags.push_back(HS_FLAG_SINGLEMATCH | (lits[p].nocase ? HS_FLAG_CASELESS : 0u));
      ids.push_back(static_cast<unsigned>(p));
      pf->first_[b].push_back(static_cast<std::uint32_t>(pf->rule_ids_[b].size()));
      pf->rule_ids_[b].insert(pf->rule_ids_[b].end(), lits[p].rules.begin(), lits[p].rules.end());
    }
    pf->first_[b].push_back(static_cast<std::uint32_t>(pf->rule_ids_[b].size()));

    hs_compile_error_t* err = nullptr;
    const hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                               static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr,
                                               &pf->dbs_[b], &err);
    if (rc != HS_SUCCESS) {
      std::string msg = err != nullptr && err->message != nullptr ? err->message : "unknown error";
      std::string who;
      if (err != nullptr && err->expression >= 0 && static_cast<std::size_t>(err->expression) < lits.size()) {
        who = "sid " + std::to_string(rules[lits[static_cast<std::size_t>(err->expression)].rules.front()].sid) + ": ";
      }
      hs_free_compile_error(err);
      return Error{who + "hyperscan refused the " + rule_buffer_name(static_cast<RuleBuffer>(b)) +
                   " fast patterns: " + msg};
    }
    pf->pattern_count_ += lits.size();
  }
  return pf;
}

Result<void> RulePrefilter::alloc_scratch(hs_scratch** scratch) const {
  for (hs_database* db : dbs_) {
    if (db == nullptr) continue;
    if (hs_alloc_scratch(db, scratch) != HS_SUCCESS) return Error{"hyperscan: cannot allocate scratch"};
  }
  return ok();
}

void RulePrefilter::scan(RuleBuffer buffer, std::span<const std::uint8_t> data, hs_scratch* scratch,
                         CandidateSet& out) const noexcept {
  const auto b = static_cast<std::size_t>(buffer);
  hs_database* db = dbs_[b];
  if (db == nullptr || data.empty() || scratch == nullptr) return;
  ScanContext ctx{this, &out, b};
  // Hyperscan takes an unsigned length; a larger buffer is scanned only in
  // its first 4 GiB, which no packet or protocol field reaches.
  const auto len = static_cast<unsigned>(std::min<std::size_t>(data.size(), 0xffffffffu));
  (void)hs_scan(db, reinterpret_cast<const char*>(data.data()), len, 0, scratch, on_match, &ctx);
}

}  // namespace opensoc::detect
