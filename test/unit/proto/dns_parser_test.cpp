// parse_dns: hand-made edge cases (names, compression, capacities, every
// truncation prefix) and real DNS-over-UDP packets from the corpus compared
// field by field with tshark.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "proto/dns_parser.hpp"
#include "proto_test_support.hpp"

using namespace opensoc::proto;
using Bytes = std::vector<std::uint8_t>;

namespace {

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
Bytes header(std::uint16_t qd, std::uint16_t an = 0, std::uint16_t ns = 0, std::uint16_t ar = 0,
             std::uint16_t flags = 0x8180) {
  Bytes b;
  put16(b, 0x1234);
  put16(b, flags);
  put16(b, qd);
  put16(b, an);
  put16(b, ns);
  put16(b, ar);
  return b;
}
// Uncompressed wire name from labels.
Bytes name(std::initializer_list<std::string> labels) {
  Bytes b;
  for (const auto& l : labels) {
    b.push_back(static_cast<std::uint8_t>(l.size()));
    b.insert(b.end(), l.begin(), l.end());
  }
  b.push_back(0);
  return b;
}
void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }
void question(Bytes& b, const Bytes& n, std::uint16_t type = 1) {
  append(b, n);
  put16(b, type);
  put16(b, 1);
}
void record(Bytes& b, const Bytes& n, std::uint16_t type, const Bytes& rdata, std::uint32_t ttl = 300) {
  append(b, n);
  put16(b, type);
  put16(b, 1);
  put32(b, ttl);
  put16(b, static_cast<std::uint16_t>(rdata.size()));
  append(b, rdata);
}
const Bytes kPtr12 = {0xc0, 0x0c};  // the first question's name

std::unique_ptr<DnsMessage> parse(const Bytes& b, DnsParseStatus& st) {
  auto m = std::make_unique<DnsMessage>();
  st = parse_dns(b, *m);
  return m;
}

// A response exercising every rendered rdata type.
Bytes rich_response() {
  Bytes b = header(1, 7, 1, 1);
  question(b, name({"www", "Example", "com"}));
  record(b, kPtr12, 1, {93, 184, 216, 34});
  Bytes v6 = {0x20, 0x01, 0x0d, 0xb8};
  v6.resize(15, 0);
  v6.push_back(1);
  record(b, kPtr12, 28, v6);
  Bytes cname = {3, 'c', 'd', 'n', 0xc0, 0x10};  // "cdn" + "Example.com"
  record(b, kPtr12, 5, cname);
  Bytes mx = {0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 0x10};
  record(b, kPtr12, 15, mx);
  Bytes txt = {3, 'a', 'b', 'c', 0, 2, 'x', 'y'};
  record(b, kPtr12, 16, txt);
  record(b, kPtr12, 99, {1, 2, 3});           // opaque
  record(b, kPtr12, 1, {1, 2, 3});            // A with 3 bytes: malformed rdata
  Bytes soa = {2, 'n', 's', 0xc0, 0x10, 4, 'h', 'o', 's', 't', 0xc0, 0x10};
  for (std::uint32_t v : {2024010101u, 7200u, 3600u, 1209600u, 300u}) put32(soa, v);
  record(b, {0xc0, 0x10}, 6, soa);
  // EDNS0 OPT: root name, class = UDP size.
  b.push_back(0);
  put16(b, 41);
  put16(b, 4096);
  put32(b, 0);
  put16(b, 0);
  return b;
}

}  // namespace

