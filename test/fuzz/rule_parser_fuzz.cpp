// libFuzzer entry point for parse_rules over arbitrary bytes (rule files come
// from operators and rule feeds, so the parser must refuse garbage cleanly).
// Besides "no crash, no sanitizer report", it checks what callers rely on:
// every rule has a sid that is unique in the load, flattened specs are
// consistent, error texts are bounded, and parsing is deterministic.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "detect/rule_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::detect;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const RuleVariables vars = RuleVariables::defaults();
  const RuleParseResult r = parse_rules(text, "fuzz.rules", vars);
  std::set<std::uint32_t> sids;
  for (const Rule& rule : r.rules) {
    if (rule.sid == 0 || !sids.insert(rule.sid).second) __builtin_trap();
    if (rule.action != "alert") __builtin_trap();
    if (!rule.src.any && rule.src.include.empty()) __builtin_trap();
    if (!rule.dst.any && rule.dst.include.empty()) __builtin_trap();
    if (!rule.src_ports.any && rule.src_ports.include.empty()) __builtin_trap();
    if (!rule.dst_ports.any && rule.dst_ports.include.empty()) __builtin_trap();
    for (const PortRange& p : rule.dst_ports.include) {
      if (p.lo > p.hi) __builtin_trap();
    }
    bool packet = false, event = false;
    for (const MatchStep& s : rule.steps) {
      (s.buffer == RuleBuffer::packet ? packet : event) = true;
      if (s.buffer >= RuleBuffer::count_) __builtin_trap();
      if (s.kind == MatchStep::Kind::content && s.content.bytes.empty()) __builtin_trap();
      if (s.content.depth && *s.content.depth < static_cast<std::int32_t>(s.content.bytes.size())) __builtin_trap();
    }
    if (packet && event) __builtin_trap();
    if (rule.priority == 0) __builtin_trap();
    if (rule.line == 0) __builtin_trap();
  }
  for (const RuleError& e : r.errors) {
    if (e.text.size() > 512 || e.message.empty() || e.line == 0) __builtin_trap();
  }
  // Same input, same answer.
  const RuleParseResult again = parse_rules(text, "fuzz.rules", vars);
  if (again.rules.size() != r.rules.size() || again.errors.size() != r.errors.size()) __builtin_trap();
  return 0;
}
