// Binary alert records for the alert store's LMDB values. Little endian,
// strings and lists as u32 count + items; fields in declaration order of
// core/alert.hpp, behind a version byte so that a later layout can still read
// old records. Called under the store's write lock and on HTTP threads.
#include "alert/alert_record_codec.hpp"

#include <bit>
#include <cstring>
#include <string>
#include <type_traits>

namespace opensoc::alert {
namespace {

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}
  template <typename T>
  void num(T v) {
    static_assert(std::is_integral_v<T>);
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      out_.push_back(static_cast<std::uint8_t>(static_cast<std::make_unsigned_t<T>>(v) >> (8 * i)));
    }
  }
  void f64(double d) { num(std::bit_cast<std::uint64_t>(d)); }
  void str(const std::string& s) {
    num(static_cast<std::uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void ip(const IpAddress& a) {
    num(a.version);
    out_.insert(out_.end(), a.bytes.begin(), a.bytes.end());
  }

 private:
  std::vector<std::uint8_t>& out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == in_.size(); }

  template <typename T>
  T num() {
    static_assert(std::is_integral_v<T>);
    if (!take(sizeof(T))) return T{};
    std::make_unsigned_t<T> v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      v = static_cast<std::make_unsigned_t<T>>(v | (static_cast<std::make_unsigned_t<T>>(in_[pos_ - sizeof(T) + i]) << (8 * i)));
    }
    return static_cast<T>(v);
  }
  double f64() { return std::bit_cast<double>(num<std::uint64_t>()); }
  std::string str() {
    const auto n = num<std::uint32_t>();
    if (!take(n)) return {};
    return std::string(reinterpret_cast<const char*>(in_.data() + pos_ - n), n);
  }
  IpAddress ip() {
    IpAddress a;
    a.version = num<std::uint8_t>();
    if (a.version != 0 && a.version != 4 && a.version != 6) ok_ = false;
    if (take(16)) std::memcpy(a.bytes.data(), in_.data() + pos_ - 16, 16);
    return a;
  }
  // A list length, refused when even one byte per item would not fit.
  std::uint32_t count() {
    const auto n = num<std::uint32_t>();
    if (n > in_.size() - pos_) ok_ = false;
    return ok_ ? n : 0;
  }
  template <typename E>
  E enumeration(std::uint8_t max) {
    const auto v = num<std::uint8_t>();
    if (v > max) ok_ = false;
    return static_cast<E>(v);
  }

 private:
  bool take(std::size_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

void write_endpoints(Writer& w, const Endpoints& e) {
  w.ip(e.src_ip);
  w.ip(e.dst_ip);
  w.num(e.src_port);
  w.num(e.dst_port);
  w.num(e.ip_proto);
  w.num(e.vlan);
}

Endpoints read_endpoints(Reader& r) {
  Endpoints e;
  e.src_ip = r.ip();
  e.dst_ip = r.ip();
  e.src_port = r.num<std::uint16_t>();
  e.dst_port = r.num<std::uint16_t>();
  e.ip_proto = r.num<std::uint8_t>();
  e.vlan = r.num<std::uint16_t>();
  return e;
}

constexpr auto kMaxIndicatorType = static_cast<std::uint8_t>(IndicatorType::cert_sha256);
constexpr auto kMaxKind = static_cast<std::uint8_t>(DetectionKind::behaviour);
constexpr auto kMaxStatus = static_cast<std::uint8_t>(AlertStatus::closed);
constexpr auto kMaxCriticality = static_cast<std::uint8_t>(Criticality::critical);

}  // namespace

