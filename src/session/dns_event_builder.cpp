#include "session/dns_event_builder.hpp"

#include <string>

namespace opensoc::session {
namespace {

constexpr std::uint16_t kTypeOpt = 41;

DnsAnswerEntry make_answer(const proto::DnsResourceRecord& r) {
  DnsAnswerEntry a;
  a.name = std::string(r.name.view());
  a.type = r.type;
  a.klass = r.klass;
  a.ttl = r.ttl;
  switch (r.kind) {
    case proto::DnsRdataKind::address: a.data = std::string(r.address()); break;
    case proto::DnsRdataKind::name:
    case proto::DnsRdataKind::mx:
    case proto::DnsRdataKind::soa: a.data = std::string(r.target.view()); break;
    case proto::DnsRdataKind::txt:
      for (std::uint8_t i = 0; i < r.txt_count; ++i) {
        a.txt.emplace_back(r.txt[i]);
        a.data += r.txt[i];
      }
      break;
    case proto::DnsRdataKind::opaque:
    case proto::DnsRdataKind::malformed: break;
  }
  return a;
}

}  // namespace

DnsEvent make_dns_event(const proto::DnsMessage& m, proto::DnsParseStatus status) {
  DnsEvent e;
  e.id = m.id;
  e.response = m.flags.qr;
  e.opcode = m.flags.opcode;
  e.aa = m.flags.aa;
  e.tc = m.flags.tc;
  e.rd = m.flags.rd;
  e.ra = m.flags.ra;
  e.z = m.flags.z;
  e.ad = m.flags.ad;
  e.cd = m.flags.cd;
  e.rcode = m.flags.rcode;
  e.flags_raw = static_cast<std::uint16_t>(
      (m.flags.qr ? 0x8000 : 0) | ((m.flags.opcode & 0xf) << 11) | (m.flags.aa ? 0x0400 : 0) |
      (m.flags.tc ? 0x0200 : 0) | (m.flags.rd ? 0x0100 : 0) | (m.flags.ra ? 0x0080 : 0) | (m.flags.z ? 0x0040 : 0) |
      (m.flags.ad ? 0x0020 : 0) | (m.flags.cd ? 0x0010 : 0) | (m.flags.rcode & 0xf));
  e.malformed = status != proto::DnsParseStatus::ok;
  for (std::uint8_t i = 0; i < m.question_count; ++i) {
    const proto::DnsQuestion& q = m.questions[i];
    e.queries.push_back({std::string(q.name.view()), q.type, q.klass});
  }
  for (std::uint8_t i = 0; i < m.record_count; ++i) {
    const proto::DnsResourceRecord& r = m.records[i];
    switch (r.section) {
      case proto::DnsSection::answer: e.answers.push_back(make_answer(r)); break;
      case proto::DnsSection::authority: e.authorities.push_back(make_answer(r)); break;
      case proto::DnsSection::additional:
        if (r.type != kTypeOpt) e.additionals.push_back(make_answer(r));
        break;
    }
  }
  return e;
}

}  // namespace opensoc::session
