// DNS message parser: header, questions and the three record sections of one
// message into a fixed-capacity DnsMessage, names decompressed and rendered
// the way tshark prints them (tshark is the oracle in the tests). Called by
// whichever worker thread owns the flow's payload bytes; no shared state.
//
// Every read is bounds-checked against the message span; nothing recurses
// (name decompression is a loop bounded by kDnsMaxPointerHops and the
// 255-byte wire-name limit), nothing allocates, nothing throws.
#include "proto/dns_parser.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

#include "opensoc/core/byte_order.hpp"

namespace opensoc::proto {

namespace {

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeNs = 2;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kTypePtr = 12;
constexpr std::uint16_t kTypeMx = 15;
constexpr std::uint16_t kTypeTxt = 16;
constexpr std::uint16_t kTypeAaaa = 28;

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxWireName = 255;  // RFC 1035 3.1, root byte included

using Bytes = std::span<const std::uint8_t>;

// Callers check `at` against the span first.
std::uint16_t load_u16(Bytes b, std::size_t at) noexcept { return load_be16(b.data() + at); }
std::uint32_t load_u32(Bytes b, std::size_t at) noexcept { return load_be32(b.data() + at); }

// Appends to a DnsName whole pieces only, so a cut never splits an escape or
// a UTF-8 sequence.
class NameWriter {
 public:
  explicit NameWriter(DnsName& out) noexcept : out_(out) {
    out_.length = 0;
    out_.truncated = false;
  }
  void put(const char* s, std::size_t n) noexcept {
    if (out_.truncated) return;
    if (out_.length + n > out_.text.size()) {
      out_.truncated = true;
      return;
    }
    std::memcpy(out_.text.data() + out_.length, s, n);
    out_.length = static_cast<std::uint8_t>(out_.length + n);
  }

 private:
  DnsName& out_;
};

// Wireshark's format_text: C escapes for the common control characters,
// octal for the others, valid UTF-8 passed through, and each maximal
// subpart of an ill-formed sequence replaced by U+FFFD (Unicode 3.9, the
// "best practice" both glib and Wireshark follow).
void render_name(const std::uint8_t* raw, std::size_t n, DnsName& out) noexcept {
  NameWriter w(out);
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t b = raw[i];
    if (b < 0x80) {
      if (b >= 0x20 && b < 0x7f) {
        const char c = static_cast<char>(b);
        w.put(&c, 1);
      } else {
        char esc[4] = {'\\', 0, 0, 0};
        std::size_t len = 2;
        switch (b) {
          case 0x07: esc[1] = 'a'; break;
          case 0x08: esc[1] = 'b'; break;
          case 0x09: esc[1] = 't'; break;
          case 0x0a: esc[1] = 'n'; break;
          case 0x0b: esc[1] = 'v'; break;
          case 0x0c: esc[1] = 'f'; break;
          case 0x0d: esc[1] = 'r'; break;
          default:
            esc[1] = static_cast<char>('0' + (b >> 6));
            esc[2] = static_cast<char>('0' + ((b >> 3) & 7));
            esc[3] = static_cast<char>('0' + (b & 7));
            len = 4;
        }
        w.put(esc, len);
      }
      ++i;
      continue;
    }
    std::size_t need = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
    } else if (b == 0xe0) {
      need = 2, lo = 0xa0;
    } else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef) {
      need = 2;
    } else if (b == 0xed) {
      need = 2, hi = 0x9f;
    } else if (b == 0xf0) {
      need = 3, lo = 0x90;
    } else if (b >= 0xf1 && b <= 0xf3) {
      need = 3;
    } else if (b == 0xf4) {
      need = 3, hi = 0x8f;
    }
    std::size_t j = i + 1;
    std::size_t got = 0;
    while (need != 0 && got < need && j < n) {
      const std::uint8_t c = raw[j];
      const bool in_range = got == 0 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xbf);
      if (!in_range) break;
      ++j;
      ++got;
    }
    if (need != 0 && got == need) {
      w.put(reinterpret_cast<const char*>(raw + i), j - i);
    } else {
      w.put(kReplacement, 3);
    }
    i = j;
  }
}

