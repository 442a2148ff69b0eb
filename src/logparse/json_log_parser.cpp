// JsonLogParser: one JSON log line (Suricata EVE, Zeek's LogAscii::use_json
// output, or any JSON object such as an ECS document) into a LogEvent.
//
// simdjson's DOM parser walks the object once; every scalar leaf gets a dotted
// path ("dns.queries.rrname": arrays add no component, so array elements
// repeat the field) and is looked up in the flavour's table of known names.
// A known name becomes its ECS field (and, for addresses, ports and the
// transport, also out.endpoints); an unknown one keeps its path under the
// flavour's prefix ("suricata.eve.", "zeek.<log>.", or nothing for generic).
//
// Runs on the thread that owns the instance (a listener's parser thread). The
// simdjson parser, the padded copy of the line and the path buffer are reused,
// so a line costs no allocation beyond the strings of the fields it yields.
#include "logparse/json_log_parser.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include <simdjson.h>

#include "opensoc/core/ip_protocol.hpp"

namespace opensoc::logparse {

namespace {

// ---------------------------------------------------------------- time

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  // Howard Hinnant's algorithm: proleptic Gregorian, exact for any year.
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& v) noexcept {
  if (pos + n > s.size()) return false;
  v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

/// Seconds (or ms/us/ns by magnitude, as log shippers write epoch times) as ns.
std::optional<TimestampNs> epoch_to_ns(double v) noexcept {
  if (!std::isfinite(v) || v < 0) return std::nullopt;
  // The unit by magnitude (a 2023 time is ~1.7e9 s, 1.7e12 ms, 1.7e15 us),
  // and nothing past the int64 nanosecond clock (year 2262).
  const double scale = v < 1e11 ? 1e9 : v < 1e14 ? 1e6 : v < 1e17 ? 1e3 : 1;
  if (v * scale >= 9.2e18) return std::nullopt;
  // Microsecond rounding first: Zeek writes 6 decimals, and a double holds
  // epoch microseconds exactly where epoch nanoseconds would be off by ~200.
  if (scale >= 1e3) return static_cast<TimestampNs>(std::llround(v * (scale / 1e3))) * kNsPerMicro;
  return static_cast<TimestampNs>(std::llround(v));
}

// ---------------------------------------------------------------- values

std::optional<std::uint8_t> ip_proto_of(std::string_view t) noexcept {
  if (t.empty() || t.size() > 16) return std::nullopt;
  char low[17] = {};
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    low[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view l(low, t.size());
  if (l == "tcp") return kIpProtoTcp;
  if (l == "udp") return kIpProtoUdp;
  if (l == "icmp") return kIpProtoIcmp;
  if (l == "ipv6-icmp" || l == "icmpv6" || l == "icmp6") return kIpProtoIcmpv6;
  if (l == "sctp") return kIpProtoSctp;
  if (l == "gre") return 47;
  if (l == "esp") return 50;
  if (l == "ah") return 51;
  if (l == "igmp") return 2;
  unsigned v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec == std::errc() && r.ptr == t.data() + t.size() && v <= 255) return static_cast<std::uint8_t>(v);
  return std::nullopt;
}

// What to do with a known leaf.
enum class Act : std::uint8_t {
  keep,          // `ecs`, typed as the JSON value
  source_ip,     // + endpoints.source_ip
  dest_ip,       // + endpoints.destination_ip
  source_port,   // + endpoints.source_port
  dest_port,     // + endpoints.destination_port
  transport,     // network.transport keyword + endpoints.ip_proto
  time,          // ISO 8601 text or epoch number -> LogValueType::time
  url,           // url.original, url.path, url.query
  with_message,  // `ecs` and the event's message (alert.signature)
  message,       // the event's message only
  dns_type,      // Suricata request/response -> ECS query/answer
  tls_version,   // "TLS 1.2" / "TLSv12" -> tls.version + tls.version_protocol
  http_version,  // "HTTP/1.1" -> "1.1"
  hex_hash,      // "29:74:0a:..." -> "29740A..." (ECS hashes are bare hex)
  dns_answer,    // dns.answers.data, + dns.resolved_ip when an address
  seconds,       // seconds as a JSON number -> event.duration in ns
  lower,         // keyword lower-cased ("DNS" app_proto)
};

struct Mapping {
  std::string_view path;
  std::string_view ecs;
  Act act;
};

// EVE paths (arrays of objects flattened: "dns.queries.rrname").
constexpr Mapping kEve[] = {
    {"flow_id", "suricata.eve.flow_id", Act::keep},
    {"src_ip", "source.ip", Act::source_ip},
    {"dest_ip", "destination.ip", Act::dest_ip},
    {"src_port", "source.port", Act::source_port},
    {"dest_port", "destination.port", Act::dest_port},
    {"proto", "network.transport", Act::transport},
    {"community_id", "network.community_id", Act::keep},
    {"app_proto", "network.protocol", Act::lower},
    {"in_iface", "observer.ingress.interface.name", Act::keep},
    {"vlan", "network.vlan.id", Act::keep},
    {"host", "observer.name", Act::keep},
    {"alert.signature_id", "rule.id", Act::keep},
    {"alert.signature", "rule.name", Act::with_message},
    {"alert.category", "rule.category", Act::keep},
    {"alert.severity", "event.severity", Act::keep},
    {"alert.action", "event.action", Act::keep},
    {"alert.rev", "rule.version", Act::keep},
    {"dns.rrname", "dns.question.name", Act::keep},
    {"dns.rrtype", "dns.question.type", Act::keep},
    {"dns.queries.rrname", "dns.question.name", Act::keep},
    {"dns.queries.rrtype", "dns.question.type", Act::keep},
    {"dns.id", "dns.id", Act::keep},
    {"dns.rcode", "dns.response_code", Act::keep},
    {"dns.type", "dns.type", Act::dns_type},
    {"dns.answers.rrname", "dns.answers.name", Act::keep},
    {"dns.answers.rrtype", "dns.answers.type", Act::keep},
    {"dns.answers.ttl", "dns.answers.ttl", Act::keep},
    {"dns.answers.rdata", "dns.answers.data", Act::dns_answer},
    {"dns.rdata", "dns.answers.data", Act::dns_answer},
    {"http.hostname", "url.domain", Act::keep},
    {"http.url", "url.original", Act::url},
    {"http.http_method", "http.request.method", Act::keep},
    {"http.status", "http.response.status_code", Act::keep},
    {"http.http_user_agent", "user_agent.original", Act::keep},
    {"http.http_refer", "http.request.referrer", Act::keep},
    {"http.protocol", "http.version", Act::http_version},
    {"http.length", "http.response.body.bytes", Act::keep},
    {"http.http_content_type", "http.response.mime_type", Act::keep},
    {"tls.sni", "tls.client.server_name", Act::keep},
    {"tls.version", "tls.version", Act::tls_version},
    {"tls.subject", "tls.server.subject", Act::keep},
    {"tls.issuerdn", "tls.server.issuer", Act::keep},
    {"tls.serial", "tls.server.x509.serial_number", Act::keep},
    {"tls.fingerprint", "tls.server.hash.sha1", Act::hex_hash},
    {"tls.ja3.hash", "tls.client.ja3", Act::keep},
    {"tls.ja3s.hash", "tls.server.ja3s", Act::keep},
    {"tls.ja4", "tls.client.ja4", Act::keep},
    {"tls.notbefore", "tls.server.not_before", Act::time},
    {"tls.notafter", "tls.server.not_after", Act::time},
    {"flow.bytes_toserver", "source.bytes", Act::keep},
    {"flow.bytes_toclient", "destination.bytes", Act::keep},
    {"flow.pkts_toserver", "source.packets", Act::keep},
    {"flow.pkts_toclient", "destination.packets", Act::keep},
    {"flow.start", "event.start", Act::time},
    {"flow.end", "event.end", Act::time},
    {"fileinfo.filename", "file.name", Act::keep},
    {"fileinfo.size", "file.size", Act::keep},
    {"fileinfo.md5", "file.hash.md5", Act::keep},
    {"fileinfo.sha1", "file.hash.sha1", Act::keep},
    {"fileinfo.sha256", "file.hash.sha256", Act::keep},
};

// Zeek keys common to every log, then "<log>|<key>" for one log's keys.
constexpr Mapping kZeek[] = {
    {"uid", "zeek.session_id", Act::keep},
    {"_write_ts", "event.ingested", Act::time},
    {"id.orig_h", "source.ip", Act::source_ip},
    {"id.orig_p", "source.port", Act::source_port},
    {"id.resp_h", "destination.ip", Act::dest_ip},
    {"id.resp_p", "destination.port", Act::dest_port},
    {"proto", "network.transport", Act::transport},
    {"conn|service", "network.protocol", Act::lower},
    {"conn|duration", "event.duration", Act::seconds},
    {"conn|orig_ip_bytes", "source.bytes", Act::keep},
    {"conn|resp_ip_bytes", "destination.bytes", Act::keep},
    {"conn|orig_pkts", "source.packets", Act::keep},
    {"conn|resp_pkts", "destination.packets", Act::keep},
    {"dns|query", "dns.question.name", Act::keep},
    {"dns|qtype_name", "dns.question.type", Act::keep},
    {"dns|qclass_name", "dns.question.class", Act::keep},
    {"dns|rcode_name", "dns.response_code", Act::keep},
    {"dns|trans_id", "dns.id", Act::keep},
    {"dns|answers", "dns.answers.data", Act::dns_answer},
    {"dns|TTLs", "dns.answers.ttl", Act::keep},
    {"http|method", "http.request.method", Act::keep},
    {"http|host", "url.domain", Act::keep},
    {"http|uri", "url.original", Act::url},
    {"http|referrer", "http.request.referrer", Act::keep},
    {"http|version", "http.version", Act::keep},
    {"http|user_agent", "user_agent.original", Act::keep},
    {"http|status_code", "http.response.status_code", Act::keep},
    {"http|request_body_len", "http.request.body.bytes", Act::keep},
    {"http|response_body_len", "http.response.body.bytes", Act::keep},
    {"http|resp_mime_types", "http.response.mime_type", Act::keep},
    {"ssl|version", "tls.version", Act::tls_version},
    {"ssl|cipher", "tls.cipher", Act::keep},
    {"ssl|curve", "tls.curve", Act::keep},
    {"ssl|server_name", "tls.client.server_name", Act::keep},
    {"ssl|resumed", "tls.resumed", Act::keep},
    {"ssl|established", "tls.established", Act::keep},
    {"ssl|next_protocol", "tls.next_protocol", Act::keep},
    {"ssl|ja3", "tls.client.ja3", Act::keep},
    {"ssl|ja3s", "tls.server.ja3s", Act::keep},
    {"ssl|subject", "tls.server.subject", Act::keep},
    {"ssl|issuer", "tls.server.issuer", Act::keep},
    {"files|mime_type", "file.mime_type", Act::keep},
    {"files|filename", "file.name", Act::keep},
    {"files|total_bytes", "file.size", Act::keep},
    {"files|md5", "file.hash.md5", Act::keep},
    {"files|sha1", "file.hash.sha1", Act::keep},
    {"files|sha256", "file.hash.sha256", Act::keep},
    {"notice|note", "rule.name", Act::keep},
    {"notice|msg", "message", Act::message},
    {"notice|src", "source.ip", Act::source_ip},
    {"notice|dst", "destination.ip", Act::dest_ip},
    {"notice|p", "destination.port", Act::dest_port},
    {"notice|actions", "event.action", Act::keep},
};

// Generic (ECS) documents: the names that also feed endpoints/message/dataset.
constexpr Mapping kGeneric[] = {
    {"source.ip", "source.ip", Act::source_ip},
    {"destination.ip", "destination.ip", Act::dest_ip},
    {"source.port", "source.port", Act::source_port},
    {"destination.port", "destination.port", Act::dest_port},
    {"network.transport", "network.transport", Act::transport},
    {"message", "message", Act::message},
};

// Open-addressing table over a mapping list, built once per parser: a leaf
// costs one FNV-1a pass over its path and usually one comparison.
class Table {
 public:
  Table(const Mapping* begin, const Mapping* end) {
    for (const Mapping* m = begin; m != end; ++m) {
      std::size_t i = hash(m->path) & kMask;
      while (slots_[i] != nullptr) i = (i + 1) & kMask;
      slots_[i] = m;
    }
  }
  [[nodiscard]] const Mapping* find(std::string_view path) const noexcept {
    for (std::size_t i = hash(path) & kMask;; i = (i + 1) & kMask) {
      const Mapping* m = slots_[i];
      if (m == nullptr || m->path == path) return m;
    }
  }

 private:
  static constexpr std::size_t kSize = 256;  // > 2x the largest list: short probes, always a free slot
  static constexpr std::size_t kMask = kSize - 1;
  static std::uint64_t hash(std::string_view s) noexcept {
    std::uint64_t h = 1469598103934665603ULL;
    for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return h ^ (h >> 29);
  }
  std::array<const Mapping*, kSize> slots_{};
};

// IPv4 text without inet_ntop's stdio machinery (the common case per line).
std::string address_text(const IpAddress& a) {
  if (a.version != 4) return a.to_string();
  std::string out;
  out.reserve(15);
  for (int i = 0; i < 4; ++i) {
    if (i != 0) out.push_back('.');
    const unsigned v = a.bytes[static_cast<std::size_t>(i)];
    if (v >= 100) out.push_back(static_cast<char>('0' + v / 100));
    if (v >= 10) out.push_back(static_cast<char>('0' + (v / 10) % 10));
    out.push_back(static_cast<char>('0' + v % 10));
  }
  return out;
}

/// A scalar leaf's text and type. `text` points into the simdjson document
/// or into `num` (numbers formatted once).
struct Leaf {
  LogValueType type = LogValueType::string;
  std::string_view text;
  bool is_json_string = false;
  bool is_number = false;
  double number = 0;  // when is_number
  std::array<char, 32> num{};
};

bool load_leaf(simdjson::dom::element e, Leaf& leaf) {
  using simdjson::dom::element_type;
  leaf.is_json_string = false;
  leaf.is_number = false;
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s)) return false;
      leaf.type = LogValueType::string;
      leaf.text = s;
      leaf.is_json_string = true;
      return true;
    }
    case element_type::INT64: {
      std::int64_t v = 0;
      if (e.get_int64().get(v)) return false;
      const auto r = std::to_chars(leaf.num.data(), leaf.num.data() + leaf.num.size(), v);
      leaf.type = LogValueType::integer;
      leaf.text = std::string_view(leaf.num.data(), static_cast<std::size_t>(r.ptr - leaf.num.data()));
      leaf.is_number = true;
      leaf.number = static_cast<double>(v);
      return true;
    }
    case element_type::UINT64: {
      std::uint64_t v = 0;
      if (e.get_uint64().get(v)) return false;
      const auto r = std::to_chars(leaf.num.data(), leaf.num.data() + leaf.num.size(), v);
      leaf.type = LogValueType::integer;
      leaf.text = std::string_view(leaf.num.data(), static_cast<std::size_t>(r.ptr - leaf.num.data()));
      leaf.is_number = true;
      leaf.number = static_cast<double>(v);
      return true;
    }
    case element_type::DOUBLE: {
      double v = 0;
      if (e.get_double().get(v)) return false;
      const auto r = std::to_chars(leaf.num.data(), leaf.num.data() + leaf.num.size(), v);
      leaf.type = LogValueType::number;
      leaf.text = std::string_view(leaf.num.data(), static_cast<std::size_t>(r.ptr - leaf.num.data()));
      leaf.is_number = true;
      leaf.number = v;
      return true;
    }
    case element_type::BOOL: {
      bool v = false;
      if (e.get_bool().get(v)) return false;
      leaf.type = LogValueType::boolean;
      leaf.text = v ? "true" : "false";
      return true;
    }
    default:
      return false;  // null (absent), or a container (not a leaf)
  }
}

