// Rule parser: Suricata rule text -> Rule (rule.hpp), or a RuleError saying
// which keyword was refused and why.
//
// A rule is `action proto src sport dir dst dport (opt; opt:value; ...)`.
// The header's $VARS and groups are expanded here and flattened into
// include/exclude lists, so the engine never sees a variable. Options are
// applied in rule order, as Suricata does: content modifiers attach to the
// last content, a sticky buffer keyword sets the buffer for the content and
// pcre that follow it, and the old-style http_* modifiers move the content
// just before them into their buffer. Checks mirror Suricata's own load-time
// errors (depth smaller than the content, relative and absolute modifiers on
// one content, unknown classtype, ...) so a rule Suricata rejects is rejected
// here too, with a message in the same spirit.
//
// Runs on the control thread (startup, reload). Nothing here is shared: every
// call works on its own values.
#include "detect/rule_parser.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "detect/rule_classtypes.hpp"

namespace opensoc::detect {

namespace {

// Group nesting and variable expansion share one bound, so hostile input
// ("[[[[..." or a long $A -> $B -> ... chain) cannot exhaust the stack.
constexpr int kMaxNesting = 32;
constexpr std::size_t kMaxErrorText = 512;

struct Fail {
  std::string keyword;
  std::string message;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string in_quotes(std::string_view s) {
  // Keep messages short even for hostile input.
  if (s.size() > 64) return "'" + std::string(s.substr(0, 64)) + "...'";
  return "'" + std::string(s) + "'";
}

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
  s = trim(s);
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > max) return std::nullopt;
  }
  return v;
}

std::optional<std::int64_t> parse_int(std::string_view s, std::int64_t min, std::int64_t max) {
  s = trim(s);
  bool neg = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  const auto u = parse_uint(s, static_cast<std::uint64_t>(max) + 1);
  if (!u) return std::nullopt;
  const std::int64_t v = neg ? -static_cast<std::int64_t>(*u) : static_cast<std::int64_t>(*u);
  if (v < min || v > max) return std::nullopt;
  return v;
}

/// Splits the inside of a `[...]` group at its top-level commas.
std::optional<std::vector<std::string_view>> split_group(std::string_view inner) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    const char c = inner[i];
    if (c == '[') {
      ++depth;
    } else if (c == ']') {
      if (--depth < 0) return std::nullopt;
    } else if (c == ',' && depth == 0) {
      parts.push_back(trim(inner.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (depth != 0) return std::nullopt;
  parts.push_back(trim(inner.substr(start)));
  for (auto p : parts) {
    if (p.empty()) return std::nullopt;
  }
  return parts;
}

bool is_group(std::string_view t) { return t.size() >= 2 && t.front() == '[' && t.back() == ']'; }

// ---------------------------------------------------------------- addresses

std::optional<Cidr> parse_cidr(std::string_view t) {
  const std::size_t slash = t.find('/');
  const auto addr = IpAddress::parse(t.substr(0, slash));
  if (!addr) return std::nullopt;
  const unsigned bits = addr->version == 6 ? 128 : 32;
  unsigned prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view p = t.substr(slash + 1);
    if (addr->version == 4 && p.find('.') != std::string_view::npos) {
      // Netmask form, 10.0.0.0/255.0.0.0: must be contiguous ones.
      const auto mask = IpAddress::parse(p);
      if (!mask || mask->version != 4) return std::nullopt;
      std::uint32_t m = 0;
      for (int i = 0; i < 4; ++i) m = (m << 8) | mask->bytes[static_cast<std::size_t>(i)];
      prefix = 0;
      while (prefix < 32 && (m & (0x80000000u >> prefix)) != 0) ++prefix;
      if (prefix < 32 && (m << prefix) != 0) return std::nullopt;
    } else {
      const auto n = parse_uint(p, bits);
      if (!n) return std::nullopt;
      prefix = static_cast<unsigned>(*n);
    }
  }
  Cidr c;
  c.network = *addr;
  c.prefix = static_cast<std::uint8_t>(prefix);
  // Zero the host bits so the engine can compare networks bytewise.
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned lo = i * 8;
    if (lo >= prefix) {
      c.network.bytes[i] = 0;
    } else if (prefix - lo < 8) {
      c.network.bytes[i] = static_cast<std::uint8_t>(c.network.bytes[i] & (0xFFu << (8 - (prefix - lo))));
    }
  }
  return c;
}

// -------------------------------------------------------------------- ports

std::optional<PortRange> parse_port_range(std::string_view t) {
  const std::size_t colon = t.find(':');
  PortRange r;
  if (colon == std::string_view::npos) {
    const auto p = parse_uint(t, 65535);
    if (!p) return std::nullopt;
    r.lo = r.hi = static_cast<std::uint16_t>(*p);
    return r;
  }
  const std::string_view lo = trim(t.substr(0, colon));
  const std::string_view hi = trim(t.substr(colon + 1));
  if (lo.empty() && hi.empty()) return std::nullopt;
  if (!lo.empty()) {
    const auto p = parse_uint(lo, 65535);
    if (!p) return std::nullopt;
    r.lo = static_cast<std::uint16_t>(*p);
  }
  if (!hi.empty()) {
    const auto p = parse_uint(hi, 65535);
    if (!p) return std::nullopt;
    r.hi = static_cast<std::uint16_t>(*p);
  }
  if (r.lo > r.hi) return std::nullopt;
  return r;
}

