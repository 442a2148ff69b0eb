// NetflowDecoder: flow export datagrams (NetFlow v5, NetFlow v9 of RFC 3954,
// IPFIX of RFC 7011 with the biflow reverse elements of RFC 5103) into one
// LogEvent per flow record.
//
// In: one UDP payload and the exporter that sent it. Out: LogEvents appended
// to the caller's vector, and counters. The decoder owns the template cache
// (per exporter address, port, source id / observation domain), the sequence
// number each exporter is expected to send next, and the IPFIX
// systemInitTimeMilliseconds each exporter announced in its options records.
// One instance per receiver thread; nothing is shared, nothing blocks.
//
// Exporters are untrusted: every read is bounds-checked through memcpy loads,
// a set whose length does not fit ends the datagram (counted as malformed),
// and a template whose records could be zero bytes long is refused, so the
// record loop always advances.
#include "logparse/netflow_decoder.hpp"

#include <array>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace opensoc::logparse {

// Facts from one datagram's header that every set in it needs.
struct NetflowDecoder::Datagram {
  std::uint16_t version = 0;
  IpAddress exporter;
  std::uint16_t port = 0;
  std::uint32_t domain = 0;        // v5: engine type << 8 | engine id; v9: source id; IPFIX: observation domain
  TimestampNs export_ns = 0;       // the header's export time
  std::uint32_t uptime_ms = 0;     // v5/v9 sysUptime at export
  std::uint32_t sequence = 0;      // IPFIX: data records sent before this message
  TimestampNs received = 0;
  const char* parser = "";
};

namespace {

constexpr std::uint16_t kVariableLength = 65535;
constexpr std::uint32_t kReverseEnterprise = 29305;  // RFC 5103 reverse information elements
constexpr std::int64_t kNtpToUnixSeconds = 2208988800;  // 1900-01-01 to 1970-01-01
constexpr std::int64_t kNsPerMs = 1'000'000;

std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  std::uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap16(v);
}
std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap32(v);
}
// IPFIX reduced-size encoding (RFC 7011 6.2): an unsigned of 1..8 bytes, big-endian.
std::uint64_t load_unsigned(std::span<const std::uint8_t> v) noexcept {
  std::uint64_t x = 0;
  for (std::size_t i = 0; i < v.size() && i < 8; ++i) x = (x << 8) | v[i];
  return x;
}
bool all_zero(std::span<const std::uint8_t> v) noexcept {
  for (auto b : v)
    if (b != 0) return false;
  return true;
}

