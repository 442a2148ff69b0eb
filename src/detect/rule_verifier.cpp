// RuleVerifier: exact evaluation of a candidate rule, run by the detection
// thread that owns the VerifierScratch. The prefilter only says a rule's
// literal occurs somewhere; here every step is checked in rule order with
// Suricata's positional semantics:
//  - offset/depth are absolute, depth counted from offset;
//  - distance/within are relative to the end of the previous match in the
//    same buffer (within counted from the distance point);
//  - a non-relative pcre sets the point for later relative steps too;
//  - a later relative step failing retries the earlier content or pcre at
//    its next occurrence (Suricata's "relative next" loop), bounded by an
//    inspection budget, while an absolute step failing ends the rule at once
//    since no earlier choice can change its window.
#include "detect/rule_verifier.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace opensoc::detect {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
// PCRE2 limits per match attempt, as Suricata's pcre.match-limit keeps a
// hostile payload from turning a regex into a CPU sink.
constexpr std::uint32_t kPcreMatchLimit = 10000;
constexpr std::uint32_t kPcreDepthLimit = 1500;

std::uint8_t ascii_lower(std::uint8_t c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c; }

bool equal_at(const std::uint8_t* hay, const std::string& needle, bool nocase) noexcept {
  const auto* n = reinterpret_cast<const std::uint8_t*>(needle.data());
  if (!nocase) return std::memcmp(hay, n, needle.size()) == 0;
  for (std::size_t i = 0; i < needle.size(); ++i) {
    if (ascii_lower(hay[i]) != ascii_lower(n[i])) return false;
  }
  return true;
}

// First occurrence of `needle` starting at or after `start` and ending at or
// before `end` (end <= data.size()), kNone if none.
std::size_t find_in(std::span<const std::uint8_t> data, std::size_t start, std::size_t end, const std::string& needle,
                    bool nocase) noexcept {
  const std::size_t n = needle.size();
  if (end > data.size() || start > end || end - start < n) return kNone;
  if (n == 0) return start;
  const std::uint8_t* base = data.data();
  if (!nocase) {
    const void* p = memmem(base + start, end - start, needle.data(), n);
    return p == nullptr ? kNone : static_cast<std::size_t>(static_cast<const std::uint8_t*>(p) - base);
  }
  const std::uint8_t first = ascii_lower(static_cast<std::uint8_t>(needle[0]));
  for (std::size_t i = start; i + n <= end; ++i) {
    if (ascii_lower(base[i]) == first && equal_at(base + i, needle, true)) return i;
  }
  return kNone;
}

// The window [start, end) a content occurrence must lie in, or nullopt-like
// (start > end) when it is empty.
struct Window {
  std::size_t start = 0, end = 0;
  bool empty = true;
};

Window content_window(const ContentMatch& c, std::size_t len, std::size_t prev_end) noexcept {
  std::int64_t start = 0;
  std::int64_t end = static_cast<std::int64_t>(len);
  if (c.relative()) {
    const std::int64_t base = static_cast<std::int64_t>(prev_end) + c.distance.value_or(0);
    start = std::max<std::int64_t>(0, base);
    if (c.within) end = std::min<std::int64_t>(end, base + *c.within);
  } else {
    start = c.offset.value_or(0);
    if (c.depth) end = std::min<std::int64_t>(end, start + *c.depth);
  }
  const auto n = static_cast<std::int64_t>(c.bytes.size());
  if (c.startswith) {
    if (start > 0) return {};
    end = std::min<std::int64_t>(end, n);
  }
  if (c.endswith) {
    // Only the occurrence that ends the buffer counts.
    if (end < static_cast<std::int64_t>(len)) return {};
    start = std::max<std::int64_t>(start, static_cast<std::int64_t>(len) - n);
  }
  if (start < 0 || end - start < n) return {};
  return Window{static_cast<std::size_t>(start), static_cast<std::size_t>(end), false};
}

bool is_relative(const MatchStep& s) noexcept {
  return s.kind == MatchStep::Kind::content ? s.content.relative() : s.pcre.relative;
}
bool is_negated(const MatchStep& s) noexcept {
  return s.kind == MatchStep::Kind::content ? s.content.negated : s.pcre.negated;
}

