// EVE JSON: session records and protocol events rendered the way Suricata 8
// writes eve.json, checked field by field against Suricata's published schema
// and the suricata-verify expectations. Called on the exporter thread; no
// state, no allocation beyond the output buffer and small temporaries.
//
// Orientation follows Suricata 8: transaction logs of protocols whose every
// message is its own record (DNS, DHCP) put the message's sender in src_ip,
// so a DNS response reads server -> client; HTTP, TLS, SSH and QUIC records
// keep the flow's orientation (client -> server), as does the flow record.
#include "session/eve_json.hpp"

#include <ctime>
#include <iterator>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "opensoc/core/ip_protocol.hpp"
#include "opensoc/core/json_writer.hpp"
#include "session/json_fields.hpp"

namespace opensoc::session {
namespace {



// Splits ns since the epoch into whole seconds and the remainder, flooring so
// that times before 1970 still print a non-negative fraction.
std::pair<std::int64_t, std::int64_t> split_seconds(TimestampNs ts) {
  std::int64_t sec = ts / kNsPerSecond;
  std::int64_t frac = ts % kNsPerSecond;
  if (frac < 0) {
    frac += kNsPerSecond;
    --sec;
  }
  return {sec, frac};
}

std::tm utc_tm(std::int64_t sec) {
  const auto t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// "2019-03-12T12:00:00": Suricata's certificate validity format (UTC, no zone).
std::string tls_date(TimestampNs ts) {
  const std::tm tm = utc_tm(split_seconds(ts).first);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string expanded_ipv6(std::string_view text);

// Suricata writes IPv6 addresses in full, zero-padded form.
std::string eve_address(const IpAddress& ip) {
  const std::string text = ip.to_string();
  return ip.version == 6 ? expanded_ipv6(text) : text;
}

struct Side {
  const IpAddress* ip;
  std::uint16_t port;
};

// The header every EVE record starts with. `swap` reverses the session's
// orientation for a message sent by the responder.
void write_header(JsonWriter& w, TimestampNs ts, std::uint64_t flow_id, std::uint64_t pcap_cnt,
                  std::string_view event_type, const Endpoints& e, bool swap, std::string_view community_id,
                  std::uint16_t inner_vlan = 0) {
  Side src{&e.src_ip, e.src_port};
  Side dst{&e.dst_ip, e.dst_port};
  if (swap) std::swap(src, dst);
  w.field("timestamp", eve_timestamp(ts));
  w.field("flow_id", flow_id);
  if (pcap_cnt > 0) w.field("pcap_cnt", pcap_cnt);
  w.field("event_type", event_type);
  if (e.vlan != 0) {
    w.key("vlan").begin_array().value(e.vlan);
    if (inner_vlan != 0) w.value(inner_vlan);
    w.end_array();
  }
  w.field("src_ip", eve_address(*src.ip));
  if (!is_icmp_protocol(e.ip_proto)) w.field("src_port", src.port);
  w.field("dest_ip", eve_address(*dst.ip));
  if (!is_icmp_protocol(e.ip_proto)) w.field("dest_port", dst.port);
  w.field("proto", eve_proto_name(e.ip_proto));
  if (is_icmp_protocol(e.ip_proto)) {
    // For ICMP the flow's "ports" are the first packet's type and code.
    w.field("icmp_type", e.src_port);
    w.field("icmp_code", e.dst_port);
  }
  if (!community_id.empty()) w.field("community_id", community_id);
}

// Suricata prints AAAA records in full, zero-padded form
// ("2001:4860:0000:2001:0000:0000:0000:0068").
std::string expanded_ipv6(std::string_view text) {
  const auto addr = IpAddress::parse(text);
  if (!addr || addr->version != 6) return std::string(text);
  std::string out;
  out.reserve(39);
  for (int i = 0; i < 8; ++i) {
    if (i > 0) out.push_back(':');
    fmt::format_to(std::back_inserter(out), "{:02x}{:02x}", addr->bytes[static_cast<std::size_t>(2 * i)],
                   addr->bytes[static_cast<std::size_t>(2 * i + 1)]);
  }
  return out;
}

constexpr std::uint16_t kTypeNs = 2, kTypeCname = 5, kTypeSoa = 6, kTypePtr = 12, kTypeMx = 15, kTypeTxt = 16,
                        kTypeAaaa = 28, kTypeA = 1;

std::string eve_rrname(std::string_view name) { return name.empty() ? std::string("<root>") : std::string(name); }

// The rdata string Suricata logs for a record; "" when it logs none.
std::string eve_rdata(const DnsAnswerEntry& a) {
  switch (a.type) {
    case kTypeAaaa: return expanded_ipv6(a.data);
    case kTypeMx: {
      // Suricata logs the exchange only; our data is "preference exchange".
      const auto space = a.data.find(' ');
      return space == std::string::npos ? a.data : a.data.substr(space + 1);
    }
    case kTypeTxt: {
      if (a.txt.empty()) return a.data;
      std::string joined;
      for (const std::string& s : a.txt) joined += s;
      return joined;
    }
    default: return a.data;
  }
}

void write_dns_records(JsonWriter& w, std::string_view key, const std::vector<DnsAnswerEntry>& records) {
  if (records.empty()) return;  // the schema requires minItems 1
  w.key(key).begin_array();
  for (const DnsAnswerEntry& a : records) {
    if (a.type == kTypeTxt && !a.txt.empty()) {
      // Suricata logs one entry per character-string of a TXT record.
      for (const std::string& t : a.txt) {
        w.begin_object().field("rrname", eve_rrname(a.name)).field("rrtype", "TXT").field("ttl", a.ttl);
        w.field("rdata", t).end_object();
      }
      continue;
    }
    w.begin_object();
    w.field("rrname", eve_rrname(a.name));
    w.field("rrtype", dns_rrtype_name(a.type));
    w.field("ttl", a.ttl);
    if (a.type == kTypeSoa) {
      if (!a.data.empty()) {
        w.key("soa").begin_object().field("mname", a.data).end_object();
      }
    } else if (std::string rdata = eve_rdata(a); !rdata.empty()) {
      w.field("rdata", rdata);
    }
    w.end_object();
  }
  w.end_array();
}

// "grouped": answer data by type, for the types the schema lists as strings.
void write_dns_grouped(JsonWriter& w, const std::vector<DnsAnswerEntry>& answers) {
  constexpr std::uint16_t kGroupable[] = {kTypeA, kTypeAaaa, kTypeCname, kTypeMx, kTypeNs, kTypePtr, kTypeTxt};
  std::vector<std::uint16_t> order;  // types in order of first appearance
  for (const DnsAnswerEntry& a : answers) {
    bool groupable = false;
    for (std::uint16_t t : kGroupable) groupable = groupable || t == a.type;
    if (!groupable || (eve_rdata(a).empty() && a.txt.empty())) continue;
    bool seen = false;
    for (std::uint16_t t : order) seen = seen || t == a.type;
    if (!seen) order.push_back(a.type);
  }
  if (order.empty()) return;
  w.key("grouped").begin_object();
  for (std::uint16_t t : order) {
    w.key(dns_rrtype_name(t)).begin_array();
    for (const DnsAnswerEntry& a : answers) {
      if (a.type != t) continue;
      if (a.type == kTypeTxt && !a.txt.empty()) {
        for (const std::string& txt : a.txt) w.value(txt);
      } else if (std::string rdata = eve_rdata(a); !rdata.empty()) {
        w.value(rdata);
      }
    }
    w.end_array();
  }
  w.end_object();
}

void write_dns(JsonWriter& w, const DnsEvent& d, std::uint32_t tx_id) {
  w.key("dns").begin_object();
  w.field("version", std::uint64_t{3});
  w.field("type", d.response ? "response" : "request");
  w.field("tx_id", tx_id);
  w.field("id", d.id);
  // Suricata formats the flags with "{:x}": lower-case, not zero-padded.
  w.field("flags", fmt::format("{:x}", d.flags_raw));
  // Flags are logged only when set, as Suricata does.
  if (d.response) w.field("qr", true);
  if (d.aa) w.field("aa", true);
  if (d.tc) w.field("tc", true);
  if (d.rd) w.field("rd", true);
  if (d.ra) w.field("ra", true);
  if (d.z) w.field("z", true);
  w.field("opcode", d.opcode);
  w.field("rcode", dns_rcode_name(d.rcode));
  if (!d.queries.empty()) {
    w.key("queries").begin_array();
    for (const DnsQuestionEntry& q : d.queries) {
      w.begin_object().field("rrname", eve_rrname(q.name)).field("rrtype", dns_rrtype_name(q.type)).end_object();
    }
    w.end_array();
  }
  write_dns_records(w, "answers", d.answers);
  write_dns_records(w, "authorities", d.authorities);
  write_dns_records(w, "additionals", d.additionals);
  write_dns_grouped(w, d.answers);
  w.end_object();
}


void write_http(JsonWriter& w, const HttpEvent& h) {
  w.key("http").begin_object();
  // An IPv6 literal keeps its brackets, as in the Host header.
  if (h.host.find(':') != std::string::npos) {
    w.field("hostname", "[" + h.host + "]");
  } else {
    field_if(w, "hostname", h.host);
  }
  if (h.host_port != 0) w.field("http_port", h.host_port);
  field_if(w, "url", h.uri);
  field_if(w, "http_user_agent", h.user_agent);
  field_if(w, "http_content_type", h.response_content_type);
  field_if(w, "http_refer", h.referrer);
  field_if(w, "http_method", h.method);
  field_if(w, "protocol", h.version);
  if (h.has_response && h.status != 0) w.field("status", h.status);
  w.field("length", h.response_body_bytes);  // Suricata logs 0 for a request without answer
  w.end_object();
}


void write_tls(JsonWriter& w, const TlsEvent& t) {
  w.key("tls").begin_object();
  if (t.has_certificate) {
    field_if(w, "subject", t.subject);
    field_if(w, "issuerdn", t.issuer);
    field_if(w, "serial", t.serial);
    field_if(w, "fingerprint", t.fingerprint_sha1);
  }
  field_if(w, "sni", t.sni);
  w.field("version", eve_tls_version(t.version));
  if (t.has_certificate) {
    if (t.not_before != 0) w.field("notbefore", tls_date(t.not_before));
    if (t.not_after != 0) w.field("notafter", tls_date(t.not_after));
    write_string_array(w, "subjectaltname", t.sans);
  }
  if (!t.ja3.empty()) {
    w.key("ja3").begin_object().field("hash", t.ja3).field("string", t.ja3_string).end_object();
  }
  if (!t.ja3s.empty()) {
    w.key("ja3s").begin_object().field("hash", t.ja3s).field("string", t.ja3s_string).end_object();
  }
  field_if(w, "ja4", t.ja4);
  write_string_array(w, "client_alpns", t.alpn_offered);
  if (!t.alpn.empty()) w.key("server_alpns").begin_array().value(t.alpn).end_array();
  w.end_object();
}


void write_ssh(JsonWriter& w, const SshEvent& s) {
  w.key("ssh").begin_object();
  write_ssh_side(w, "client", "software_version", s.client_proto, s.client_software, s.client_hassh,
                 s.client_hassh_string);
  write_ssh_side(w, "server", "software_version", s.server_proto, s.server_software, s.server_hassh,
                 s.server_hassh_string);
  w.end_object();
}

// BOOTP op is not in the event; the message type says it (offer/ack/nak
// come from the server), and the direction decides when option 53 is absent.
bool dhcp_is_reply(const DhcpEvent& d, bool to_server) {
  switch (d.message_type) {
    case 2: case 5: case 6: return true;   // offer, ack, nak
    case 0: return !to_server;
    default: return false;
  }
}

void write_dhcp(JsonWriter& w, const DhcpEvent& d, bool to_server) {
  w.key("dhcp").begin_object();
  w.field("type", dhcp_is_reply(d, to_server) ? "reply" : "request");
  w.field("id", d.transaction_id);
  field_if(w, "client_mac", d.client_mac);
  field_if(w, "assigned_ip", d.assigned_ip);
  field_if(w, "client_ip", d.client_ip);
  if (d.message_type != 0) w.field("dhcp_type", dhcp_message_type_name(d.message_type));
  field_if(w, "hostname", d.hostname);
  field_if(w, "requested_ip", d.requested_ip);
  w.end_object();
}

void write_quic(JsonWriter& w, const QuicEvent& q) {
  w.key("quic").begin_object();
  w.field("version", quic_version_name(q.version));
  field_if(w, "sni", q.sni);
  field_if(w, "ja4", q.ja4);
  w.end_object();
}

// Suricata's flow reasons: a flow closed by FIN/RST is still logged when its
// timeout runs, hence "timeout"; eviction under pressure is "forced".
std::string_view eve_flow_reason(FlowEndReason r) {
  switch (r) {
    case FlowEndReason::fin:
    case FlowEndReason::rst:
    case FlowEndReason::idle_timeout: return "timeout";
    case FlowEndReason::memory_pressure: return "forced";
    case FlowEndReason::shutdown: return "shutdown";
    case FlowEndReason::active: return "";
  }
  return "";
}

std::string_view eve_flow_state(const FlowRecord& f) {
  if (f.ip_proto == kIpProtoTcp) {
    switch (f.tcp_state) {
      case TcpState::closed: return "closed";
      case TcpState::established:
      case TcpState::closing: return "established";
      default: return "new";
    }
  }
  return (f.src_packets > 0 && f.dst_packets > 0) ? "established" : "new";
}

std::string_view eve_tcp_state(TcpState s) {
  switch (s) {
    case TcpState::syn_sent: return "syn_sent";
    case TcpState::syn_received: return "syn_recv";
    case TcpState::established: return "established";
    case TcpState::closing: return "closing";
    case TcpState::closed: return "closed";
    case TcpState::none: return "";
  }
  return "";
}

void write_tcp(JsonWriter& w, const FlowRecord& f) {
  const std::uint8_t all = f.src_tcp_flags | f.dst_tcp_flags;
  w.key("tcp").begin_object();
  w.field("tcp_flags", fmt::format("{:02x}", all));
  w.field("tcp_flags_ts", fmt::format("{:02x}", f.src_tcp_flags));
  w.field("tcp_flags_tc", fmt::format("{:02x}", f.dst_tcp_flags));
  constexpr std::pair<std::uint8_t, std::string_view> kFlags[] = {
      {0x02, "syn"}, {0x01, "fin"}, {0x04, "rst"}, {0x08, "psh"},
      {0x10, "ack"}, {0x20, "urg"}, {0x40, "ecn"}, {0x80, "cwr"}};
  for (const auto& [bit, name] : kFlags) {
    if ((all & bit) != 0) w.field(name, true);
  }
  if (const auto state = eve_tcp_state(f.tcp_state); !state.empty()) w.field("state", state);
  w.end_object();
}

}  // namespace

std::string eve_timestamp(TimestampNs ts) {
  const auto [sec, frac] = split_seconds(ts);
  const std::tm tm = utc_tm(sec);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+0000", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, frac / kNsPerMicro);
}

std::string eve_proto_name(std::uint8_t ip_proto) {
  switch (ip_proto) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 58: return "IPv6-ICMP";
    case 132: return "SCTP";
    default: return std::to_string(ip_proto);
  }
}

std::string dns_rrtype_name(std::uint16_t type) {
  switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 3: return "MD";
    case 4: return "MF";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 7: return "MB";
    case 8: return "MG";
    case 9: return "MR";
    case 10: return "NULL";
    case 11: return "WKS";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 14: return "MINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 17: return "RP";
    case 18: return "AFSDB";
    case 19: return "X25";
    case 20: return "ISDN";
    case 21: return "RT";
    case 22: return "NSAP";
    case 23: return "NSAPPTR";
    case 24: return "SIG";
    case 25: return "KEY";
    case 26: return "PX";
    case 27: return "GPOS";
    case 28: return "AAAA";
    case 29: return "LOC";
    case 30: return "NXT";
    case 33: return "SRV";
    case 34: return "ATMA";
    case 35: return "NAPTR";
    case 36: return "KX";
    case 37: return "CERT";
    case 38: return "A6";
    case 39: return "DNAME";
    case 41: return "OPT";
    case 42: return "APL";
    case 43: return "DS";
    case 44: return "SSHFP";
    case 45: return "IPSECKEY";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 49: return "DHCID";
    case 50: return "NSEC3";
    case 51: return "NSEC3PARAM";
    case 52: return "TLSA";
    case 55: return "HIP";
    case 59: return "CDS";
    case 60: return "CDNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 249: return "TKEY";
    case 250: return "TSIG";
    case 251: return "IXFR";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 256: return "URI";
    case 257: return "CAA";
    default: return std::to_string(type);
  }
}

std::string dns_rcode_name(std::uint8_t rcode) {
  switch (rcode) {
    case 0: return "NOERROR";
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    case 6: return "YXDOMAIN";
    case 7: return "YXRRSET";
    case 8: return "NXRRSET";
    case 9: return "NOTAUTH";
    case 10: return "NOTZONE";
    default: return std::to_string(rcode);
  }
}

std::string_view eve_tls_version(std::uint16_t version) {
  switch (version) {
    case 0x0200: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return "UNDETERMINED";
  }
}

// gQUIC versions are four ASCII bytes ("Q043"); IETF versions print as hex ("1").
std::string quic_version_name(std::uint32_t v) {
  char ascii[4];
  bool printable = true;
  for (int i = 0; i < 4; ++i) {
    ascii[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
    printable = printable && ascii[i] >= 0x20 && ascii[i] < 0x7f;
  }
  if (printable) return std::string(ascii, 4);
  return fmt::format("{:x}", v);
}

std::string_view dhcp_message_type_name(std::uint8_t type) {
  switch (type) {
    case 1: return "discover";
    case 2: return "offer";
    case 3: return "request";
    case 4: return "decline";
    case 5: return "ack";
    case 6: return "nak";
    case 7: return "release";
    case 8: return "inform";
    default: return "unknown";
  }
}

void append_eve_event(std::string& out, const ProtocolEvent& ev) {
  JsonWriter w(out);
  const AppProtocol proto = event_protocol(ev.body);
  // Per-message protocols log the sender as src (see the file comment).
  const bool per_message = proto == AppProtocol::dns || proto == AppProtocol::dhcp;
  w.begin_object();
  write_header(w, ev.ts, ev.session_id, ev.pcap_cnt, app_protocol_name(proto), ev.endpoints,
               per_message && !ev.to_server, ev.community_id);
  w.field("tx_id", ev.tx_id);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, DnsEvent>) write_dns(w, body, ev.tx_id);
        else if constexpr (std::is_same_v<T, HttpEvent>) write_http(w, body);
        else if constexpr (std::is_same_v<T, TlsEvent>) write_tls(w, body);
        else if constexpr (std::is_same_v<T, SshEvent>) write_ssh(w, body);
        else if constexpr (std::is_same_v<T, DhcpEvent>) write_dhcp(w, body, ev.to_server);
        else if constexpr (std::is_same_v<T, QuicEvent>) write_quic(w, body);
      },
      ev.body);
  w.end_object();
}