TEST_CASE("dns header, questions and every rendered rdata type", "[proto][dns]") {
  DnsParseStatus st;
  const Bytes b = rich_response();
  auto m = parse(b, st);
  REQUIRE(st == DnsParseStatus::ok);
  CHECK(m->id == 0x1234);
  CHECK(m->flags.qr);
  CHECK(m->flags.rd);
  CHECK(m->flags.ra);
  CHECK_FALSE(m->flags.aa);
  CHECK(m->flags.opcode == 0);
  CHECK(m->flags.rcode == 0);
  CHECK(m->qdcount == 1);
  CHECK(m->ancount == 7);
  REQUIRE(m->question_count == 1);
  CHECK(m->questions[0].name.view() == "www.Example.com");  // case preserved
  CHECK(m->questions[0].type == 1);
  REQUIRE(m->record_count == 9);
  const auto& r = m->records;
  CHECK(r[0].name.view() == "www.Example.com");
  CHECK(r[0].kind == DnsRdataKind::address);
  CHECK(r[0].address() == "93.184.216.34");
  CHECK(r[0].ttl == 300);
  CHECK(r[1].address() == "2001:db8::1");
  CHECK(r[2].kind == DnsRdataKind::name);
  CHECK(r[2].target.view() == "cdn.Example.com");
  CHECK(r[3].kind == DnsRdataKind::mx);
  CHECK(r[3].preference == 10);
  CHECK(r[3].target.view() == "mail.Example.com");
  REQUIRE(r[4].kind == DnsRdataKind::txt);
  REQUIRE(r[4].txt_count == 3);
  CHECK(r[4].txt[0] == "abc");
  CHECK(r[4].txt[1].empty());
  CHECK(r[4].txt[2] == "xy");
  CHECK(r[5].kind == DnsRdataKind::opaque);
  CHECK(r[5].rdlength == 3);
  CHECK(r[6].kind == DnsRdataKind::malformed);
  CHECK(m->rdata_malformed == 1);
  CHECK(r[7].section == DnsSection::authority);
  CHECK(r[7].name.view() == "Example.com");
  REQUIRE(r[7].kind == DnsRdataKind::soa);
  CHECK(r[7].target.view() == "ns.Example.com");
  CHECK(r[7].mailbox.view() == "host.Example.com");
  CHECK(r[7].soa.serial == 2024010101u);
  CHECK(r[7].soa.refresh == 7200);
  CHECK(r[7].soa.retry == 3600);
  CHECK(r[7].soa.expire == 1209600);
  CHECK(r[7].soa.minimum == 300);
  CHECK(r[8].section == DnsSection::additional);
  CHECK(r[8].type == 41);
  CHECK(r[8].klass == 4096);
  CHECK(r[8].name.view().empty());  // root
  CHECK(m->trailing_bytes == 0);
}

TEST_CASE("dns every truncation prefix is rejected as truncated and agrees with the full parse", "[proto][dns]") {
  const Bytes full = rich_response();
  DnsParseStatus st;
  auto whole = parse(full, st);
  REQUIRE(st == DnsParseStatus::ok);
  auto m = std::make_unique<DnsMessage>();
  for (std::size_t n = 0; n < full.size(); ++n) {
    const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    INFO("prefix length " << n);
    REQUIRE(parse_dns(prefix, *m) == DnsParseStatus::truncated);
    REQUIRE(m->record_count <= whole->record_count);
    for (std::size_t i = 0; i < m->question_count; ++i) CHECK(m->questions[i].name.view() == "www.Example.com");
    for (std::size_t i = 0; i < m->record_count; ++i) {
      CHECK(m->records[i].type == whole->records[i].type);
      CHECK(m->records[i].name.view() == whole->records[i].name.view());
      CHECK(m->records[i].kind == whole->records[i].kind);
    }
  }
}