void encode_alert_record(const Alert& a, std::vector<std::uint8_t>& out) {
  out.clear();
  Writer w(out);
  w.num(kAlertRecordVersion);
  w.num(a.id);
  w.f64(a.score);
  w.num(a.first_seen);
  w.num(a.last_seen);
  w.num(a.created_at);
  w.num(a.count);
  w.num(static_cast<std::uint8_t>(a.status));

  const DetectionHit& h = a.hit;
  w.num(static_cast<std::uint8_t>(h.kind));
  w.str(h.rule_id);
  w.num(h.signature_id);
  w.num(h.rev);
  w.str(h.signature);
  w.str(h.category);
  w.num(h.severity);
  w.num(h.confidence);
  w.num(h.ts);
  write_endpoints(w, h.endpoints);
  w.num(static_cast<std::uint32_t>(h.evidence.size()));
  for (const AlertEvidence& e : h.evidence) {
    w.num(e.session_id);
    w.str(e.community_id);
    write_endpoints(w, e.endpoints);
    w.num(e.first_ts);
    w.num(e.last_ts);
    w.num(e.bytes_out);
    w.num(e.bytes_in);
    w.str(e.app_protocol);
  }
  w.num(static_cast<std::uint32_t>(h.threats.size()));
  for (const ThreatMatch& t : h.threats) {
    const Indicator& i = t.indicator;
    w.num(static_cast<std::uint8_t>(i.type));
    w.str(i.value);
    w.str(i.source);
    w.str(i.description);
    w.str(i.id);
    w.num(i.confidence);
    w.num(i.severity);
    w.num(i.expires);
    w.str(t.field);
    w.str(t.matched_value);
  }
  w.str(h.dedup_key);
  w.str(h.details_json);
  w.num(static_cast<std::uint8_t>(h.asset_criticality));
  w.num(static_cast<std::uint8_t>(h.from_packet ? 1 : 0));

  w.num(static_cast<std::uint32_t>(a.history.size()));
  for (const AlertChange& c : a.history) {
    w.num(c.at);
    w.str(c.user);
    w.num(static_cast<std::uint8_t>(c.from));
    w.num(static_cast<std::uint8_t>(c.to));
    w.str(c.note);
  }
}

std::optional<Alert> decode_alert_record(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  if (r.num<std::uint8_t>() != kAlertRecordVersion) return std::nullopt;
  Alert a;
  a.id = r.num<std::uint64_t>();
  a.score = r.f64();
  a.first_seen = r.num<std::int64_t>();
  a.last_seen = r.num<std::int64_t>();
  a.created_at = r.num<std::int64_t>();
  a.count = r.num<std::uint32_t>();
  a.status = r.enumeration<AlertStatus>(kMaxStatus);

  DetectionHit& h = a.hit;
  h.kind = r.enumeration<DetectionKind>(kMaxKind);
  h.rule_id = r.str();
  h.signature_id = r.num<std::uint32_t>();
  h.rev = r.num<std::uint32_t>();
  h.signature = r.str();
  h.category = r.str();
  h.severity = r.num<std::uint8_t>();
  h.confidence = r.num<std::uint8_t>();
  h.ts = r.num<std::int64_t>();
  h.endpoints = read_endpoints(r);
  for (std::uint32_t n = r.count(); n > 0 && r.ok(); --n) {
    AlertEvidence e;
    e.session_id = r.num<std::uint64_t>();
    e.community_id = r.str();
    e.endpoints = read_endpoints(r);
    e.first_ts = r.num<std::int64_t>();
    e.last_ts = r.num<std::int64_t>();
    e.bytes_out = r.num<std::uint64_t>();
    e.bytes_in = r.num<std::uint64_t>();
    e.app_protocol = r.str();
    h.evidence.push_back(std::move(e));
  }
  for (std::uint32_t n = r.count(); n > 0 && r.ok(); --n) {
    ThreatMatch t;
    Indicator& i = t.indicator;
    i.type = r.enumeration<IndicatorType>(kMaxIndicatorType);
    i.value = r.str();
    i.source = r.str();
    i.description = r.str();
    i.id = r.str();
    i.confidence = r.num<std::uint8_t>();
    i.severity = r.num<std::uint8_t>();
    i.expires = r.num<std::int64_t>();
    t.field = r.str();
    t.matched_value = r.str();
    h.threats.push_back(std::move(t));
  }
  h.dedup_key = r.str();
  h.details_json = r.str();
  h.asset_criticality = r.enumeration<Criticality>(kMaxCriticality);
  h.from_packet = r.enumeration<std::uint8_t>(1) != 0;

  for (std::uint32_t n = r.count(); n > 0 && r.ok(); --n) {
    AlertChange c;
    c.at = r.num<std::int64_t>();
    c.user = r.str();
    c.from = r.enumeration<AlertStatus>(kMaxStatus);
    c.to = r.enumeration<AlertStatus>(kMaxStatus);
    c.note = r.str();
    a.history.push_back(std::move(c));
  }
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return a;
}

}  // namespace opensoc::alert