// Whether a later step of `buffer` reads the point this positive step sets:
// a relative step before the next positive step of the buffer. Only then is
// trying this step's next occurrence worth anything.
bool point_is_read_later(const Rule& rule, RuleBuffer buffer, std::size_t step) noexcept {
  for (std::size_t j = step + 1; j < rule.steps.size(); ++j) {
    const MatchStep& s = rule.steps[j];
    if (s.buffer != buffer) continue;
    if (is_relative(s)) return true;
    if (!is_negated(s)) return false;
  }
  return false;
}

bool protocol_matches(RuleProtocol p, const HeaderView& h) noexcept {
  switch (p) {
    case RuleProtocol::ip: return true;
    case RuleProtocol::tcp: return h.ip_proto == 6;
    case RuleProtocol::udp: return h.ip_proto == 17;
    case RuleProtocol::icmp: return h.ip_proto == 1 || h.ip_proto == 58;
    case RuleProtocol::dns: return h.app == AppProtocol::dns;
    case RuleProtocol::http: return h.app == AppProtocol::http;
    case RuleProtocol::tls: return h.app == AppProtocol::tls;
    case RuleProtocol::ssh: return h.app == AppProtocol::ssh;
    case RuleProtocol::dhcp: return h.app == AppProtocol::dhcp;
  }
  return false;
}

bool flow_matches(const FlowSpec& f, const HeaderView& h) noexcept {
  if (f.established && !h.established) return false;
  if (f.not_established && h.established) return false;
  if (f.to_server && !h.to_server) return false;
  if (f.to_client && h.to_server) return false;
  return true;
}

bool oriented_matches(const Rule& r, const IpAddress& src, const IpAddress& dst, std::uint16_t sp,
                      std::uint16_t dp) noexcept {
  return r.src_ports.matches(sp) && r.dst_ports.matches(dp) && r.src.matches(src) && r.dst.matches(dst);
}

}  // namespace

VerifierScratch::~VerifierScratch() {
  pcre2_match_data_free(match_data_);
  pcre2_match_context_free(match_context_);
  pcre2_jit_stack_free(jit_stack_);
}

RuleVerifier::~RuleVerifier() {
  for (pcre2_code* c : codes_) pcre2_code_free(c);
}

Result<std::unique_ptr<RuleVerifier>> RuleVerifier::build(const std::vector<Rule>& rules) {
  std::unique_ptr<RuleVerifier> v(new RuleVerifier());
  v->first_code_.reserve(rules.size());
  for (const Rule& rule : rules) {
    v->first_code_.push_back(static_cast<std::uint32_t>(v->codes_.size()));
    for (const MatchStep& s : rule.steps) {
      if (s.kind != MatchStep::Kind::pcre) {
        v->codes_.push_back(nullptr);
        continue;
      }
      std::uint32_t opts = 0;
      if (s.pcre.caseless) opts |= PCRE2_CASELESS;
      if (s.pcre.dotall) opts |= PCRE2_DOTALL;
      if (s.pcre.multiline) opts |= PCRE2_MULTILINE;
      if (s.pcre.extended) opts |= PCRE2_EXTENDED;
      int err = 0;
      PCRE2_SIZE err_off = 0;
      pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(s.pcre.pattern.data()), s.pcre.pattern.size(),
                                       opts, &err, &err_off, nullptr);
      if (code == nullptr) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        return Error{"sid " + std::to_string(rule.sid) + ": pcre \"" + s.pcre.pattern + "\" at offset " +
                     std::to_string(err_off) + ": " + reinterpret_cast<const char*>(buf)};
      }
      // JIT is an optimisation: without it (unsupported CPU, no executable
      // memory) the interpreter gives the same answers.
      (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
      std::uint32_t captures = 0;
      pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
      v->max_pairs_ = std::max(v->max_pairs_, captures + 1);
      v->codes_.push_back(code);
      ++v->pcre_count_;
    }
  }
  return v;
}

std::unique_ptr<VerifierScratch> RuleVerifier::make_scratch() const {
  std::unique_ptr<VerifierScratch> s(new VerifierScratch());
  s->match_data_ = pcre2_match_data_create(max_pairs_, nullptr);
  s->match_context_ = pcre2_match_context_create(nullptr);
  if (s->match_context_ != nullptr) {
    pcre2_set_match_limit(s->match_context_, kPcreMatchLimit);
    pcre2_set_depth_limit(s->match_context_, kPcreDepthLimit);
    // The default 32 KiB JIT stack fails some real-world patterns with
    // JIT_STACKLIMIT; give each thread room once, up front.
    s->jit_stack_ = pcre2_jit_stack_create(32 * 1024, 512 * 1024, nullptr);
    if (s->jit_stack_ != nullptr) pcre2_jit_stack_assign(s->match_context_, nullptr, s->jit_stack_);
  }
  return s;
}