// ------------------------------------------------------- address/port lists

// What differs between an address list and a port list: the noun in the
// messages, where their variables live and how one element is read.
struct AddressList {
  using Item = Cidr;
  using Spec = AddressSpec;
  static constexpr std::string_view kNoun = "address";
  static const std::map<std::string, std::string>& variables(const RuleVariables& v) { return v.addresses; }
  // Returns an error message, or nullopt with `item` set.
  static std::optional<std::string> parse(std::string_view t, Cidr& item) {
    if (t.find('-') != std::string_view::npos && t.find('/') == std::string_view::npos) {
      return "address ranges not supported: " + in_quotes(t);
    }
    const auto c = parse_cidr(t);
    if (!c) return "invalid address " + in_quotes(t);
    item = *c;
    return std::nullopt;
  }
};

struct PortList {
  using Item = PortRange;
  using Spec = PortSpec;
  static constexpr std::string_view kNoun = "port";
  static const std::map<std::string, std::string>& variables(const RuleVariables& v) { return v.ports; }
  static std::optional<std::string> parse(std::string_view t, PortRange& item) {
    const auto r = parse_port_range(t);
    if (!r) return "invalid port " + in_quotes(t);
    item = *r;
    return std::nullopt;
  }
};

/// Flattens an address or port expression ("[$HOME_NET,!10.0.0.1]",
/// "[80,8000:8080]") into include/exclude lists.
template <typename List>
class ListFlattener {
 public:
  explicit ListFlattener(const RuleVariables& vars) : vars_(List::variables(vars)) {}

  std::optional<std::string> add(std::string_view t, bool negated, int depth) {
    const std::string noun(List::kNoun);
    t = trim(t);
    if (depth > kMaxNesting) return noun + " nesting too deep";
    if (t.empty()) return "empty " + noun;
    if (t.front() == '!') {
      if (negated) return "nested negation not supported";
      return add(t.substr(1), true, depth + 1);
    }
    if (t.front() == '[') {
      if (!is_group(t)) return "unbalanced '[' in " + noun + " " + in_quotes(t);
      const auto parts = split_group(t.substr(1, t.size() - 2));
      if (!parts) return "malformed " + noun + " group " + in_quotes(t);
      for (auto p : *parts) {
        if (auto e = add(p, negated, depth + 1)) return e;
      }
      return std::nullopt;
    }
    if (t.front() == '$') {
      const std::string name(t.substr(1));
      const auto it = vars_.find(name);
      if (it == vars_.end()) return "undefined " + noun + " variable $" + name;
      if (std::find(visiting_.begin(), visiting_.end(), name) != visiting_.end()) {
        return noun + " variable $" + name + " refers to itself";
      }
      visiting_.push_back(name);
      auto e = add(it->second, negated, depth + 1);
      visiting_.pop_back();
      return e;
    }
    if (t == "any") {
      if (negated) return "negated 'any' matches nothing";
      any_ = true;
      return std::nullopt;
    }
    typename List::Item item{};
    if (auto e = List::parse(t, item)) return e;
    (negated ? exclude_ : include_).push_back(item);
    return std::nullopt;
  }

  std::optional<std::string> finish(typename List::Spec& out) {
    if (!any_ && include_.empty() && exclude_.empty()) return "empty " + std::string(List::kNoun);
    // Only negations ("!$HOME_NET", "[!a,!b]") mean "anything but".
    out.any = any_ || include_.empty();
    if (!out.any) out.include = std::move(include_);
    out.exclude = std::move(exclude_);
    return std::nullopt;
  }

 private:
  const std::map<std::string, std::string>& vars_;
  std::vector<std::string> visiting_;
  bool any_ = false;
  std::vector<typename List::Item> include_, exclude_;
};

// ------------------------------------------------------------------ strings

/// The text between the quotes of `"..."`, or nullopt.
std::optional<std::string_view> unquote(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::nullopt;
  return v.substr(1, v.size() - 2);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct DecodedContent {
  std::string bytes;
  std::string error;  // empty when decoded
};

/// Decodes a content string: |hex| runs and the escapes \" \; \\ \: .
DecodedContent decode_content(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool hex = false;
  int nibble = -1;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (hex) {
      if (c == '|') {
        if (nibble >= 0) return {{}, "odd number of hex digits in content"};
        hex = false;
      } else if (c == ' ' || c == '\t') {
        if (nibble >= 0) return {{}, "split hex byte in content"};
      } else {
        const int v = hex_value(c);
        if (v < 0) return {{}, std::string("invalid hex character '") + c + "' in content"};
        if (nibble < 0) {
          nibble = v;
        } else {
          out.push_back(static_cast<char>(nibble * 16 + v));
          nibble = -1;
        }
      }
      continue;
    }
    if (c == '|') {
      hex = true;
    } else if (c == '\\') {
      if (i + 1 >= s.size()) return {{}, "trailing '\\' in content"};
      const char e = s[++i];
      if (e != '"' && e != ';' && e != '\\' && e != ':') {
        return {{}, std::string("invalid escape '\\") + e + "' in content"};
      }
      out.push_back(e);
    } else if (c == '"') {
      return {{}, "unescaped '\"' in content"};
    } else {
      out.push_back(c);
    }
  }
  if (hex) return {{}, "unterminated '|' in content"};
  if (out.empty()) return {{}, "empty content"};
  return {std::move(out), {}};
}