TEST_CASE("dns names render odd bytes exactly as tshark prints them", "[proto][dns]") {
  // Expected strings are tshark 4.0's dns.qry.name for the same bytes.
  struct Case {
    Bytes wire;
    std::string text;
  };
  const std::vector<Case> cases = {
      {name({std::string("Ab\0c", 4), "d.e", "f\\g", " h\x7f\xff", "x\x01"}),
       "Ab\\000c.d.e.f\\g. h\\177\xEF\xBF\xBD.x\\001"},
      {name({"\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f"}), "\\a\\b\\t\\n\\v\\f\\r\\033\\037"},
      {name({"caf\xc3\xa9", "\x80\x81z", "\xc3" "a", "\xe2\x82", "\xf0\x9f\x98\x80"}),
       "caf\xc3\xa9.\xEF\xBF\xBD\xEF\xBF\xBDz.\xEF\xBF\xBD" "a.\xEF\xBF\xBD.\xf0\x9f\x98\x80"},
      {name({"\"", "'", "%"}), "\".'.%"},
      {Bytes{0}, ""},
  };
  for (const auto& c : cases) {
    Bytes b = header(1);
    question(b, c.wire);
    DnsParseStatus st;
    auto m = parse(b, st);
    REQUIRE(st == DnsParseStatus::ok);
    CHECK(m->questions[0].name.view() == c.text);
    CHECK_FALSE(m->questions[0].name.truncated);
  }
}

TEST_CASE("dns name length limit is 255 wire bytes", "[proto][dns]") {
  const std::string a(63, 'a'), b(63, 'b'), c(63, 'c');
  DnsParseStatus st;
  Bytes ok = header(1);
  question(ok, name({a, b, c, std::string(61, 'd')}));  // 255 bytes on the wire
  auto m = parse(ok, st);
  REQUIRE(st == DnsParseStatus::ok);
  CHECK(m->questions[0].name.view().size() == 253);
  Bytes too_long = header(1);
  question(too_long, name({a, b, c, std::string(62, 'd')}));  // 256: tshark "<Name too long>"
  parse(too_long, st);
  CHECK(st == DnsParseStatus::name_too_long);
  // The same limit through pointers: 4 labels of 63 reached by compression.
  Bytes via_ptr = header(2);
  question(via_ptr, name({a, b, c}));  // 193 bytes at offset 12
  Bytes second = {63};
  second.insert(second.end(), 63, 'd');
  append(second, kPtr12);
  question(via_ptr, second);
  parse(via_ptr, st);
  CHECK(st == DnsParseStatus::name_too_long);
}

TEST_CASE("dns name text longer than its capacity is cut whole and counted", "[proto][dns]") {
  // 253 control bytes render as \ooo: 4x longer than the capacity allows.
  const std::string ctl(60, '\x01');
  Bytes b = header(1);
  question(b, name({ctl, ctl, ctl, ctl}));
  DnsParseStatus st;
  auto m = parse(b, st);
  REQUIRE(st == DnsParseStatus::ok);
  CHECK(m->questions[0].name.truncated);
  // 60 escapes of the first label, the dot, 3 whole escapes: never half of one.
  CHECK(m->questions[0].name.view().size() == 60 * 4 + 1 + 3 * 4);
  CHECK(m->questions[0].name.view().substr(240, 5) == ".\\001");
  CHECK(m->questions[0].name.view().substr(0, 8) == "\\001\\001");
  CHECK(m->truncation.names_cut == 1);
}