// dateTimeMicroseconds / dateTimeNanoseconds: NTP format, seconds since 1900
// and a binary fraction of a second.
TimestampNs ntp_to_ns(std::uint64_t ntp) noexcept {
  const auto seconds = static_cast<std::int64_t>(ntp >> 32) - kNtpToUnixSeconds;
  const auto fraction = static_cast<std::int64_t>(((ntp & 0xffffffffULL) * 1'000'000'000ULL) >> 32);
  return seconds * kNsPerSecond + fraction;
}

const char* transport_name(std::uint8_t proto) noexcept {
  switch (proto) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 47: return "gre";
    case 50: return "esp";
    case 58: return "ipv6-icmp";
    case 132: return "sctp";
    default: return nullptr;
  }
}

// How precisely a record gave a time; a more precise element wins over a
// coarser one of the same record whatever their order.
enum class TimeSource : std::uint8_t { none, uptime, delta, seconds, milliseconds, microseconds, nanoseconds };

struct TimeValue {
  TimestampNs ns = 0;
  TimeSource source = TimeSource::none;
  void offer(TimestampNs value, TimeSource from) noexcept {
    if (from >= source) {
      ns = value;
      source = from;
    }
  }
  // Exporters are untrusted: a count of units past what TimestampNs holds
  // (year 2262) is dropped, not overflowed.
  void offer_scaled(std::uint64_t units, std::int64_t unit_ns, TimeSource from) noexcept {
    if (units <= static_cast<std::uint64_t>(std::numeric_limits<TimestampNs>::max() / unit_ns))
      offer(static_cast<TimestampNs>(units) * unit_ns, from);
  }
  void offer_before(TimestampNs reference, std::uint64_t units, std::int64_t unit_ns, TimeSource from) noexcept {
    if (units <= static_cast<std::uint64_t>(std::numeric_limits<TimestampNs>::max() / unit_ns))
      offer(reference - static_cast<TimestampNs>(units) * unit_ns, from);
  }
};

// One record's values as the template delivered them, before rendering.
struct FlowRecord {
  IpAddress src;
  IpAddress dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  bool has_ports = false;
  std::uint8_t proto = 0;
  bool has_proto = false;
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;
  bool has_bytes = false;
  bool has_packets = false;
  std::uint64_t rev_bytes = 0;
  std::uint64_t rev_packets = 0;
  bool has_rev_bytes = false;
  bool has_rev_packets = false;
  TimeValue start;
  TimeValue end;
  std::uint16_t tcp_flags = 0;
  bool has_tcp_flags = false;
  std::uint8_t tos = 0;
  bool has_tos = false;
  std::uint64_t ingress = 0;
  std::uint64_t egress = 0;
  bool has_ingress = false;
  bool has_egress = false;
  std::uint64_t src_as = 0;
  std::uint64_t dst_as = 0;
  bool has_src_as = false;
  bool has_dst_as = false;
  std::uint64_t system_init_ms = 0;  // options records
  bool has_system_init = false;
  std::uint32_t sampling_interval = 0;  // v5 header
};

LogEvent render(const FlowRecord& r, const IpAddress& exporter, std::uint16_t exporter_port, std::uint16_t version,
                std::uint32_t domain, TimestampNs export_ns, TimestampNs received, const char* parser) {
  LogEvent e;
  e.received = received;
  e.timestamp = r.end.source != TimeSource::none ? r.end.ns : export_ns;
  e.sender = exporter;
  e.sender_port = exporter_port;
  e.dataset = "netflow";
  e.parser = parser;
  e.parsed = true;
  e.fields.reserve(24);

  // ICMP records carry type/code, not ports (v5 folds them into the
  // destination port): they are not endpoints.
  const bool port_protocol = !(r.has_proto && (r.proto == 1 || r.proto == 58));
  e.endpoints.source_ip = r.src;
  e.endpoints.destination_ip = r.dst;
  if (r.has_ports && port_protocol) {
    e.endpoints.source_port = r.src_port;
    e.endpoints.destination_port = r.dst_port;
  }
  e.endpoints.ip_proto = r.proto;

  if (r.src.version != 0) e.add("source.ip", r.src.to_string(), LogValueType::ip);
  if (r.has_ports && port_protocol) e.add("source.port", std::to_string(r.src_port), LogValueType::integer);
  if (r.dst.version != 0) e.add("destination.ip", r.dst.to_string(), LogValueType::ip);
  if (r.has_ports && port_protocol) e.add("destination.port", std::to_string(r.dst_port), LogValueType::integer);
  if (r.has_proto) {
    const char* name = transport_name(r.proto);
    e.add("network.transport", name != nullptr ? std::string(name) : std::to_string(r.proto));
    e.add("network.iana_number", std::to_string(r.proto), LogValueType::integer);
  }
  // ECS network.* counts both directions; source.* / destination.* split them
  // when the exporter sent a biflow (RFC 5103).
  const bool biflow = r.has_rev_bytes || r.has_rev_packets;
  if (r.has_bytes || r.has_rev_bytes)
    e.add("network.bytes", std::to_string(r.bytes + r.rev_bytes), LogValueType::integer);
  if (r.has_packets || r.has_rev_packets)
    e.add("network.packets", std::to_string(r.packets + r.rev_packets), LogValueType::integer);
  if (biflow) {
    if (r.has_bytes) e.add("source.bytes", std::to_string(r.bytes), LogValueType::integer);
    if (r.has_packets) e.add("source.packets", std::to_string(r.packets), LogValueType::integer);
    if (r.has_rev_bytes) e.add("destination.bytes", std::to_string(r.rev_bytes), LogValueType::integer);
    if (r.has_rev_packets) e.add("destination.packets", std::to_string(r.rev_packets), LogValueType::integer);
  }
  if (r.start.source != TimeSource::none) e.add("event.start", std::to_string(r.start.ns), LogValueType::time);
  if (r.end.source != TimeSource::none) e.add("event.end", std::to_string(r.end.ns), LogValueType::time);
  e.add("netflow.exporter.address", exporter.to_string(), LogValueType::ip);
  e.add("netflow.exporter.version", std::to_string(version), LogValueType::integer);
  e.add("netflow.exporter.source_id", std::to_string(domain), LogValueType::integer);
  if (r.has_tcp_flags) e.add("netflow.tcp_control_bits", std::to_string(r.tcp_flags), LogValueType::integer);
  if (r.has_tos) e.add("netflow.ip_tos", std::to_string(r.tos), LogValueType::integer);
  if (r.has_ingress) e.add("netflow.ingress_interface", std::to_string(r.ingress), LogValueType::integer);
  if (r.has_egress) e.add("netflow.egress_interface", std::to_string(r.egress), LogValueType::integer);
  // AS 0 is "unknown" (v5 always carries the field): only real numbers.
  if (r.has_src_as && r.src_as != 0) e.add("source.as.number", std::to_string(r.src_as), LogValueType::integer);
  if (r.has_dst_as && r.dst_as != 0) e.add("destination.as.number", std::to_string(r.dst_as), LogValueType::integer);
  if (version == 5) e.add("netflow.sampling_interval", std::to_string(r.sampling_interval), LogValueType::integer);
  return e;
}

// v9 FIRST_SWITCHED/LAST_SWITCHED: sysUptime milliseconds; the flow happened
// (uptime - value) ms before the export time. Signed 32-bit difference, so
// an uptime that wrapped since the flow began still subtracts correctly.
TimestampNs uptime_to_ns(TimestampNs export_ns, std::uint32_t uptime_ms,
                         std::uint32_t value_ms) noexcept {
  const auto behind = static_cast<std::int32_t>(uptime_ms - value_ms);
  return export_ns - static_cast<TimestampNs>(behind) * kNsPerMs;
}

}  // namespace