void append_eve_flow(std::string& out, const SessionRecord& s) {
  const FlowRecord& f = s.flow;
  const Endpoints e{f.src_ip, f.dst_ip, f.src_port, f.dst_port, f.ip_proto, f.vlan};
  JsonWriter w(out);
  w.begin_object();
  // Suricata stamps a flow record with the time it is logged; the closest
  // thing a replayable record has is its last packet.
  write_header(w, f.last_ts, s.session_id, 0, "flow", e, false, s.community_id, f.inner_vlan);
  if (s.app_protocol != AppProtocol::unknown) w.field("app_proto", app_protocol_name(s.app_protocol));
  w.key("flow").begin_object();
  w.field("pkts_toserver", f.src_packets);
  w.field("pkts_toclient", f.dst_packets);
  w.field("bytes_toserver", f.src_bytes);
  w.field("bytes_toclient", f.dst_bytes);
  w.field("start", eve_timestamp(f.first_ts));
  w.field("end", eve_timestamp(f.last_ts));
  // Suricata's age is the difference of the whole-second parts.
  w.field("age", split_seconds(f.last_ts).first - split_seconds(f.first_ts).first);
  w.field("state", eve_flow_state(f));
  if (const auto reason = eve_flow_reason(f.end_reason); !reason.empty()) w.field("reason", reason);
  w.field("alerted", false);
  w.end_object();
  if (f.ip_proto == kIpProtoTcp) write_tcp(w, f);
  w.end_object();
}

}  // namespace opensoc::session