/// msg text: quotes dropped, backslash escapes resolved.
std::string unescape_text(std::string_view v) {
  v = trim(v);
  if (const auto q = unquote(v)) v = *q;
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out.push_back(v[i]);
  }
  return out;
}

// ------------------------------------------------------------------ options

struct RawOption {
  std::string name;  // lower-cased
  std::string_view value;
  bool has_value = false;
};

/// Splits the option body at unescaped ';' (Suricata ignores quotes here:
/// a ';' in a string must be written \;).
std::vector<RawOption> split_options(std::string_view body) {
  std::vector<RawOption> opts;
  std::size_t start = 0;
  bool escaped = false;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    const bool end = i == body.size();
    if (!end) {
      const char c = body[i];
      if (escaped) {
        escaped = false;
        continue;
      }
      if (c == '\\') {
        escaped = true;
        continue;
      }
      if (c != ';') continue;
    }
    const std::string_view piece = trim(body.substr(start, i - start));
    start = i + 1;
    if (piece.empty()) continue;
    RawOption o;
    const std::size_t colon = piece.find(':');
    const std::string_view name = trim(piece.substr(0, colon));
    o.name.assign(name);
    std::transform(o.name.begin(), o.name.end(), o.name.begin(),
                   [](char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch; });
    if (colon != std::string_view::npos) {
      o.has_value = true;
      o.value = trim(piece.substr(colon + 1));
    }
    opts.push_back(std::move(o));
  }
  return opts;
}

std::optional<RuleProtocol> parse_protocol(std::string_view p) {
  if (p == "ip") return RuleProtocol::ip;
  // tcp-stream rules are matched per packet, like tcp: the same bytes,
  // except where overlapping retransmissions disagree (docs/DETECTION.md).
  if (p == "tcp" || p == "tcp-pkt" || p == "tcp-stream") return RuleProtocol::tcp;
  if (p == "udp") return RuleProtocol::udp;
  if (p == "icmp") return RuleProtocol::icmp;
  if (p == "dns") return RuleProtocol::dns;
  if (p == "http" || p == "http1") return RuleProtocol::http;
  if (p == "tls") return RuleProtocol::tls;
  if (p == "ssh") return RuleProtocol::ssh;
  if (p == "dhcp") return RuleProtocol::dhcp;
  return std::nullopt;
}

const char* protocol_name(RuleProtocol p) {
  switch (p) {
    case RuleProtocol::ip: return "ip";
    case RuleProtocol::tcp: return "tcp";
    case RuleProtocol::udp: return "udp";
    case RuleProtocol::icmp: return "icmp";
    case RuleProtocol::dns: return "dns";
    case RuleProtocol::http: return "http";
    case RuleProtocol::tls: return "tls";
    case RuleProtocol::ssh: return "ssh";
    case RuleProtocol::dhcp: return "dhcp";
  }
  return "?";
}

/// The app protocol a sticky buffer belongs to.
RuleProtocol buffer_protocol(RuleBuffer b) {
  switch (b) {
    case RuleBuffer::dns_query: return RuleProtocol::dns;
    case RuleBuffer::http_uri:
    case RuleBuffer::http_host:
    case RuleBuffer::http_method:
    case RuleBuffer::http_user_agent: return RuleProtocol::http;
    case RuleBuffer::tls_sni:
    case RuleBuffer::ja3_hash: return RuleProtocol::tls;
    case RuleBuffer::packet:
    case RuleBuffer::count_: break;
  }
  return RuleProtocol::ip;
}

/// Sticky buffer keywords (they take no value and set the buffer).
std::optional<RuleBuffer> sticky_buffer(std::string_view k) {
  if (k == "dns.query" || k == "dns_query") return RuleBuffer::dns_query;
  if (k == "http.uri") return RuleBuffer::http_uri;
  if (k == "http.host") return RuleBuffer::http_host;
  if (k == "http.method") return RuleBuffer::http_method;
  if (k == "http.user_agent") return RuleBuffer::http_user_agent;
  if (k == "tls.sni") return RuleBuffer::tls_sni;
  if (k == "ja3.hash" || k == "ja3_hash") return RuleBuffer::ja3_hash;
  return std::nullopt;
}