TEST_CASE("dns compression pointers: forward allowed, loops and out-of-range rejected", "[proto][dns]") {
  DnsParseStatus st;
  {
    Bytes b = header(1);  // forward pointer to a name after the question (tshark: "a.b")
    append(b, {1, 'a', 0xc0, 20, 0, 1, 0, 1, 1, 'b', 0});
    auto m = parse(b, st);
    REQUIRE(st == DnsParseStatus::ok);
    CHECK(m->questions[0].name.view() == "a.b");
    CHECK(m->questions[0].type == 1);
    CHECK(m->trailing_bytes == 3);
  }
  {
    Bytes b = header(1);  // pointer back to its own name
    append(b, {1, 'a', 0xc0, 12, 0, 1, 0, 1});
    parse(b, st);
    CHECK(st == DnsParseStatus::pointer_loop);
  }
  {
    Bytes b = header(1);  // two pointers pointing at each other
    append(b, {0xc0, 14, 0xc0, 12, 0, 1, 0, 1});
    parse(b, st);
    CHECK(st == DnsParseStatus::pointer_loop);
  }
  {
    Bytes b = header(1);  // pointer past the end
    append(b, {0xc0, 0xff, 0, 1, 0, 1});
    parse(b, st);
    CHECK(st == DnsParseStatus::bad_pointer);
  }
  {
    // A chain of 70 distinct pointers, each to the one before it, ending at a
    // root byte at offset 18: over kDnsMaxPointerHops, though not a cycle.
    Bytes msg = header(1);
    append(msg, {0xc0, 157, 0, 1, 0, 1});  // question: pointer to the last link (19 + 2 * 69)
    msg.push_back(0);                     // offset 18: root
    for (std::uint16_t i = 0; i < 70; ++i) put16(msg, static_cast<std::uint16_t>(0xc000 | (i == 0 ? 18 : 19 + 2 * (i - 1))));
    parse(msg, st);
    CHECK(st == DnsParseStatus::pointer_loop);
    // A short chain of the same shape is fine.
    Bytes short_msg = header(1);
    append(short_msg, {0xc0, 21, 0, 1, 0, 1, 0, 0xc0, 18, 0xc0, 19});
    auto m = parse(short_msg, st);
    REQUIRE(st == DnsParseStatus::ok);
    CHECK(m->questions[0].name.view().empty());
  }
  {
    Bytes b = header(1);  // extended label type 0x41
    append(b, {0x41, 'a', 'b', 'c', 0, 0, 1, 0, 1});
    parse(b, st);
    CHECK(st == DnsParseStatus::bad_label);
  }
}

TEST_CASE("dns hostile counts and rdata lengths end as truncated", "[proto][dns]") {
  DnsParseStatus st;
  Bytes b = header(0xffff, 0xffff, 0xffff, 0xffff);
  question(b, name({"x"}));
  auto m = parse(b, st);
  CHECK(st == DnsParseStatus::truncated);
  CHECK(m->question_count == 1);
  CHECK(m->qdcount == 0xffff);

  Bytes r = header(1, 1);
  question(r, name({"x"}));
  append(r, kPtr12);
  put16(r, 1);
  put16(r, 1);
  put32(r, 1);
  put16(r, 0xffff);  // rdlength beyond the message
  append(r, {1, 2, 3, 4});
  m = parse(r, st);
  CHECK(st == DnsParseStatus::truncated);
  CHECK(m->record_count == 0);

  m = parse(Bytes{0x12, 0x34, 0x81}, st);
  CHECK(st == DnsParseStatus::truncated);
}

TEST_CASE("dns rdata names must end inside their rdata", "[proto][dns]") {
  Bytes b = header(1, 1);
  question(b, name({"x"}));
  record(b, kPtr12, 5, {1, 'y'});  // CNAME whose name runs past rdlength into the next bytes
  b.push_back(0);
  DnsParseStatus st;
  auto m = parse(b, st);
  REQUIRE(st == DnsParseStatus::ok);
  CHECK(m->records[0].kind == DnsRdataKind::malformed);
  CHECK(m->rdata_malformed == 1);
  CHECK(m->trailing_bytes == 1);
}

TEST_CASE("dns capacities: extra questions, records and txt strings are parsed past and counted", "[proto][dns]") {
  Bytes b = header(20, 70);
  for (int i = 0; i < 20; ++i) question(b, name({"q" + std::to_string(i)}));
  for (int i = 0; i < 70; ++i) record(b, kPtr12, 1, {10, 0, 0, static_cast<std::uint8_t>(i)});
  Bytes txt;
  for (int i = 0; i < 10; ++i) append(txt, {1, static_cast<std::uint8_t>('a' + i)});
  b[7] = 71;  // ancount
  record(b, kPtr12, 16, txt);
  DnsParseStatus st;
  auto m = parse(b, st);
  REQUIRE(st == DnsParseStatus::ok);
  CHECK(m->question_count == kDnsMaxQuestions);
  CHECK(m->truncation.questions_dropped == 4);
  CHECK(m->questions[15].name.view() == "q15");
  CHECK(m->record_count == kDnsMaxRecords);
  CHECK(m->truncation.records_dropped == 7);
  CHECK(m->records[63].address() == "10.0.0.63");
  CHECK(m->trailing_bytes == 0);

  Bytes t = header(1, 1);
  question(t, name({"x"}));
  record(t, kPtr12, 16, txt);
  m = parse(t, st);
  REQUIRE(st == DnsParseStatus::ok);
  CHECK(m->records[0].txt_count == kDnsMaxTxtStrings);
  CHECK(m->records[0].txt[7] == "h");
  CHECK(m->truncation.txt_strings_dropped == 2);
}

