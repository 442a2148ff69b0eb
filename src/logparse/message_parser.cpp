// MessageParser: the chain of parsers one listener applies to each message.
//
// A chain is an optional framing step (syslog, either RFC or a fixed one)
// followed by body steps tried in order on the syslog MSG, or on the whole
// message when there is no framing. "auto" is both: syslog when the message
// starts with "<PRI>", then a body parser chosen by what the text looks like.
// A body parser that refuses the text is rolled back (its partial fields
// removed) before the next one runs; a syslog message whose MSG no body
// parser accepted is still a parsed syslog event. A message nothing accepted
// becomes a raw event: parsed = false, parser "raw", tags "_parse_failure".
//
// Built once from the listener's config (patterns compiled then); parse() runs
// on the listener's parser thread, one instance per thread.
#include "logparse/message_parser.hpp"

#include <utility>

#include "logparse/cef_parser.hpp"
#include "logparse/kv_parser.hpp"
#include "logparse/leef_parser.hpp"
#include "logparse/syslog_parser.hpp"

namespace opensoc::logparse {

namespace {

enum class StepKind : std::uint8_t { automatic, syslog, rfc5424, rfc3164, json, eve, zeek, cef, leef, kv, pattern };

bool is_framing(StepKind k) noexcept {
  return k == StepKind::syslog || k == StepKind::rfc5424 || k == StepKind::rfc3164;
}

std::string_view trim_line_end(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

std::string_view trim_front(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// "<PRI>" with PRI 1-3 digits: what RFC 5424 and 3164 messages start with.
bool looks_like_syslog(std::string_view s) noexcept {
  if (s.size() < 3 || s[0] != '<') return false;
  std::size_t i = 1;
  while (i < s.size() && i <= 4 && s[i] >= '0' && s[i] <= '9') ++i;
  return i > 1 && i <= 4 && i < s.size() && s[i] == '>';
}

}  // namespace

struct MessageParser::Step {
  StepKind kind = StepKind::automatic;
  std::size_t pattern = 0;  // index into patterns_ for StepKind::pattern
};

struct MessageParser::Snapshot {
  std::size_t fields = 0;
  LogEndpoints endpoints;
  TimestampNs timestamp = 0;
};

Result<std::unique_ptr<MessageParser>> MessageParser::create(const MessageParserConfig& config) {
  std::unique_ptr<MessageParser> p(new MessageParser());

  for (const auto& [name, text] : config.patterns) {
    auto g = GrokPattern::compile(text, config.patterns);
    if (!g) return g.error().context("pattern '" + name + "'");
    p->patterns_.emplace_back(name, std::move(*g));
  }
  const auto index_of = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < p->patterns_.size(); ++i)
      if (p->patterns_[i].first == name) return i;
    return std::nullopt;
  };
  if (config.pattern_order.empty()) {
    for (std::size_t i = 0; i < p->patterns_.size(); ++i) p->auto_patterns_.push_back(i);  // std::map: by name
  } else {
    for (const auto& name : config.pattern_order) {
      const auto i = index_of(name);
      if (!i) return Error{"pattern_order names an unknown pattern '" + name + "'"};
      p->auto_patterns_.push_back(*i);
    }
  }