NetflowDecoder::NetflowDecoder(NetflowOptions options) : options_(options) {}

std::size_t NetflowDecoder::decode(std::span<const std::uint8_t> datagram, const IpAddress& exporter,
                                   std::uint16_t exporter_port, TimestampNs received, std::vector<LogEvent>& out) {
  ++stats_.packets;
  if (datagram.size() < 2) {
    ++stats_.malformed;
    return 0;
  }
  Datagram d;
  d.version = load_be16(datagram.data());
  d.exporter = exporter;
  d.port = exporter_port;
  d.received = received;
  const std::uint8_t* p = datagram.data();
  switch (d.version) {
    case 5: {
      if (datagram.size() < 24) break;
      d.uptime_ms = load_be32(p + 4);
      d.export_ns = static_cast<TimestampNs>(load_be32(p + 8)) * kNsPerSecond + load_be32(p + 12);
      d.domain = static_cast<std::uint32_t>(p[20]) << 8 | p[21];
      d.parser = "netflow_v5";
      return decode_v5(d, datagram, out);
    }
    case 9: {
      if (datagram.size() < 20) break;
      d.uptime_ms = load_be32(p + 4);
      d.export_ns = static_cast<TimestampNs>(load_be32(p + 8)) * kNsPerSecond;
      d.domain = load_be32(p + 16);
      d.parser = "netflow_v9";
      const std::uint32_t sequence = load_be32(p + 12);
      // v9 numbers export packets, not records (RFC 3954 5.1).
      account_sequence(SequenceKey{exporter, exporter_port, d.domain, 9}, sequence, 1, true);
      return decode_sets(d, datagram.subspan(20), out);
    }
    case 10: {
      if (datagram.size() < 16) break;
      const std::uint16_t length = load_be16(p + 2);
      // The message length must cover its header and fit what was received.
      if (length < 16 || length > datagram.size()) break;
      d.export_ns = static_cast<TimestampNs>(load_be32(p + 4)) * kNsPerSecond;
      d.sequence = load_be32(p + 8);
      d.domain = load_be32(p + 12);
      d.parser = "ipfix";
      return decode_sets(d, datagram.subspan(16, length - 16u), out);
    }
    default:
      ++stats_.unsupported_version;
      return 0;
  }
  ++stats_.malformed;
  return 0;
}