TEST_CASE("dns over tcp frames one length-prefixed message", "[proto][dns]") {
  Bytes msg = header(1);
  question(msg, name({"a"}));
  Bytes stream;
  put16(stream, static_cast<std::uint16_t>(msg.size()));
  append(stream, msg);
  stream.push_back(0);  // start of the next frame
  const DnsTcpFrame f = frame_dns_tcp(stream);
  REQUIRE(f.complete);
  CHECK(f.consumed == msg.size() + 2);
  CHECK(f.message.size() == msg.size());
  auto m = std::make_unique<DnsMessage>();
  CHECK(parse_dns(f.message, *m) == DnsParseStatus::ok);
  CHECK(m->questions[0].name.view() == "a");
  const Bytes partial(stream.begin(), stream.begin() + 5);
  CHECK_FALSE(frame_dns_tcp(partial).complete);
  CHECK_FALSE(frame_dns_tcp(Bytes{0}).complete);
}

// ---- tshark oracle on real captures ----

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, ',')) out.push_back(cur);
  if (s.back() == ',') out.emplace_back();
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s;
}

std::string tshark_name(std::string_view v) { return v.empty() ? std::string("<Root>") : std::string(v); }

std::string hex16(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

// Captures with DNS over UDP in the corpus (found with tshark -Y 'dns && udp').
const char* const kCaptures[][2] = {
    {"datasets-06-state-long", "input.pcap"},
    {"smb2-ntlmssp-negotiateflags", "input.pcap"},
    {"base64-decode-5885", "input.pcap"},
    {"vxlan-decoder-03", "vxlan.pcap"},
    {"dns-eve-type-filtering", "test.pcap"},
    {"lua-output-dns", "test.pcap"},
    {"ethernet-eve", "test.pcap"},
    {"decode-teredo-01", "input.pcap"},
    {"output-pcap-log-filter", "input.pcap"},
    {"filestore-ftp-active-mode", "ftp-active-mode.pcap"},
    {"detect-dotprefix-03", "input.pcap"},
    {"bug-5633-gre-02", "gre-sample.pcap"},
    {"bug-2158", "public-ex1_section8_Sofacy.pcap"},
    {"datasets-match-subdomain", "input.pcap"},
    {"datasets-08-state-ipv6", "input.pcap"},
    {"http-protocol-inspect-v2", "http.pcap"},
    {"dns-opcode", "dns-notify.pcap"},
    {"dns-eve-v2-udp-nxdomain-soa", "dns-udp-nxdomain-soa.pcap"},
    {"cond-log-dns-dig", "input.pcap"},
    {"bug-5197", "input.pcap"},
    {"bug-4503", "input.pcap"},
    {"dns-reversed-udp-1", "input.pcap"},
    {"detect-bytetest-03", "input.pcap"},
    {"mac-eve-single-disabled", "test.pcap"},
    {"bug-2736-01", "23_6594.pcap"},
};

const std::vector<std::string> kOracleFields = {
    "udp.payload",        "dns.id",        "dns.flags.response", "dns.flags.opcode",  "dns.flags.rcode",
    "dns.count.queries",  "dns.count.answers", "dns.qry.name",   "dns.qry.type",      "dns.resp.name",
    "dns.resp.type",      "dns.resp.ttl",  "dns.a",              "dns.aaaa",          "dns.cname",
    "dns.mx.mail_exchange", "dns.ns",      "dns.ptr.domain_name", "dns.soa.mname",    "dns.soa.rname",
    "dns.soa.serial_number",
};

}  // namespace