/// Old-style modifiers: they move the content before them into the buffer.
/// http_uri with no content before it is read as the sticky form.
std::optional<RuleBuffer> legacy_modifier(std::string_view k) {
  if (k == "http_uri") return RuleBuffer::http_uri;
  if (k == "http_host") return RuleBuffer::http_host;
  if (k == "http_method") return RuleBuffer::http_method;
  if (k == "http_user_agent") return RuleBuffer::http_user_agent;
  return std::nullopt;
}

/// Applies a rule's options in order; one instance per rule.
class OptionApplier {
 public:
  explicit OptionApplier(Rule& rule) : rule_(rule) {}

  std::optional<Fail> apply(const RawOption& o) {
    const std::string& k = o.name;
    if (const auto b = sticky_buffer(k)) {
      if (o.has_value) return Fail{k, in_quotes(k) + " takes no value"};
      return set_buffer(k, *b);
    }
    if (const auto b = legacy_modifier(k)) {
      if (o.has_value) return Fail{k, in_quotes(k) + " takes no value"};
      return legacy(k, *b);
    }
    if (k == "pkt_data") {
      if (o.has_value) return Fail{k, "'pkt_data' takes no value"};
      buffer_ = RuleBuffer::packet;
      return std::nullopt;
    }
    if (k == "msg") {
      if (auto f = need_value(o)) return f;
      rule_.msg = unescape_text(o.value);
      return std::nullopt;
    }
    if (k == "sid" || k == "rev" || k == "gid" || k == "priority") return number_option(o);
    if (k == "classtype") return set_classtype(o);
    if (k == "reference") {
      if (auto f = need_value(o)) return f;
      rule_.references.emplace_back(o.value);
      return std::nullopt;
    }
    if (k == "metadata") {
      if (auto f = need_value(o)) return f;
      if (!rule_.metadata.empty()) rule_.metadata += ", ";
      rule_.metadata.append(o.value);
      return std::nullopt;
    }
    if (k == "content") return add_content(o);
    if (k == "pcre") return add_pcre(o);
    if (k == "nocase" || k == "fast_pattern" || k == "startswith" || k == "endswith" || k == "rawbytes") {
      return flag_modifier(o);
    }
    if (k == "depth" || k == "offset" || k == "distance" || k == "within") return number_modifier(o);
    if (k == "flow") return set_flow(o);
    if (k == "threshold") return set_threshold(o);
    return Fail{k, "unsupported keyword " + in_quotes(k)};
  }

  /// Checks that need the whole rule.
  std::optional<Fail> finish() {
    if (!has_sid_) return Fail{"sid", "rule has no sid"};
    bool packet = false, event = false;
    for (const MatchStep& s : rule_.steps) (s.buffer == RuleBuffer::packet ? packet : event) = true;
    if (packet && event) return Fail{"", "mixing payload content and sticky buffers is not supported"};
    for (const MatchStep& s : rule_.steps) {
      if (s.buffer != RuleBuffer::packet) note_app_buffer(rule_buffer_name(s.buffer), s.buffer);
    }
    if (app_conflict_) return *app_conflict_;
    if (app_) {
      const RuleProtocol want = *app_;
      const RuleProtocol have = rule_.protocol;
      const bool generic_ok = have == RuleProtocol::ip || have == RuleProtocol::tcp ||
                              (want == RuleProtocol::dns && have == RuleProtocol::udp);
      if (have != want && !generic_ok) {
        return Fail{app_keyword_, in_quotes(app_keyword_) + " needs protocol " + protocol_name(want) + ", not " +
                                      protocol_name(have)};
      }
      rule_.protocol = want;
    }
    if (!has_priority_) {
      rule_.priority = 3;
      if (!rule_.classtype.empty()) {
        if (const ClassType* c = find_classtype(rule_.classtype)) rule_.priority = c->priority;
      }
    }
    return std::nullopt;
  }

 private:
  static std::optional<Fail> need_value(const RawOption& o) {
    if (!o.has_value || o.value.empty()) return Fail{o.name, in_quotes(o.name) + " needs a value"};
    return std::nullopt;
  }

  std::optional<Fail> number_option(const RawOption& o) {
    if (auto f = need_value(o)) return f;
    const std::string& k = o.name;
    if (k == "priority") {
      const auto v = parse_uint(o.value, 255);
      if (!v || *v == 0) return Fail{k, "invalid priority " + in_quotes(o.value) + " (1..255)"};
      rule_.priority = static_cast<std::uint8_t>(*v);
      has_priority_ = true;
      return std::nullopt;
    }
    const auto v = parse_uint(o.value, 0xFFFFFFFFu);
    if (!v) return Fail{k, "invalid " + k + " " + in_quotes(o.value)};
    if (k == "sid") {
      if (has_sid_) return Fail{k, "sid given twice"};
      if (*v == 0) return Fail{k, "sid must be positive"};
      rule_.sid = static_cast<std::uint32_t>(*v);
      has_sid_ = true;
    } else if (k == "rev") {
      rule_.rev = static_cast<std::uint32_t>(*v);
    }
    // gid: accepted and ignored (every rule here is gid 1).
    return std::nullopt;
  }