std::size_t NetflowDecoder::decode_v5(const Datagram& d, std::span<const std::uint8_t> bytes,
                                      std::vector<LogEvent>& out) {
  constexpr std::size_t kHeader = 24;
  constexpr std::size_t kRecord = 48;
  const std::uint8_t* h = bytes.data();
  const std::uint16_t count = load_be16(h + 2);
  if (count == 0 || bytes.size() < kHeader + count * kRecord) {
    ++stats_.malformed;
    return 0;
  }
  // v5 numbers flows: the header carries the count of flows sent before it.
  account_sequence(SequenceKey{d.exporter, d.port, d.domain, 5}, load_be32(h + 16), count, true);
  // Sampling interval: the low 14 bits; the top two are the sampling mode.
  const std::uint32_t sampling = load_be16(h + 22) & 0x3fffu;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* r = h + kHeader + i * kRecord;
    FlowRecord f;
    f.src = IpAddress::v4(r);
    f.dst = IpAddress::v4(r + 4);
    f.ingress = load_be16(r + 12);
    f.egress = load_be16(r + 14);
    f.has_ingress = f.has_egress = true;
    f.packets = load_be32(r + 16);
    f.bytes = load_be32(r + 20);
    f.has_packets = f.has_bytes = true;
    f.start.offer(uptime_to_ns(d.export_ns, d.uptime_ms, load_be32(r + 24)), TimeSource::uptime);
    f.end.offer(uptime_to_ns(d.export_ns, d.uptime_ms, load_be32(r + 28)), TimeSource::uptime);
    f.src_port = load_be16(r + 32);
    f.dst_port = load_be16(r + 34);
    f.has_ports = true;
    f.tcp_flags = r[37];
    f.has_tcp_flags = true;
    f.proto = r[38];
    f.has_proto = true;
    f.tos = r[39];
    f.has_tos = true;
    f.src_as = load_be16(r + 40);
    f.dst_as = load_be16(r + 42);
    f.has_src_as = f.has_dst_as = true;
    f.sampling_interval = sampling;
    out.push_back(render(f, d.exporter, d.port, 5, d.domain, d.export_ns, d.received, d.parser));
  }
  stats_.records += count;
  return count;
}

std::size_t NetflowDecoder::decode_sets(const Datagram& d, std::span<const std::uint8_t> sets,
                                        std::vector<LogEvent>& out) {
  const bool ipfix = d.version == 10;
  const std::uint16_t template_set = ipfix ? 2 : 0;
  const std::uint16_t options_set = ipfix ? 3 : 1;
  std::size_t produced = 0;
  std::uint32_t data_records = 0;
  bool records_known = true;  // false once a data set could not be counted
  std::size_t pos = 0;
  while (pos < sets.size()) {
    // v9 may pad the end of the packet; fewer bytes than a set header is padding.
    if (sets.size() - pos < 4) {
      if (!all_zero(sets.subspan(pos))) {
        ++stats_.malformed;
        records_known = false;
      }
      break;
    }
    const std::uint16_t set_id = load_be16(sets.data() + pos);
    const std::uint16_t length = load_be16(sets.data() + pos + 2);
    if (length < 4 || length > sets.size() - pos) {
      // A zero length would never advance; an overlong one reads past the
      // datagram. Either way the rest cannot be framed.
      ++stats_.malformed;
      records_known = false;
      break;
    }
    const auto body = sets.subspan(pos + 4, length - 4u);
    pos += length;
    if (set_id == template_set || set_id == options_set) {
      if (!learn_templates(d, set_id, body)) {
        ++stats_.malformed;
        records_known = false;
        break;
      }
    } else if (set_id >= 256) {
      const auto it = templates_.find(TemplateKey{d.exporter, d.port, d.domain, set_id, d.version});
      if (it == templates_.end()) {
        ++stats_.missing_template;
        records_known = false;
        continue;
      }
      if (!decode_data_set(d, it->second, body, out, produced, data_records)) {
        ++stats_.malformed;
        records_known = false;
        break;
      }
    }
    // Set ids 4..255 (IPFIX) and 2..255 (v9) are reserved: skipped by length.
  }
  if (ipfix) {
    // IPFIX numbers data records (options records included) sent before
    // this message; a set we could not count leaves the next number unknown.
    account_sequence(SequenceKey{d.exporter, d.port, d.domain, 10}, d.sequence, data_records, records_known);
  }
  return produced;
}