TEST_CASE("dns over udp in corpus captures matches tshark field by field", "[proto][dns][tshark]") {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) {
    WARN("tshark not installed: oracle comparison skipped");
    return;
  }
  auto m = std::make_unique<DnsMessage>();
  std::size_t compared = 0;
  for (const auto& cap : kCaptures) {
    const std::string pcap = test::corpus_capture(cap[0], cap[1]);
    if (!std::filesystem::exists(pcap)) continue;
    const auto rows = test::tshark_rows(pcap, "dns && udp && !icmp && !icmpv6 && !_ws.malformed", kOracleFields);
    for (const auto& row : rows) {
      REQUIRE(row.size() == kOracleFields.size());
      // Tunnels (VXLAN, Teredo) carry two UDP layers: the DNS is in the innermost.
      const auto payloads = split_commas(row[0]);
      REQUIRE_FALSE(payloads.empty());
      const Bytes payload = test::from_hex(payloads.back());
      INFO(pcap << " dns id " << row[1]);
      REQUIRE(parse_dns(payload, *m) == DnsParseStatus::ok);
      CHECK(hex16(m->id) == row[1]);
      CHECK(std::to_string(m->flags.qr ? 1 : 0) == row[2]);
      CHECK(std::to_string(m->flags.opcode) == row[3]);
      // tshark shows the rcode of responses only.
      CHECK((m->flags.qr ? std::to_string(m->flags.rcode) : std::string()) == row[4]);
      CHECK(std::to_string(m->qdcount) == row[5]);
      CHECK(std::to_string(m->ancount) == row[6]);
      std::vector<std::string> qname, qtype, rname, rtype, rttl, a, aaaa, cname, mx, ns, ptr, mname, rmail, serial;
      for (std::size_t i = 0; i < m->question_count; ++i) {
        qname.push_back(tshark_name(m->questions[i].name.view()));
        qtype.push_back(std::to_string(m->questions[i].type));
      }
      for (std::size_t i = 0; i < m->record_count; ++i) {
        const auto& r = m->records[i];
        rname.push_back(tshark_name(r.name.view()));
        rtype.push_back(std::to_string(r.type));
        if (r.type != 41) rttl.push_back(std::to_string(r.ttl));  // OPT has no TTL
        if (r.kind == DnsRdataKind::address) (r.type == 1 ? a : aaaa).emplace_back(r.address());
        if (r.kind == DnsRdataKind::name) {
          auto& dst = r.type == 5 ? cname : r.type == 2 ? ns : ptr;
          dst.push_back(tshark_name(r.target.view()));
        }
        if (r.kind == DnsRdataKind::mx) mx.push_back(tshark_name(r.target.view()));
        if (r.kind == DnsRdataKind::soa) {
          mname.push_back(tshark_name(r.target.view()));
          rmail.push_back(tshark_name(r.mailbox.view()));
          serial.push_back(std::to_string(r.soa.serial));
        }
      }
      CHECK(join(qname) == row[7]);
      CHECK(join(qtype) == row[8]);
      CHECK(join(rname) == row[9]);
      CHECK(join(rtype) == row[10]);
      CHECK(join(rttl) == row[11]);
      CHECK(join(a) == row[12]);
      CHECK(join(aaaa) == row[13]);
      CHECK(join(cname) == row[14]);
      CHECK(join(mx) == row[15]);
      CHECK(join(ns) == row[16]);
      CHECK(join(ptr) == row[17]);
      CHECK(join(mname) == row[18]);
      CHECK(join(rmail) == row[19]);
      CHECK(join(serial) == row[20]);
      ++compared;
    }
  }
  INFO("packets compared: " << compared);
  CHECK(compared >= 1600);
}