  std::optional<Fail> set_classtype(const RawOption& o) {
    if (auto f = need_value(o)) return f;
    if (find_classtype(o.value) == nullptr) return Fail{"classtype", "unknown classtype " + in_quotes(o.value)};
    rule_.classtype.assign(o.value);
    return std::nullopt;
  }

  std::optional<Fail> set_buffer(const std::string& k, RuleBuffer b) {
    buffer_ = b;
    note_app_buffer(k, b);
    return std::nullopt;
  }

  void note_app_buffer(const std::string& keyword, RuleBuffer b) {
    const RuleProtocol p = buffer_protocol(b);
    if (!app_) {
      app_ = p;
      app_keyword_ = keyword;
    } else if (*app_ != p && !app_conflict_) {
      app_conflict_ = Fail{keyword, in_quotes(keyword) + " and " + in_quotes(app_keyword_) + " need different protocols"};
    }
  }

  MatchStep* last_content() {
    for (auto it = rule_.steps.rbegin(); it != rule_.steps.rend(); ++it) {
      if (it->kind == MatchStep::Kind::content) return &*it;
    }
    return nullptr;
  }

  std::optional<Fail> legacy(const std::string& k, RuleBuffer b) {
    MatchStep* s = last_content();
    if (s == nullptr) return set_buffer(k, b);  // the sticky form
    if (s->buffer == b) return std::nullopt;
    if (s->buffer != RuleBuffer::packet) {
      return Fail{k, in_quotes(k) + " after a content already in " + rule_buffer_name(s->buffer)};
    }
    s->buffer = b;
    note_app_buffer(k, b);
    return std::nullopt;
  }

  std::optional<Fail> add_content(const RawOption& o) {
    if (auto f = need_value(o)) return f;
    std::string_view v = o.value;
    MatchStep s;
    s.buffer = buffer_;
    s.kind = MatchStep::Kind::content;
    if (!v.empty() && v.front() == '!') {
      s.content.negated = true;
      v = trim(v.substr(1));
    }
    const auto inner = unquote(v);
    if (!inner) return Fail{"content", "content must be a quoted string"};
    DecodedContent decoded = decode_content(*inner);
    if (!decoded.error.empty()) return Fail{"content", std::move(decoded.error)};
    s.content.bytes = std::move(decoded.bytes);
    rule_.steps.push_back(std::move(s));
    return std::nullopt;
  }

  std::optional<Fail> add_pcre(const RawOption& o) {
    if (auto f = need_value(o)) return f;
    std::string_view v = o.value;
    MatchStep s;
    s.buffer = buffer_;
    s.kind = MatchStep::Kind::pcre;
    if (!v.empty() && v.front() == '!') {
      s.pcre.negated = true;
      v = trim(v.substr(1));
    }
    const auto inner = unquote(v);
    if (!inner || inner->size() < 2 || inner->front() != '/') {
      return Fail{"pcre", "pcre must be a quoted \"/regex/flags\""};
    }
    const std::size_t close = inner->rfind('/');
    if (close == 0) return Fail{"pcre", "pcre must be a quoted \"/regex/flags\""};
    s.pcre.pattern.assign(inner->substr(1, close - 1));
    if (s.pcre.pattern.empty()) return Fail{"pcre", "empty pcre"};
    const std::string_view flags = inner->substr(close + 1);
    if (flags.find(',') != std::string_view::npos) {
      return Fail{"pcre", "pcre capture into variables not supported"};
    }
    for (char f : flags) {
      switch (f) {
        case 'i': s.pcre.caseless = true; break;
        case 's': s.pcre.dotall = true; break;
        case 'm': s.pcre.multiline = true; break;
        case 'x': s.pcre.extended = true; break;
        case 'R': s.pcre.relative = true; break;
        case 'U':
          if (buffer_ != RuleBuffer::packet && buffer_ != RuleBuffer::http_uri) {
            return Fail{"pcre", std::string("pcre flag 'U' inside sticky buffer ") + rule_buffer_name(buffer_)};
          }
          s.buffer = RuleBuffer::http_uri;
          note_app_buffer("pcre", RuleBuffer::http_uri);
          break;
        default: return Fail{"pcre", std::string("unsupported pcre flag '") + f + "'"};
      }
    }
    rule_.steps.push_back(std::move(s));
    return std::nullopt;
  }