bool NetflowDecoder::learn_templates(const Datagram& d, std::uint16_t set_id, std::span<const std::uint8_t> body) {
  const bool ipfix = d.version == 10;
  const bool options = ipfix ? set_id == 3 : set_id == 1;
  std::size_t pos = 0;
  const auto left = [&] { return body.size() - pos; };
  const auto u16 = [&] {
    const std::uint16_t v = load_be16(body.data() + pos);
    pos += 2;
    return v;
  };
  while (left() >= 4) {
    // Sets are padded to 4-byte boundaries with zeros.
    if (all_zero(body.subspan(pos))) return true;
    const std::uint16_t template_id = u16();
    std::uint16_t field_count = 0;
    std::uint16_t scope_count = 0;
    if (ipfix) {
      field_count = u16();
      if (field_count == 0) {
        // RFC 7011 8.1: a template withdrawal; the set id as template id withdraws all.
        withdraw(d, template_id, options);
        continue;
      }
      if (options) {
        if (left() < 2) return false;
        scope_count = u16();
        if (scope_count == 0 || scope_count > field_count) return false;
      }
    } else if (options) {
      // v9 options template: scope and option lengths in bytes (RFC 3954 6.1).
      if (left() < 2) return false;
      const std::uint16_t scope_bytes = u16();
      if (left() < 2) return false;
      const std::uint16_t option_bytes = u16();
      if (scope_bytes % 4 != 0 || option_bytes % 4 != 0) return false;
      scope_count = static_cast<std::uint16_t>(scope_bytes / 4);
      field_count = static_cast<std::uint16_t>(scope_count + option_bytes / 4);
      if (field_count == 0) return false;
    } else {
      field_count = u16();
      if (field_count == 0) return false;
    }
    if (template_id < 256) return false;
    Template t;
    t.options = options;
    t.scope_fields = scope_count;
    t.fields.reserve(field_count);
    std::uint32_t min_length = 0;
    for (std::uint16_t i = 0; i < field_count; ++i) {
      if (left() < 4) return false;
      TemplateField f;
      f.type = u16();
      f.length = u16();
      if (ipfix && (f.type & 0x8000u) != 0) {
        if (left() < 4) return false;
        f.enterprise = load_be32(body.data() + pos);
        pos += 4;
        f.type &= 0x7fffu;
      }
      min_length += (ipfix && f.length == kVariableLength) ? 1u : f.length;
      t.fields.push_back(f);
    }
    // A record that can be empty would never move the data cursor.
    if (min_length == 0) return false;
    store_template(TemplateKey{d.exporter, d.port, d.domain, template_id, d.version}, std::move(t), d.received);
  }
  // v9 options template sets pad with up to 3 bytes; anything else left is junk.
  return all_zero(body.subspan(pos));
}

void NetflowDecoder::store_template(const TemplateKey& key, Template t, TimestampNs received) {
  t.refreshed = received;
  auto it = templates_.find(key);
  if (it != templates_.end()) {
    it->second = std::move(t);
  } else {
    if (templates_.size() >= options_.max_templates) {
      ++stats_.templates_refused;
      return;
    }
    templates_.emplace(key, std::move(t));
  }
  ++stats_.templates;
  stats_.templates_active = templates_.size();
}