  if (config.chain.empty()) return Error{"parser chain is empty"};
  for (std::size_t n = 0; n < config.chain.size(); ++n) {
    const std::string& name = config.chain[n];
    Step s;
    if (name == "auto") s.kind = StepKind::automatic;
    else if (name == "syslog") s.kind = StepKind::syslog;
    else if (name == "rfc5424") s.kind = StepKind::rfc5424;
    else if (name == "rfc3164") s.kind = StepKind::rfc3164;
    else if (name == "json") s.kind = StepKind::json;
    else if (name == "eve") s.kind = StepKind::eve;
    else if (name == "zeek") s.kind = StepKind::zeek;
    else if (name == "cef") s.kind = StepKind::cef;
    else if (name == "leef") s.kind = StepKind::leef;
    else if (name == "kv") s.kind = StepKind::kv;
    else if (name.starts_with("pattern:")) {
      const auto i = index_of(std::string_view(name).substr(8));
      if (!i) return Error{"parser chain names an unknown pattern '" + name.substr(8) + "'"};
      s.kind = StepKind::pattern;
      s.pattern = *i;
    } else {
      return Error{"unknown parser '" + name + "' in the chain"};
    }
    if (is_framing(s.kind) && n != 0) return Error{"parser '" + name + "' frames the message: it must come first"};
    p->steps_.push_back(s);
  }
  return p;
}

MessageParser::~MessageParser() = default;

MessageParser::Snapshot MessageParser::snapshot(const LogEvent& out) {
  saved_dataset_.assign(out.dataset);
  saved_parser_.assign(out.parser);
  return Snapshot{out.fields.size(), out.endpoints, out.timestamp};
}

void MessageParser::restore(const Snapshot& s, bool syslog_ok, LogEvent& out) {
  out.fields.erase(out.fields.begin() + static_cast<std::ptrdiff_t>(s.fields), out.fields.end());
  out.endpoints = s.endpoints;
  out.timestamp = s.timestamp;
  out.dataset.assign(saved_dataset_);
  out.parser.assign(saved_parser_);
  if (syslog_ok) {
    out.message.assign(body_);
  } else {
    out.message.clear();
  }
}

void MessageParser::fail(std::string_view parser, const Error& e) {
  // Most parsers already name themselves ("kv: ...", "rfc5424: ...").
  const std::string_view m = e.message;
  const bool named = (m.starts_with(parser) && m.size() > parser.size() && m[parser.size()] == ':') ||
                     (parser == "syslog" && m.starts_with("rfc"));
  if (named) {
    error_.assign(m);
  } else {
    error_.assign(parser).append(": ").append(m);
  }
}

bool MessageParser::try_body(const Step& step, std::string_view text, bool syslog_ok, LogEvent& out) {
  if (step.kind == StepKind::automatic) return try_auto_body(text, syslog_ok, out);
  const Snapshot snap = snapshot(out);
  Result<void> r;
  std::string_view name;
  switch (step.kind) {
    case StepKind::json: name = "json"; r = json_.parse(text, JsonFlavour::automatic, out); break;
    case StepKind::eve: name = "eve"; r = json_.parse(text, JsonFlavour::eve, out); break;
    case StepKind::zeek: name = "zeek"; r = json_.parse(text, JsonFlavour::zeek, out); break;
    case StepKind::cef: name = "cef"; r = parse_cef(text, out); break;
    case StepKind::leef: name = "leef"; r = parse_leef(text, out); break;
    case StepKind::kv: name = "kv"; r = parse_kv(text, out); break;
    case StepKind::pattern: {
      const auto& [pname, g] = patterns_[step.pattern];
      name = pname;
      if (g.match(text, out)) {
        out.parser.assign("pattern:").append(pname);
        if (out.dataset.empty()) out.dataset = "log";
      } else {
        r = Error{"no match"};
      }
      break;
    }
    case StepKind::automatic:
    case StepKind::syslog:
    case StepKind::rfc5424:
    case StepKind::rfc3164:
      return false;  // not body parsers (create() keeps them first)
  }
  if (r) {
    // A JSON document is its own fields: the MSG it came in is event.original.
    if (syslog_ok && (step.kind == StepKind::json || step.kind == StepKind::eve || step.kind == StepKind::zeek) &&
        out.message == body_)
      out.message.clear();
    return true;
  }
  if (step.kind == StepKind::pattern) {
    error_.assign("pattern:").append(name).append(": ").append(r.error().message);
  } else {
    fail(name, r.error());
  }
  restore(snap, syslog_ok, out);
  return false;
}

bool MessageParser::try_auto_body(std::string_view text, bool syslog_ok, LogEvent& out) {
  const std::string_view t = trim_front(text);
  // Explicit markers first: these formats say what they are, and when their
  // parser refuses, its reason is the one worth reporting.
  StepKind marked = StepKind::automatic;
  if (t.starts_with("CEF:")) marked = StepKind::cef;
  else if (t.starts_with("LEEF:")) marked = StepKind::leef;
  else if (t.starts_with("{")) marked = StepKind::json;
  if (marked != StepKind::automatic && try_body(Step{marked, 0}, t, syslog_ok, out)) return true;
  const std::size_t marked_error_size = error_.size();
  if (marked != StepKind::automatic) marked_error_.assign(error_);
  for (const std::size_t i : auto_patterns_)
    if (try_body(Step{StepKind::pattern, i}, text, syslog_ok, out)) return true;
  if (try_body(Step{StepKind::kv, 0}, text, syslog_ok, out)) return true;
  if (marked != StepKind::automatic && marked_error_size != 0) error_.assign(marked_error_);
  return false;
}

void MessageParser::parse(std::string_view message, LogEvent& out) {
  out.original.assign(message);
  const std::string_view text = trim_line_end(message);
  error_.clear();

  bool syslog_ok = false;
  std::size_t body_from = 0;
  const StepKind first = steps_.empty() ? StepKind::automatic : steps_.front().kind;
  if (is_framing(first) || (first == StepKind::automatic && looks_like_syslog(text))) {
    const SyslogFormat fmt = first == StepKind::rfc5424   ? SyslogFormat::rfc5424
                             : first == StepKind::rfc3164 ? SyslogFormat::rfc3164
                                                          : SyslogFormat::automatic;
    if (auto r = parse_syslog(text, fmt, out.received, out); r) {
      syslog_ok = true;
    } else {
      fail("syslog", r.error());
      // What a refused parser left behind is not part of the event.
      out.fields.clear();
      out.endpoints = LogEndpoints{};
      out.timestamp = 0;
      out.message.clear();
      out.dataset.clear();
      out.parser.clear();
    }
    if (is_framing(first)) body_from = 1;
  }

  // An explicit framing parser that refused leaves nothing for the body
  // parsers: the listener said what the messages are.
  if (syslog_ok || !is_framing(first)) {
    std::string_view body = text;
    if (syslog_ok) {
      body_.assign(out.message);  // body parsers may rewrite out.message
      body = body_;
    }
    const std::string syslog_error = syslog_ok ? std::string() : error_;
    for (std::size_t i = body_from; i < steps_.size(); ++i) {
      if (try_body(steps_[i], body, syslog_ok, out)) {
        out.parsed = true;
        out.parse_error.clear();
        return;
      }
    }
    if (syslog_ok) {
      out.parsed = true;  // a syslog message whose MSG is plain text
      out.parse_error.clear();
      return;
    }
    // A message that looked like syslog is best explained by syslog's refusal.
    if (!syslog_error.empty()) error_ = syslog_error;
  }

  out.fields.clear();
  out.endpoints = LogEndpoints{};
  out.timestamp = 0;
  out.parsed = false;
  out.parser = "raw";
  out.dataset = "log";
  out.message.assign(text);
  out.parse_error = error_.empty() ? std::string("no parser accepted the message") : error_;
  out.add("tags", "_parse_failure");
}

}  // namespace opensoc::logparse