  std::optional<Fail> flag_modifier(const RawOption& o) {
    const std::string& k = o.name;
    if (k == "rawbytes") return std::nullopt;  // the payload is always raw here
    MatchStep* s = last_content();
    if (s == nullptr) return Fail{k, in_quotes(k) + " needs a preceding content"};
    ContentMatch& c = s->content;
    if (k == "nocase") {
      if (o.has_value) return Fail{k, "'nocase' takes no value"};
      if (c.nocase) return Fail{k, "nocase given twice for one content"};
      c.nocase = true;
    } else if (k == "fast_pattern") {
      if (o.has_value && o.value != "only") {
        // fast_pattern:N,M (chop) only tunes the prefilter; accept as plain.
        const std::size_t comma = o.value.find(',');
        if (comma == std::string_view::npos || !parse_uint(o.value.substr(0, comma), 65535) ||
            !parse_uint(o.value.substr(comma + 1), 65535)) {
          return Fail{k, "invalid fast_pattern value " + in_quotes(o.value)};
        }
      }
      if (fast_pattern_seen_) return Fail{k, "fast_pattern can be used on only one content in a rule"};
      if (c.negated && o.has_value && o.value == "only") {
        return Fail{k, "fast_pattern:only cannot be used on a negated content"};
      }
      fast_pattern_seen_ = true;
      c.fast_pattern = true;
    } else if (k == "startswith") {
      if (o.has_value) return Fail{k, "'startswith' takes no value"};
      if (c.startswith) return Fail{k, "startswith given twice for one content"};
      if (c.offset || c.depth || c.relative()) {
        return Fail{k, "startswith cannot be mixed with offset, depth, distance or within"};
      }
      c.startswith = true;
    } else {  // endswith
      if (o.has_value) return Fail{k, "'endswith' takes no value"};
      if (c.endswith) return Fail{k, "endswith given twice for one content"};
      c.endswith = true;
    }
    return std::nullopt;
  }

  std::optional<Fail> number_modifier(const RawOption& o) {
    const std::string& k = o.name;
    if (auto f = need_value(o)) return f;
    MatchStep* s = last_content();
    if (s == nullptr) return Fail{k, in_quotes(k) + " needs a preceding content"};
    ContentMatch& c = s->content;
    const bool relative = k == "distance" || k == "within";
    if (c.startswith) return Fail{k, "startswith cannot be mixed with offset, depth, distance or within"};
    if (relative ? (c.offset || c.depth) : c.relative()) {
      return Fail{k, "can't use a relative keyword like within/distance with an absolute keyword like "
                     "depth/offset for the same content"};
    }
    const auto v = parse_int(o.value, relative && k == "distance" ? -65535 : 0, 65535);
    if (!v) return Fail{k, "invalid " + k + " value " + in_quotes(o.value)};
    const auto n = static_cast<std::int32_t>(*v);
    const auto len = static_cast<std::int64_t>(c.bytes.size());
    std::optional<std::int32_t>* slot = nullptr;
    if (k == "depth") {
      if (n == 0) return Fail{k, "depth 0 makes no sense"};
      if (n < len) return Fail{k, "depth " + std::to_string(n) + " smaller than content length " + std::to_string(len)};
      slot = &c.depth;
    } else if (k == "offset") {
      slot = &c.offset;
    } else if (k == "distance") {
      slot = &c.distance;
    } else {
      if (n < len) {
        return Fail{k, "within " + std::to_string(n) + " is less than the content length " + std::to_string(len)};
      }
      slot = &c.within;
    }
    if (slot->has_value()) return Fail{k, k + " given twice for one content"};
    *slot = n;
    return std::nullopt;
  }