std::string time_text(TimestampNs ns) {
  char b[24];
  const auto r = std::to_chars(b, b + sizeof b, ns);
  return std::string(b, r.ptr);
}

std::optional<TimestampNs> leaf_time(const Leaf& leaf) {
  if (leaf.is_json_string) return parse_iso8601_ns(leaf.text);
  if (leaf.is_number) return epoch_to_ns(leaf.number);
  return std::nullopt;
}

}  // namespace

std::optional<TimestampNs> parse_iso8601_ns(std::string_view s) noexcept {
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t p = 19;
  std::int64_t frac = 0;
  if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
    ++p;
    std::size_t n = 0;
    std::int64_t scale = 100'000'000;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (n < 9) frac += (s[p] - '0') * scale;
      scale /= 10;
      ++n;
      ++p;
    }
    if (n == 0) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (p < s.size()) {
    const char z = s[p];
    if (z == 'Z' || z == 'z') {
      ++p;
    } else if (z == '+' || z == '-') {
      unsigned oh = 0, om = 0;
      if (!digits(s, p + 1, 2, oh)) return std::nullopt;
      p += 3;
      if (p < s.size()) {
        if (s[p] == ':') ++p;
        if (!digits(s, p, 2, om)) return std::nullopt;
        p += 2;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_s = (z == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  if (p != s.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(y, mo, d);
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  // Nanoseconds in an int64 span 1677-09-21 to 2262-04-11; a year 9999 fits
  // the syntax but not the clock.
  constexpr std::int64_t kMaxSecs = INT64_MAX / kNsPerSecond - 1;
  if (secs > kMaxSecs || secs < -kMaxSecs) return std::nullopt;
  return secs * kNsPerSecond + frac;
}

struct JsonLogParser::Impl {
  simdjson::dom::parser parser;
  std::unique_ptr<char[]> padded;  // the line + SIMDJSON_PADDING zero bytes
  std::size_t padded_capacity = 0;
  std::string path;  // dotted path of the current leaf
  std::string zkey;  // "<log>|<key>" lookup key for Zeek
  Table eve{std::begin(kEve), std::end(kEve)};
  Table zeek{std::begin(kZeek), std::end(kZeek)};
  Table generic{std::begin(kGeneric), std::end(kGeneric)};

  // Per-line state.
  JsonFlavour flavour = JsonFlavour::generic;
  std::string_view zeek_log;
  LogEvent* out = nullptr;
  Leaf leaf;
  bool seen_source_ip = false;
  bool seen_destination_ip = false;
  bool seen_source_port = false;
  bool seen_destination_port = false;

  Result<simdjson::dom::element> load(std::string_view line);
  void walk(simdjson::dom::element e);
  void leaf_at_path();
  void apply(const Mapping& m);
  void add_leaf(std::string_view name);
};

Result<simdjson::dom::element> JsonLogParser::Impl::load(std::string_view line) {
  const std::size_t need = line.size() + simdjson::SIMDJSON_PADDING;
  if (need > padded_capacity) {
    padded = std::make_unique<char[]>(need);
    padded_capacity = need;
  }
  if (!line.empty()) std::memcpy(padded.get(), line.data(), line.size());
  std::memset(padded.get() + line.size(), 0, simdjson::SIMDJSON_PADDING);
  simdjson::dom::element doc;
  if (const auto err = parser.parse(padded.get(), line.size(), false).get(doc); err)
    return Error{std::string("not valid JSON: ") + simdjson::error_message(err)};
  if (doc.type() != simdjson::dom::element_type::OBJECT) return Error{"not a JSON object"};
  return doc;
}

void JsonLogParser::Impl::add_leaf(std::string_view name) {
  out->fields.push_back(LogField{std::string(name), std::string(leaf.text), leaf.type});
}

void JsonLogParser::Impl::apply(const Mapping& m) {
  LogEndpoints& ep = out->endpoints;
  switch (m.act) {
    case Act::keep:
      add_leaf(m.ecs);
      return;
    case Act::source_ip:
    case Act::dest_ip: {
      const auto ip = leaf.is_json_string ? IpAddress::parse(leaf.text) : std::nullopt;
      if (!ip) {
        add_leaf(m.ecs);  // not an address: kept as the text it was
        return;
      }
      const bool src = m.act == Act::source_ip;
      IpAddress& slot = src ? ep.source_ip : ep.destination_ip;
      bool& seen = src ? seen_source_ip : seen_destination_ip;
      if (seen && slot == *ip) return;  // said twice in this line (Zeek notice: id.orig_h and src)
      seen = true;
      slot = *ip;
      out->add(std::string(m.ecs), address_text(*ip), LogValueType::ip);
      return;
    }
    case Act::source_port:
    case Act::dest_port: {
      if (leaf.type == LogValueType::integer && leaf.number >= 0 && leaf.number <= 65535) {
        const bool src = m.act == Act::source_port;
        std::uint16_t& slot = src ? ep.source_port : ep.destination_port;
        bool& seen = src ? seen_source_port : seen_destination_port;
        const auto port = static_cast<std::uint16_t>(leaf.number);
        if (seen && slot == port) return;  // said twice in this line
        seen = true;
        slot = port;
      }
      add_leaf(m.ecs);
      return;
    }
    case Act::transport: {
      const auto p = ip_proto_of(leaf.text);
      if (!p) {
        add_leaf(m.ecs);
        return;
      }
      ep.ip_proto = *p;
      out->add(std::string(m.ecs), transport_keyword(*p));
      return;
    }
    case Act::time: {
      if (const auto t = leaf_time(leaf)) {
        out->add(std::string(m.ecs), time_text(*t), LogValueType::time);
      } else {
        add_leaf(m.ecs);
      }
      return;
    }
    case Act::url: {
      add_leaf(m.ecs);
      if (!leaf.is_json_string) return;
      const std::string_view u = leaf.text;
      // Only origin-form / absolute paths have a path to split off.
      std::string_view rest = u;
      if (const auto scheme = u.find("://"); scheme != std::string_view::npos) {
        const auto slash = u.find('/', scheme + 3);
        rest = slash == std::string_view::npos ? std::string_view{} : u.substr(slash);
      }
      if (rest.empty() || rest[0] != '/') return;
      const auto hash = rest.find('#');
      if (hash != std::string_view::npos) rest = rest.substr(0, hash);
      const auto q = rest.find('?');
      out->add("url.path", std::string(rest.substr(0, q)));
      if (q != std::string_view::npos && q + 1 < rest.size()) out->add("url.query", std::string(rest.substr(q + 1)));
      return;
    }
    case Act::with_message:
      add_leaf(m.ecs);
      if (out->message.empty()) out->message.assign(leaf.text);
      return;
    case Act::message:
      out->message.assign(leaf.text);
      return;
    case Act::dns_type:
      if (leaf.text == "request" || leaf.text == "query") {
        out->add(std::string(m.ecs), "query");
      } else if (leaf.text == "response" || leaf.text == "answer") {
        out->add(std::string(m.ecs), "answer");
      } else {
        add_leaf(m.ecs);
      }
      return;
    case Act::tls_version: {
      // Suricata "TLS 1.2", Zeek "TLSv12"/"TLSv13"/"DTLSv12", "SSLv3".
      std::string_view t = leaf.text;
      std::string_view proto = "tls";
      if (t.starts_with("DTLS")) {
        proto = "dtls";
        t.remove_prefix(4);
      } else if (t.starts_with("TLS")) {
        t.remove_prefix(3);
      } else if (t.starts_with("SSL")) {
        proto = "ssl";
        t.remove_prefix(3);
      } else {
        add_leaf("tls.version");
        return;
      }
      if (!t.empty() && (t[0] == ' ' || t[0] == 'v')) t.remove_prefix(1);
      std::string v;
      if (t.size() == 2 && t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9') {
        v = {t[0], '.', t[1]};
      } else {
        v.assign(t);
      }
      out->add("tls.version", std::move(v));
      out->add("tls.version_protocol", std::string(proto));
      return;
    }
    case Act::http_version: {
      std::string_view t = leaf.text;
      if (t.starts_with("HTTP/")) t.remove_prefix(5);
      out->add(std::string(m.ecs), std::string(t));
      return;
    }
    case Act::hex_hash: {
      std::string h;
      h.reserve(leaf.text.size());
      for (const char c : leaf.text) {
        if (c == ':') continue;
        h.push_back((c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c);
      }
      out->add(std::string(m.ecs), std::move(h));
      return;
    }
    case Act::dns_answer: {
      add_leaf(m.ecs);
      if (!leaf.is_json_string) return;
      if (const auto ip = IpAddress::parse(leaf.text)) out->add("dns.resolved_ip", address_text(*ip), LogValueType::ip);
      return;
    }
    case Act::seconds: {
      if (leaf.is_number && std::isfinite(leaf.number) && std::fabs(leaf.number) < 9.2e9) {
        out->add(std::string(m.ecs), time_text(std::llround(leaf.number * 1e9)), LogValueType::integer);
      } else {
        add_leaf(m.ecs);
      }
      return;
    }
    case Act::lower: {
      std::string v(leaf.text);
      for (char& c : v)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      out->add(std::string(m.ecs), std::move(v), leaf.type);
      return;
    }
  }
}

void JsonLogParser::Impl::leaf_at_path() {
  const std::string_view p = path;
  switch (flavour) {
    case JsonFlavour::eve: {
      if (p == "timestamp") {
        if (const auto t = leaf_time(leaf)) {
          out->timestamp = *t;
          return;
        }
      } else if (p == "event_type") {
        return;  // became event.dataset
      }
      if (const Mapping* m = eve.find(p)) return apply(*m);
      std::string name;
      name.reserve(13 + p.size());
      name.append("suricata.eve.").append(p);
      out->fields.push_back(LogField{std::move(name), std::string(leaf.text), leaf.type});
      return;
    }
    case JsonFlavour::zeek: {
      if (p == "ts") {
        if (const auto t = leaf_time(leaf)) {
          out->timestamp = *t;
          return;
        }
      } else if (p == "_path") {
        return;  // became event.dataset
      }
      if (const Mapping* m = zeek.find(p)) return apply(*m);
      zkey.assign(zeek_log).push_back('|');
      zkey.append(p);
      if (const Mapping* m = zeek.find(zkey)) return apply(*m);
      std::string name;
      name.reserve(6 + zeek_log.size() + p.size());
      name.append("zeek.").append(zeek_log).append(".").append(p);
      out->fields.push_back(LogField{std::move(name), std::string(leaf.text), leaf.type});
      return;
    }
    case JsonFlavour::automatic:
    case JsonFlavour::generic: {
      if (p == "@timestamp" || p == "timestamp" || p == "time" || p == "ts") {
        if (const auto t = leaf_time(leaf)) {
          out->timestamp = *t;
          return;
        }
      } else if (p == "event.dataset" && leaf.is_json_string) {
        out->dataset.assign(leaf.text);
        return;
      }
      if (const Mapping* m = generic.find(p)) return apply(*m);
      if (p.empty()) return;  // {"": 1} has no field name to give; event.original keeps it
      add_leaf(p);
      return;
    }
  }
}

void JsonLogParser::Impl::walk(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  const element_type t = e.type();
  if (t == element_type::OBJECT) {
    simdjson::dom::object o;
    if (e.get_object().get(o)) return;
    const std::size_t base = path.size();
    for (const auto kv : o) {
      if (base != 0) path.push_back('.');
      path.append(kv.key);
      walk(kv.value);
      path.resize(base);
    }
  } else if (t == element_type::ARRAY) {
    simdjson::dom::array a;
    if (e.get_array().get(a)) return;
    for (const auto v : a) walk(v);
  } else if (load_leaf(e, leaf)) {
    leaf_at_path();
  }
}

JsonLogParser::JsonLogParser() : impl_(std::make_unique<Impl>()) {}
JsonLogParser::~JsonLogParser() = default;

Result<void> JsonLogParser::parse(std::string_view line, JsonFlavour flavour, LogEvent& out) {
  Impl& im = *impl_;
  auto doc = im.load(line);
  if (!doc) return doc.error();
  simdjson::dom::object root;
  if (doc->get_object().get(root)) return Error{"not a JSON object"};

  // One pass over the top-level keys tells the flavour and, for Zeek without
  // _path, the log (object::operator[] would rescan the object per key).
  std::string_view event_type;
  std::string_view zeek_path;
  enum : std::uint32_t {
    kTs = 1, kUid = 2, kOrigH = 4, kNote = 8, kFuid = 16, kDns = 32, kHttp = 64, kSsl = 128, kConn = 256,
    kProto = 512, kPath = 1024,
  };
  std::uint32_t keys = 0;
  for (const auto kv : root) {
    const std::string_view k = kv.key;
    if (k == "event_type") {
      if (kv.value.get_string().get(event_type)) event_type = {};
    } else if (k == "_path") {
      keys |= kPath;
      if (kv.value.get_string().get(zeek_path)) zeek_path = {};
    } else if (k == "ts") keys |= kTs;
    else if (k == "uid") keys |= kUid;
    else if (k == "id.orig_h") keys |= kOrigH;
    else if (k == "proto") keys |= kProto;
    else if (k == "note") keys |= kNote;
    else if (k == "fuid") keys |= kFuid;
    else if (k == "query" || k == "qtype" || k == "trans_id") keys |= kDns;
    else if (k == "method" || k == "status_code" || k == "uri") keys |= kHttp;
    else if (k == "server_name" || k == "cipher" || k == "established" || k == "ssl_history") keys |= kSsl;
    else if (k == "conn_state" || k == "history" || k == "orig_bytes") keys |= kConn;
  }
  if (flavour == JsonFlavour::automatic) {
    if (!event_type.empty()) {
      flavour = JsonFlavour::eve;
    } else if ((keys & kPath) != 0 || ((keys & kTs) != 0 && (keys & (kUid | kOrigH)) != 0)) {
      flavour = JsonFlavour::zeek;
    } else {
      flavour = JsonFlavour::generic;
    }
  }
  im.flavour = flavour;
  im.out = &out;
  im.path.clear();
  im.seen_source_ip = im.seen_destination_ip = im.seen_source_port = im.seen_destination_port = false;

  switch (flavour) {
    case JsonFlavour::eve:
      out.parser = "eve";
      out.dataset.assign("suricata.").append(event_type.empty() ? std::string_view("eve") : event_type);
      break;
    case JsonFlavour::zeek: {
      out.parser = "zeek";
      if (zeek_path.empty()) {
        // Without _path (one log per file), the log is told by its own keys.
        if (keys & kNote) zeek_path = "notice";
        else if (keys & kFuid) zeek_path = "files";
        else if (keys & kDns) zeek_path = "dns";
        else if (keys & kHttp) zeek_path = "http";
        else if (keys & kSsl) zeek_path = "ssl";
        else if (keys & kConn) zeek_path = "conn";
        else zeek_path = "unknown";
      }
      im.zeek_log = zeek_path;
      out.dataset.assign("zeek.").append(zeek_path);
      // http.log and ssl.log carry no proto column: their analyzers run on
      // TCP (DTLS aside), and the 5-tuple needs it to find the session.
      if ((zeek_path == "http" || zeek_path == "ssl") && (keys & kProto) == 0) {
        out.endpoints.ip_proto = kIpProtoTcp;
        out.add("network.transport", "tcp");
      }
      break;
    }
    case JsonFlavour::automatic:
    case JsonFlavour::generic:
      out.parser = "json";
      out.dataset = "json";  // unless the document names its own event.dataset
      break;
  }
  im.walk(*doc);
  im.out = nullptr;
  out.parsed = true;
  return ok();
}

}  // namespace opensoc::logparse