void NetflowDecoder::withdraw(const Datagram& d, std::uint16_t template_id, bool options) {
  const bool all = template_id == (options ? 3 : 2);
  for (auto it = templates_.begin(); it != templates_.end();) {
    const auto& k = it->first;
    const bool same_domain =
        k.exporter == d.exporter && k.port == d.port && k.domain == d.domain && k.version == d.version;
    if (same_domain && it->second.options == options && (all || k.template_id == template_id))
      it = templates_.erase(it);
    else
      ++it;
  }
  stats_.templates_active = templates_.size();
}

bool NetflowDecoder::decode_data_set(const Datagram& d, const Template& t, std::span<const std::uint8_t> body,
                                     std::vector<LogEvent>& out, std::size_t& produced,
                                     std::uint32_t& data_records) {
  const bool ipfix = d.version == 10;
  std::size_t min_length = 0;
  for (const auto& f : t.fields) min_length += (ipfix && f.length == kVariableLength) ? 1u : f.length;
  const SequenceKey domain_key{d.exporter, d.port, d.domain, d.version};
  std::size_t pos = 0;
  // What is left after the last whole record is padding (RFC 7011 3.3.1).
  while (body.size() - pos >= min_length) {
    FlowRecord r;
    bool uptime_start = false;
    bool uptime_end = false;
    std::uint32_t start_uptime = 0;
    std::uint32_t end_uptime = 0;
    std::size_t index = 0;
    for (const auto& f : t.fields) {
      // v9 scope fields number their own small table (1 system, 2 interface,
      // ...), which would read as flow elements: consume, don't interpret.
      const bool v9_scope = !ipfix && index++ < t.scope_fields;
      std::size_t len = f.length;
      if (ipfix && f.length == kVariableLength) {
        // RFC 7011 7: one length byte, or 255 and a two-byte length.
        if (body.size() - pos < 1) return false;
        len = body[pos++];
        if (len == 255) {
          if (body.size() - pos < 2) return false;
          len = load_be16(body.data() + pos);
          pos += 2;
        }
      }
      if (body.size() - pos < len) return false;
      const auto v = body.subspan(pos, len);
      pos += len;
      if (f.enterprise == kReverseEnterprise) {
        if (f.type == 1 || f.type == 85) {
          r.rev_bytes = load_unsigned(v);
          r.has_rev_bytes = true;
        } else if (f.type == 2 || f.type == 86) {
          r.rev_packets = load_unsigned(v);
          r.has_rev_packets = true;
        }
        continue;
      }
      if (f.enterprise != 0 || len == 0 || v9_scope) continue;
      switch (f.type) {
        case 1: case 85: r.bytes = load_unsigned(v); r.has_bytes = true; break;
        case 2: case 86: r.packets = load_unsigned(v); r.has_packets = true; break;
        case 4: r.proto = v[0]; r.has_proto = true; break;
        case 5: r.tos = v[0]; r.has_tos = true; break;
        case 6: r.tcp_flags = static_cast<std::uint16_t>(load_unsigned(v)); r.has_tcp_flags = true; break;
        case 7: r.src_port = static_cast<std::uint16_t>(load_unsigned(v)); r.has_ports = true; break;
        case 11: r.dst_port = static_cast<std::uint16_t>(load_unsigned(v)); r.has_ports = true; break;
        case 8: if (len == 4) r.src = IpAddress::v4(v.data()); break;
        case 12: if (len == 4) r.dst = IpAddress::v4(v.data()); break;
        case 27: if (len == 16) r.src = IpAddress::v6(v.data()); break;
        case 28: if (len == 16) r.dst = IpAddress::v6(v.data()); break;
        case 10: r.ingress = load_unsigned(v); r.has_ingress = true; break;
        case 14: r.egress = load_unsigned(v); r.has_egress = true; break;
        case 16: r.src_as = load_unsigned(v); r.has_src_as = true; break;
        case 17: r.dst_as = load_unsigned(v); r.has_dst_as = true; break;
        case 22: start_uptime = static_cast<std::uint32_t>(load_unsigned(v)); uptime_start = true; break;
        case 21: end_uptime = static_cast<std::uint32_t>(load_unsigned(v)); uptime_end = true; break;
        case 150: r.start.offer_scaled(load_unsigned(v), kNsPerSecond, TimeSource::seconds); break;
        case 151: r.end.offer_scaled(load_unsigned(v), kNsPerSecond, TimeSource::seconds); break;
        case 152: r.start.offer_scaled(load_unsigned(v), kNsPerMs, TimeSource::milliseconds); break;
        case 153: r.end.offer_scaled(load_unsigned(v), kNsPerMs, TimeSource::milliseconds); break;
        case 154: if (len == 8) r.start.offer(ntp_to_ns(load_unsigned(v)), TimeSource::microseconds); break;
        case 155: if (len == 8) r.end.offer(ntp_to_ns(load_unsigned(v)), TimeSource::microseconds); break;
        case 156: if (len == 8) r.start.offer(ntp_to_ns(load_unsigned(v)), TimeSource::nanoseconds); break;
        case 157: if (len == 8) r.end.offer(ntp_to_ns(load_unsigned(v)), TimeSource::nanoseconds); break;
        // Delta microseconds: how long before the export time (RFC 5102 5.9.12).
        case 158: r.start.offer_before(d.export_ns, load_unsigned(v), kNsPerMicro, TimeSource::delta); break;
        case 159: r.end.offer_before(d.export_ns, load_unsigned(v), kNsPerMicro, TimeSource::delta); break;
        case 160: r.system_init_ms = load_unsigned(v); r.has_system_init = true; break;
        default: break;
      }
    }
    ++data_records;
    if (t.options) {
      // Options records describe the exporter, not a flow.
      // Kept below 2^62 ms so that adding a 32-bit uptime cannot wrap.
      if (r.has_system_init && r.system_init_ms < (1ULL << 62))
        system_init_ms_[domain_key] = static_cast<std::int64_t>(r.system_init_ms);
      continue;
    }
    if (uptime_start || uptime_end) {
      if (!ipfix) {
        if (uptime_start) r.start.offer(uptime_to_ns(d.export_ns, d.uptime_ms, start_uptime), TimeSource::uptime);
        if (uptime_end) r.end.offer(uptime_to_ns(d.export_ns, d.uptime_ms, end_uptime), TimeSource::uptime);
      } else if (const auto init = system_init_ms_.find(domain_key); init != system_init_ms_.end()) {
        // IPFIX flowStart/EndSysUpTime count from systemInitTimeMilliseconds;
        // without it (options record not seen yet) they cannot be placed.
        const auto init_ms = static_cast<std::uint64_t>(init->second);
        if (uptime_start) r.start.offer_scaled(init_ms + start_uptime, kNsPerMs, TimeSource::uptime);
        if (uptime_end) r.end.offer_scaled(init_ms + end_uptime, kNsPerMs, TimeSource::uptime);
      }
    }
    out.push_back(render(r, d.exporter, d.port, d.version, d.domain, d.export_ns, d.received, d.parser));
    ++produced;
    ++stats_.records;
  }
  return true;
}

void NetflowDecoder::account_sequence(const SequenceKey& key, std::uint32_t sequence, std::uint32_t units,
                                      bool units_known) {
  const auto it = next_sequence_.find(key);
  if (it != next_sequence_.end()) {
    // Modulo-2^32 distance: ahead means lost; behind means reordered,
    // duplicated or a restarted exporter, which loses nothing we can count.
    const auto ahead = static_cast<std::int32_t>(sequence - it->second);
    if (ahead > 0) stats_.sequence_gaps += static_cast<std::uint64_t>(ahead);
  }
  if (!units_known) {
    if (it != next_sequence_.end()) next_sequence_.erase(it);
    return;
  }
  next_sequence_.insert_or_assign(key, sequence + units);
}

void NetflowDecoder::expire(TimestampNs now) {
  if (options_.template_timeout_s < 0 || options_.template_timeout_s > now / kNsPerSecond) return;
  const TimestampNs cutoff = now - options_.template_timeout_s * kNsPerSecond;
  for (auto it = templates_.begin(); it != templates_.end();) {
    if (it->second.refreshed < cutoff)
      it = templates_.erase(it);
    else
      ++it;
  }
  stats_.templates_active = templates_.size();
}

}  // namespace opensoc::logparse