  std::optional<Fail> set_flow(const RawOption& o) {
    if (auto f = need_value(o)) return f;
    if (flow_seen_) return Fail{"flow", "flow given twice"};
    flow_seen_ = true;
    FlowSpec& fl = rule_.flow;
    std::string_view rest = o.value;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view w = trim(rest.substr(0, comma));
      if (w == "established") {
        fl.established = true;
      } else if (w == "not_established") {
        fl.not_established = true;
      } else if (w == "to_server" || w == "from_client") {
        fl.to_server = true;
      } else if (w == "to_client" || w == "from_server") {
        fl.to_client = true;
      } else if (w == "stateless") {
        fl.stateless = true;
      } else if (w == "only_stream" || w == "no_stream" || w == "only_frag" || w == "no_frag") {
        return Fail{"flow", "flow option " + in_quotes(w) + " not supported"};
      } else {
        return Fail{"flow", "invalid flow option " + in_quotes(w)};
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    if (fl.to_server && fl.to_client) return Fail{"flow", "flow cannot be both to_server and to_client"};
    if (fl.established && fl.not_established) return Fail{"flow", "flow cannot be both established and not_established"};
    return std::nullopt;
  }

  std::optional<Fail> set_threshold(const RawOption& o) {
    if (auto f = need_value(o)) return f;
    if (rule_.threshold) return Fail{"threshold", "threshold given twice"};
    ThresholdSpec t;
    bool have_type = false, have_track = false, have_count = false, have_seconds = false;
    std::string_view rest = o.value;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view part = trim(rest.substr(0, comma));
      const std::size_t sp = part.find_first_of(" \t");
      const std::string_view key = part.substr(0, sp);
      const std::string_view val = sp == std::string_view::npos ? std::string_view{} : trim(part.substr(sp));
      bool dup = false;
      if (key == "type") {
        dup = have_type;
        have_type = true;
        if (val == "limit") {
          t.type = ThresholdSpec::Type::limit;
        } else if (val == "threshold") {
          t.type = ThresholdSpec::Type::threshold;
        } else if (val == "both") {
          t.type = ThresholdSpec::Type::both;
        } else {
          return Fail{"threshold", "invalid threshold type " + in_quotes(val)};
        }
      } else if (key == "track") {
        dup = have_track;
        have_track = true;
        if (val == "by_src") {
          t.track = ThresholdSpec::Track::by_src;
        } else if (val == "by_dst") {
          t.track = ThresholdSpec::Track::by_dst;
        } else {
          return Fail{"threshold", "threshold track " + in_quotes(val) + " not supported"};
        }
      } else if (key == "count" || key == "seconds") {
        const auto n = parse_uint(val, 0xFFFFFFFFu);
        if (!n || *n == 0) return Fail{"threshold", "invalid threshold " + std::string(key) + " " + in_quotes(val)};
        if (key == "count") {
          dup = have_count;
          have_count = true;
          t.count = static_cast<std::uint32_t>(*n);
        } else {
          dup = have_seconds;
          have_seconds = true;
          t.seconds = static_cast<std::uint32_t>(*n);
        }
      } else {
        return Fail{"threshold", "invalid threshold part " + in_quotes(part)};
      }
      if (dup) return Fail{"threshold", "threshold " + std::string(key) + " given twice"};
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    if (!have_type || !have_track || !have_count || !have_seconds) {
      return Fail{"threshold", "threshold needs type, track, count and seconds"};
    }
    rule_.threshold = t;
    return std::nullopt;
  }

  Rule& rule_;
  RuleBuffer buffer_ = RuleBuffer::packet;
  bool has_sid_ = false;
  bool has_priority_ = false;
  bool fast_pattern_seen_ = false;
  bool flow_seen_ = false;
  std::optional<RuleProtocol> app_;
  std::string app_keyword_;
  std::optional<Fail> app_conflict_;
};

/// Splits the header at whitespace outside brackets.
std::vector<std::string_view> header_fields(std::string_view h) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
    if (i >= h.size()) break;
    const std::size_t start = i;
    int depth = 0;
    while (i < h.size() && (depth > 0 || (h[i] != ' ' && h[i] != '\t'))) {
      if (h[i] == '[') ++depth;
      if (h[i] == ']' && depth > 0) --depth;
      ++i;
    }
    out.push_back(h.substr(start, i - start));
  }
  return out;
}

RuleError make_error(std::string_view text, const std::string& file, std::uint32_t line, std::uint32_t sid,
                     Fail f) {
  RuleError e;
  e.file = file;
  e.line = line;
  e.sid = sid;
  // A keyword is a short name; cap what hostile input can put in a report.
  e.keyword = f.keyword.size() > 64 ? f.keyword.substr(0, 64) : std::move(f.keyword);
  e.message = std::move(f.message);
  e.text.assign(text.substr(0, kMaxErrorText));
  return e;
}

}  // namespace