bool RuleVerifier::header_matches(const Rule& rule, const HeaderView& h) noexcept {
  if (!protocol_matches(rule.protocol, h) || !flow_matches(rule.flow, h)) return false;
  if (oriented_matches(rule, *h.src_ip, *h.dst_ip, h.src_port, h.dst_port)) return true;
  return rule.bidirectional && oriented_matches(rule, *h.dst_ip, *h.src_ip, h.dst_port, h.src_port);
}

bool RuleVerifier::steps_match(const Rule& rule, std::size_t rule_index, RuleBuffer buffer,
                               std::span<const std::uint8_t> data, VerifierScratch& scratch) const noexcept {
  if (rule_index >= first_code_.size()) return false;
  scratch.budget_ = kInspectionLimit;
  const pcre2_code* const* codes = codes_.data() + first_code_[rule_index];
  return inspect(rule, codes, buffer, 0, data, 0, scratch) == Outcome::match;
}

RuleVerifier::Outcome RuleVerifier::inspect(const Rule& rule, const pcre2_code* const* codes, RuleBuffer buffer,
                                            std::size_t step, std::span<const std::uint8_t> data,
                                            std::size_t prev_end, VerifierScratch& scratch) const noexcept {
  while (step < rule.steps.size() && rule.steps[step].buffer != buffer) ++step;
  if (step == rule.steps.size()) return Outcome::match;
  if (scratch.budget_ == 0) return Outcome::fatal;
  --scratch.budget_;

  const MatchStep& s = rule.steps[step];
  const bool relative = is_relative(s);
  // A step whose window does not depend on earlier choices fails for every
  // earlier choice: stop backtracking.
  const Outcome miss = relative ? Outcome::no_match : Outcome::fatal;
  const bool retry = point_is_read_later(rule, buffer, step);

  if (s.kind == MatchStep::Kind::content) {
    const ContentMatch& c = s.content;
    const Window w = content_window(c, data.size(), prev_end);
    std::size_t pos = w.empty ? kNone : find_in(data, w.start, w.end, c.bytes, c.nocase);
    if (c.negated) {
      if (pos != kNone) return miss;
      return inspect(rule, codes, buffer, step + 1, data, prev_end, scratch);
    }
    if (pos == kNone) return miss;
    for (;;) {
      const Outcome r = inspect(rule, codes, buffer, step + 1, data, pos + c.bytes.size(), scratch);
      if (r != Outcome::no_match || !retry) return r;
      if (scratch.budget_ == 0) return Outcome::fatal;
      --scratch.budget_;
      pos = find_in(data, pos + 1, w.end, c.bytes, c.nocase);
      if (pos == kNone) return Outcome::no_match;
    }
  }

  // pcre: a relative one sees the buffer from the previous match on, so `^`
  // anchors there, as in Suricata.
  const pcre2_code* code = codes[step];
  if (code == nullptr || scratch.match_data_ == nullptr) return Outcome::fatal;
  const std::size_t base = relative ? std::min(prev_end, data.size()) : 0;
  static constexpr std::uint8_t kEmpty = 0;
  const std::uint8_t* subject = data.empty() ? &kEmpty : data.data() + base;
  const std::size_t subject_len = data.size() - base;
  std::size_t start = 0;
  for (;;) {
    const int rc = pcre2_match(code, subject, subject_len, start, 0, scratch.match_data_, scratch.match_context_);
    if (rc == PCRE2_ERROR_NOMATCH) {
      if (s.pcre.negated) return start == 0 ? inspect(rule, codes, buffer, step + 1, data, prev_end, scratch) : miss;
      return start == 0 ? miss : Outcome::no_match;
    }
    if (rc < 0) return Outcome::fatal;  // limits hit: treat as no match, like Suricata
    if (s.pcre.negated) return miss;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(scratch.match_data_);
    const std::size_t m_start = ov[0];
    const std::size_t m_end = ov[1];
    const Outcome r = inspect(rule, codes, buffer, step + 1, data, base + m_end, scratch);
    if (r != Outcome::no_match || !retry) return r;
    if (scratch.budget_ == 0) return Outcome::fatal;
    --scratch.budget_;
    start = m_start + 1;
    if (start > subject_len) return Outcome::no_match;
  }
}

}  // namespace opensoc::detect