// Decompresses the name at `offset`. `next` is where the name ends in place
// (after its first pointer, or its root byte), i.e. where parsing resumes.
DnsParseStatus read_name(Bytes msg, std::size_t offset, DnsName& out, std::size_t& next) noexcept {
  std::uint8_t raw[kMaxWireName];
  std::size_t raw_len = 0;
  std::size_t wire_len = 0;
  std::size_t pos = offset;
  bool jumped = false;
  std::uint16_t visited[kDnsMaxPointerHops];
  std::size_t hops = 0;
  out.length = 0;
  out.truncated = false;
  for (;;) {
    if (pos >= msg.size()) return DnsParseStatus::truncated;
    const std::uint8_t len = msg[pos];
    const std::uint8_t kind = len & 0xc0;
    if (kind == 0xc0) {
      if (pos + 1 >= msg.size()) return DnsParseStatus::truncated;
      const std::uint16_t target = load_u16(msg, pos) & 0x3fff;
      if (!jumped) {
        next = pos + 2;
        jumped = true;
      }
      if (target >= msg.size()) return DnsParseStatus::bad_pointer;
      for (std::size_t k = 0; k < hops; ++k) {
        if (visited[k] == target) return DnsParseStatus::pointer_loop;
      }
      if (hops == kDnsMaxPointerHops) return DnsParseStatus::pointer_loop;
      visited[hops++] = target;
      pos = target;
      continue;
    }
    if (kind != 0) return DnsParseStatus::bad_label;
    if (len == 0) {
      if (!jumped) next = pos + 1;
      break;
    }
    // This label plus the root byte still to come must fit in 255.
    wire_len += 1u + len;
    if (wire_len + 1 > kMaxWireName) return DnsParseStatus::name_too_long;
    if (len >= msg.size() - pos) return DnsParseStatus::truncated;
    if (raw_len != 0) raw[raw_len++] = '.';
    std::memcpy(raw + raw_len, msg.data() + pos + 1, len);
    raw_len += len;
    pos += 1u + len;
  }
  render_name(raw, raw_len, out);
  return DnsParseStatus::ok;
}

// A name inside rdata: it must end within the rdata.
bool read_rdata_name(Bytes msg, std::size_t at, std::size_t rdata_end, DnsName& out, std::size_t& next) noexcept {
  if (at >= rdata_end) return false;
  if (read_name(msg, at, out, next) != DnsParseStatus::ok) return false;
  return next <= rdata_end;
}

void render_rdata(Bytes msg, std::size_t start, DnsResourceRecord& rr, DnsTruncation& cut) noexcept {
  const std::size_t end = start + rr.rdlength;
  std::size_t next = 0;
  switch (rr.type) {
    case kTypeA:
    case kTypeAaaa: {
      const std::size_t want = rr.type == kTypeA ? 4 : 16;
      if (rr.rdlength != want) break;
      std::uint8_t addr[16];
      std::memcpy(addr, msg.data() + start, want);
      const int family = rr.type == kTypeA ? AF_INET : AF_INET6;
      if (inet_ntop(family, addr, rr.address_text.data(), rr.address_text.size()) == nullptr) break;
      rr.address_length = static_cast<std::uint8_t>(std::strlen(rr.address_text.data()));
      rr.kind = DnsRdataKind::address;
      return;
    }
    case kTypeNs:
    case kTypeCname:
    case kTypePtr:
      if (!read_rdata_name(msg, start, end, rr.target, next) || next != end) break;
      rr.kind = DnsRdataKind::name;
      return;
    case kTypeMx:
      if (rr.rdlength < 3) break;
      rr.preference = load_u16(msg, start);
      if (!read_rdata_name(msg, start + 2, end, rr.target, next) || next != end) break;
      rr.kind = DnsRdataKind::mx;
      return;
    case kTypeSoa: {
      if (!read_rdata_name(msg, start, end, rr.target, next)) break;
      if (!read_rdata_name(msg, next, end, rr.mailbox, next)) break;
      if (end - next != 20) break;
      rr.soa = DnsSoaTimers{load_u32(msg, next), load_u32(msg, next + 4), load_u32(msg, next + 8),
                            load_u32(msg, next + 12), load_u32(msg, next + 16)};
      rr.kind = DnsRdataKind::soa;
      return;
    }
    case kTypeTxt: {
      // <character-string>s: a length byte then that many bytes, to the end.
      std::size_t at = start;
      std::uint32_t dropped = 0;
      bool ok = rr.rdlength != 0;
      while (ok && at < end) {
        const std::size_t len = msg[at];
        if (len > end - at - 1) {
          ok = false;
          break;
        }
        if (rr.txt_count < kDnsMaxTxtStrings) {
          rr.txt[rr.txt_count++] = std::string_view(reinterpret_cast<const char*>(msg.data() + at + 1), len);
        } else {
          ++dropped;
        }
        at += 1 + len;
      }
      if (!ok) {
        rr.txt_count = 0;
        break;
      }
      cut.txt_strings_dropped += dropped;
      rr.kind = DnsRdataKind::txt;
      return;
    }
    default:
      rr.kind = DnsRdataKind::opaque;
      return;
  }
  rr.kind = DnsRdataKind::malformed;
}

void reset(DnsMessage& out) noexcept {
  out.id = 0;
  out.flags = DnsFlags{};
  out.qdcount = out.ancount = out.nscount = out.arcount = 0;
  out.question_count = 0;
  out.record_count = 0;
  out.rdata_malformed = 0;
  out.trailing_bytes = 0;
  out.truncation = DnsTruncation{};
}

void count_cut(const DnsName& n, DnsTruncation& cut) noexcept {
  if (n.truncated) ++cut.names_cut;
}

}  // namespace