RuleVariables RuleVariables::defaults() {
  RuleVariables v;
  v.addresses = {
      {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
      {"EXTERNAL_NET", "!$HOME_NET"},
      {"HTTP_SERVERS", "$HOME_NET"},
      {"SMTP_SERVERS", "$HOME_NET"},
      {"SQL_SERVERS", "$HOME_NET"},
      {"DNS_SERVERS", "$HOME_NET"},
      {"TELNET_SERVERS", "$HOME_NET"},
      {"AIM_SERVERS", "$EXTERNAL_NET"},
      {"DC_SERVERS", "$HOME_NET"},
      {"DNP3_SERVER", "$HOME_NET"},
      {"DNP3_CLIENT", "$HOME_NET"},
      {"MODBUS_CLIENT", "$HOME_NET"},
      {"MODBUS_SERVER", "$HOME_NET"},
      {"ENIP_CLIENT", "$HOME_NET"},
      {"ENIP_SERVER", "$HOME_NET"},
  };
  v.ports = {
      {"HTTP_PORTS", "80"},
      {"SHELLCODE_PORTS", "!80"},
      {"ORACLE_PORTS", "1521"},
      {"SSH_PORTS", "22"},
      {"DNP3_PORTS", "20000"},
      {"MODBUS_PORTS", "502"},
      {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
      {"FTP_PORTS", "21"},
      {"GENEVE_PORTS", "6081"},
      {"VXLAN_PORTS", "4789"},
      {"TEREDO_PORTS", "3544"},
  };
  return v;
}

std::variant<Rule, RuleError> parse_rule(std::string_view text, const RuleVariables& vars, const std::string& file,
                                         std::uint32_t line) {
  text = trim(text);
  const auto fail = [&](std::uint32_t sid, Fail f) -> std::variant<Rule, RuleError> {
    return make_error(text, file, line, sid, std::move(f));
  };
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return fail(0, Fail{"", "expected '(' options ')' after the header"});
  }
  if (!trim(text.substr(close + 1)).empty()) return fail(0, Fail{"", "text after the closing ')'"});

  const std::vector<RawOption> options = split_options(text.substr(open + 1, close - open - 1));
  // The sid first, so every later error can name its rule.
  std::uint32_t sid = 0;
  for (const RawOption& o : options) {
    if (o.name == "sid") {
      if (const auto v = parse_uint(o.value, 0xFFFFFFFFu)) sid = static_cast<std::uint32_t>(*v);
      break;
    }
  }

  Rule rule;
  const std::vector<std::string_view> h = header_fields(text.substr(0, open));
  if (h.empty()) return fail(sid, Fail{"", "missing rule header"});
  if (h[0] != "alert") {
    if (h[0] == "drop" || h[0] == "reject" || h[0] == "rejectsrc" || h[0] == "rejectdst" ||
        h[0] == "rejectboth" || h[0] == "pass") {
      return fail(sid, Fail{std::string(h[0]), "action " + in_quotes(h[0]) + " not supported (IDS only)"});
    }
    return fail(sid, Fail{"", "invalid action " + in_quotes(h[0])});
  }
  if (h.size() != 7) {
    return fail(sid, Fail{"", "expected 'alert proto src sport -> dst dport' header, got " +
                                  std::to_string(h.size()) + " fields"});
  }
  const auto proto = parse_protocol(h[1]);
  if (!proto) return fail(sid, Fail{std::string(h[1]), "protocol " + in_quotes(h[1]) + " not supported"});
  rule.protocol = *proto;
  if (h[4] == "<>") {
    rule.bidirectional = true;
  } else if (h[4] != "->") {
    return fail(sid, Fail{"", "invalid direction " + in_quotes(h[4]) + " (only -> and <>)"});
  }
  {
    ListFlattener<AddressList> src(vars), dst(vars);
    if (auto e = src.add(h[2], false, 0)) return fail(sid, Fail{"", "source address: " + *e});
    if (auto e = src.finish(rule.src)) return fail(sid, Fail{"", "source address: " + *e});
    if (auto e = dst.add(h[5], false, 0)) return fail(sid, Fail{"", "destination address: " + *e});
    if (auto e = dst.finish(rule.dst)) return fail(sid, Fail{"", "destination address: " + *e});
    ListFlattener<PortList> sp(vars), dp(vars);
    if (auto e = sp.add(h[3], false, 0)) return fail(sid, Fail{"", "source port: " + *e});
    if (auto e = sp.finish(rule.src_ports)) return fail(sid, Fail{"", "source port: " + *e});
    if (auto e = dp.add(h[6], false, 0)) return fail(sid, Fail{"", "destination port: " + *e});
    if (auto e = dp.finish(rule.dst_ports)) return fail(sid, Fail{"", "destination port: " + *e});
  }

  OptionApplier applier(rule);
  for (const RawOption& o : options) {
    if (auto f = applier.apply(o)) return fail(sid, std::move(*f));
  }
  if (auto f = applier.finish()) return fail(sid, std::move(*f));

  rule.file = file;
  rule.line = line;
  rule.text.assign(text);
  return rule;
}

RuleParseResult parse_rules(std::string_view file_text, const std::string& file, const RuleVariables& vars) {
  RuleParseResult out;
  std::unordered_map<std::uint32_t, std::uint32_t> first_line;  // sid -> line
  std::string logical;
  bool continuing = false;
  std::uint32_t line_no = 0, start_line = 0;

  const auto take = [&](std::string_view rule_text) {
    auto r = parse_rule(rule_text, vars, file, start_line);
    if (r.index() == 1) {
      out.errors.push_back(std::move(std::get<1>(r)));
      return;
    }
    Rule& rule = std::get<0>(r);
    const auto [it, inserted] = first_line.emplace(rule.sid, rule.line);
    if (!inserted) {
      out.errors.push_back(make_error(rule.text, file, rule.line, rule.sid,
                                      Fail{"sid", "duplicate sid " + std::to_string(rule.sid) + " (first at " + file +
                                                      ":" + std::to_string(it->second) + ")"}));
      return;
    }
    out.rules.push_back(std::move(rule));
  };

  std::size_t pos = 0;
  while (pos < file_text.size()) {
    std::size_t nl = file_text.find('\n', pos);
    if (nl == std::string_view::npos) nl = file_text.size();
    std::string_view l = file_text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!continuing) {
      l = trim(l);
      if (l.empty() || l.front() == '#') continue;
      start_line = line_no;
      logical.clear();
    }
    while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r')) l.remove_suffix(1);
    if (!l.empty() && l.back() == '\\') {
      l.remove_suffix(1);
      logical.append(l);
      continuing = true;
      continue;
    }
    logical.append(l);
    continuing = false;
    if (!trim(logical).empty()) take(logical);
  }
  // A continuation on the last line: parse what was gathered.
  if (continuing && !trim(logical).empty()) take(logical);
  return out;
}

Result<RuleParseResult> load_rules_file(const std::string& path, const RuleVariables& vars) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error{"rules file " + path + " is a directory"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open rules file " + path};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error{"cannot read rules file " + path};
  return parse_rules(ss.str(), path, vars);
}

}  // namespace opensoc::detect