std::string_view to_string(DnsParseStatus s) noexcept {
  switch (s) {
    case DnsParseStatus::ok: return "ok";
    case DnsParseStatus::truncated: return "truncated";
    case DnsParseStatus::bad_label: return "bad_label";
    case DnsParseStatus::bad_pointer: return "bad_pointer";
    case DnsParseStatus::pointer_loop: return "pointer_loop";
    case DnsParseStatus::name_too_long: return "name_too_long";
  }
  return "unknown";
}

DnsParseStatus parse_dns(std::span<const std::uint8_t> msg, DnsMessage& out) noexcept {
  reset(out);
  if (msg.size() < kHeaderSize) return DnsParseStatus::truncated;
  out.id = load_u16(msg, 0);
  const std::uint16_t f = load_u16(msg, 2);
  out.flags.qr = (f & 0x8000) != 0;
  out.flags.opcode = static_cast<std::uint8_t>((f >> 11) & 0xf);
  out.flags.aa = (f & 0x0400) != 0;
  out.flags.tc = (f & 0x0200) != 0;
  out.flags.rd = (f & 0x0100) != 0;
  out.flags.ra = (f & 0x0080) != 0;
  out.flags.z = (f & 0x0040) != 0;
  out.flags.ad = (f & 0x0020) != 0;
  out.flags.cd = (f & 0x0010) != 0;
  out.flags.rcode = static_cast<std::uint8_t>(f & 0xf);
  out.qdcount = load_u16(msg, 4);
  out.ancount = load_u16(msg, 6);
  out.nscount = load_u16(msg, 8);
  out.arcount = load_u16(msg, 10);

  std::size_t pos = kHeaderSize;
  DnsQuestion scratch_question;
  for (std::uint32_t i = 0; i < out.qdcount; ++i) {
    const bool keep = out.question_count < kDnsMaxQuestions;
    DnsQuestion& q = keep ? out.questions[out.question_count] : scratch_question;
    std::size_t next = 0;
    const DnsParseStatus st = read_name(msg, pos, q.name, next);
    if (st != DnsParseStatus::ok) return st;
    if (msg.size() - next < 4) return DnsParseStatus::truncated;
    q.type = load_u16(msg, next);
    q.klass = load_u16(msg, next + 2);
    pos = next + 4;
    if (keep) {
      count_cut(q.name, out.truncation);
      ++out.question_count;
    } else {
      ++out.truncation.questions_dropped;
    }
  }

  DnsResourceRecord scratch_record;
  const std::uint32_t section_end[3] = {out.ancount, std::uint32_t{out.ancount} + out.nscount,
                                        std::uint32_t{out.ancount} + out.nscount + out.arcount};
  for (std::uint32_t i = 0; i < section_end[2]; ++i) {
    const bool keep = out.record_count < kDnsMaxRecords;
    DnsResourceRecord& rr = keep ? out.records[out.record_count] : scratch_record;
    rr.section = i < section_end[0]   ? DnsSection::answer
                 : i < section_end[1] ? DnsSection::authority
                                      : DnsSection::additional;
    std::size_t next = 0;
    const DnsParseStatus st = read_name(msg, pos, rr.name, next);
    if (st != DnsParseStatus::ok) return st;
    if (msg.size() - next < 10) return DnsParseStatus::truncated;
    rr.type = load_u16(msg, next);
    rr.klass = load_u16(msg, next + 2);
    rr.ttl = load_u32(msg, next + 4);
    rr.rdlength = load_u16(msg, next + 8);
    const std::size_t rdata_at = next + 10;
    if (msg.size() - rdata_at < rr.rdlength) return DnsParseStatus::truncated;
    rr.rdata = msg.subspan(rdata_at, rr.rdlength);
    rr.kind = DnsRdataKind::opaque;
    rr.address_length = 0;
    rr.preference = 0;
    rr.target.length = 0;
    rr.target.truncated = false;
    rr.mailbox.length = 0;
    rr.mailbox.truncated = false;
    rr.soa = DnsSoaTimers{};
    rr.txt_count = 0;
    DnsTruncation ignored;
    render_rdata(msg, rdata_at, rr, keep ? out.truncation : ignored);
    pos = rdata_at + rr.rdlength;
    if (!keep) {
      ++out.truncation.records_dropped;
      continue;
    }
    if (rr.kind == DnsRdataKind::malformed) ++out.rdata_malformed;
    count_cut(rr.name, out.truncation);
    count_cut(rr.target, out.truncation);
    count_cut(rr.mailbox, out.truncation);
    ++out.record_count;
  }
  out.trailing_bytes = msg.size() - pos;
  return DnsParseStatus::ok;
}

DnsTcpFrame frame_dns_tcp(std::span<const std::uint8_t> stream) noexcept {
  DnsTcpFrame frame;
  if (stream.size() < 2) return frame;
  const std::size_t len = load_u16(stream, 0);
  if (stream.size() - 2 < len) return frame;
  frame.complete = true;
  frame.message = stream.subspan(2, len);
  frame.consumed = 2 + len;
  return frame;
}

}  // namespace opensoc::proto
