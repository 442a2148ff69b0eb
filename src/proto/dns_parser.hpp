#pragma once
// DNS message parser (RFC 1035 wire format, plus the EDNS0 OPT pseudo-record
// as an ordinary record). Owns nothing but the caller's DnsMessage; pure
// functions, safe to call from any thread on distinct outputs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace opensoc::proto {

/// Fixed capacities of a DnsMessage. What does not fit is parsed (to keep the
/// offsets right) but not stored, and counted in DnsMessage::truncation.
inline constexpr std::size_t kDnsMaxQuestions = 16;
inline constexpr std::size_t kDnsMaxRecords = 64;  // answers + authority + additional
inline constexpr std::size_t kDnsMaxTxtStrings = 8;
/// Presentation form of a name, escapes included (a wire name is at most 255
/// bytes, but escaping can make its text longer: then it is cut and flagged).
inline constexpr std::size_t kDnsNameTextCapacity = 255;
/// Compression pointers followed for one name before it is called a loop.
inline constexpr std::size_t kDnsMaxPointerHops = 64;

/// Why a message could not be parsed to its end. Parsing stops at the first
/// of these; what was parsed before it stays in the DnsMessage.
enum class DnsParseStatus : std::uint8_t {
  ok,
  truncated,      ///< the bytes end inside the header, a name, a question or a record
  bad_label,      ///< label type 0x40 / 0x80 (extended / reserved), not supported
  bad_pointer,    ///< a compression pointer points outside the message
  pointer_loop,   ///< a pointer target is revisited, or more than kDnsMaxPointerHops
  name_too_long,  ///< more than 255 bytes of wire name (RFC 1035 3.1)
};

[[nodiscard]] std::string_view to_string(DnsParseStatus s) noexcept;

/// A decompressed name in presentation form, as tshark prints it: labels
/// joined by '.', case preserved, no trailing dot; the root name is empty.
/// Bytes are rendered like Wireshark's format_text: printable ASCII as is
/// (including '.' and '\' inside a label, unescaped), \a \b \t \n \v \f \r,
/// other control bytes and 0x7f as \ooo octal, valid UTF-8 as is, and each
/// maximal invalid UTF-8 subsequence as U+FFFD.
struct DnsName {
  std::array<char, kDnsNameTextCapacity> text{};
  std::uint8_t length = 0;
  bool truncated = false;  ///< the text did not fit kDnsNameTextCapacity and was cut

  [[nodiscard]] std::string_view view() const noexcept { return {text.data(), length}; }
};

struct DnsFlags {
  bool qr = false;  ///< response
  std::uint8_t opcode = 0;
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  bool z = false;
  bool ad = false;
  bool cd = false;
  std::uint8_t rcode = 0;  ///< header RCODE only (the OPT extension is in that record's ttl)
};

struct DnsQuestion {
  DnsName name;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;  ///< raw: mDNS puts the unicast-response bit in bit 15
};

enum class DnsSection : std::uint8_t { answer, authority, additional };

/// How a record's rdata was rendered.
enum class DnsRdataKind : std::uint8_t {
  opaque,     ///< a type not rendered here: rdlength (and the raw rdata) only
  address,    ///< A, AAAA: `address`
  name,       ///< CNAME, NS, PTR: `target`
  mx,         ///< `preference`, `target` (the exchange)
  txt,        ///< `txt` strings
  soa,        ///< `target` (mname), `mailbox` (rname), `soa`
  malformed,  ///< the rdata does not decode as its type (wrong length, bad name): opaque
};

struct DnsSoaTimers {
  std::uint32_t serial = 0;
  std::uint32_t refresh = 0;
  std::uint32_t retry = 0;
  std::uint32_t expire = 0;
  std::uint32_t minimum = 0;
};

/// One resource record. Views (rdata, txt) point into the parsed message
/// bytes and live as long as they do.
struct DnsResourceRecord {
  DnsSection section = DnsSection::answer;
  DnsName name;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;  ///< raw (OPT: the UDP payload size)
  std::uint32_t ttl = 0;    ///< raw, unsigned (OPT: extended rcode, version, flags)
  std::uint16_t rdlength = 0;
  std::span<const std::uint8_t> rdata;
  DnsRdataKind kind = DnsRdataKind::opaque;
  std::array<char, 46> address_text{};  ///< inet_ntop form, e.g. "::ffff:1.2.3.4"
  std::uint8_t address_length = 0;
  std::uint16_t preference = 0;  ///< MX
  DnsName target;                ///< CNAME/NS/PTR target, MX exchange, SOA mname
  DnsName mailbox;               ///< SOA rname
  DnsSoaTimers soa;
  std::array<std::string_view, kDnsMaxTxtStrings> txt{};  ///< raw bytes of each <character-string>
  std::uint8_t txt_count = 0;

  [[nodiscard]] std::string_view address() const noexcept { return {address_text.data(), address_length}; }
};

/// What did not fit the fixed capacities (the message itself was fine).
struct DnsTruncation {
  std::uint32_t questions_dropped = 0;
  std::uint32_t records_dropped = 0;
  std::uint32_t names_cut = 0;  ///< names whose text hit kDnsNameTextCapacity
  std::uint32_t txt_strings_dropped = 0;
};

/// One parsed DNS message. Large (~70 KiB): give it a long-lived home (one per
/// worker, reused) rather than the stack of a deep call chain. parse_dns
/// overwrites only what it reports, so reuse costs nothing.
struct DnsMessage {
  std::uint16_t id = 0;
  DnsFlags flags;
  std::uint16_t qdcount = 0;  ///< as in the header, even when fewer are present
  std::uint16_t ancount = 0;
  std::uint16_t nscount = 0;
  std::uint16_t arcount = 0;
  std::array<DnsQuestion, kDnsMaxQuestions> questions;
  std::uint8_t question_count = 0;  ///< stored questions
  std::array<DnsResourceRecord, kDnsMaxRecords> records;  ///< in wire order: answers, authority, additional
  std::uint8_t record_count = 0;  ///< stored records
  std::uint32_t rdata_malformed = 0;  ///< records whose rdata did not decode (kind == malformed)
  std::size_t trailing_bytes = 0;     ///< bytes after the last record (tshark: "Extraneous data")
  DnsTruncation truncation;
};

/// Parses one DNS message (a UDP payload, or one TCP message without its
/// 2-byte length: see frame_dns_tcp). Never throws, never allocates; reads
/// only inside `msg`. On an error `out` holds everything parsed before it.
/// Names are decompressed with forward and backward pointers allowed (as
/// tshark does), loops and chains longer than kDnsMaxPointerHops rejected.
DnsParseStatus parse_dns(std::span<const std::uint8_t> msg, DnsMessage& out) noexcept;

/// One DNS-over-TCP message framed at the start of a reassembled stream
/// (RFC 1035 4.2.2: a 2-byte big-endian length, then the message).
struct DnsTcpFrame {
  bool complete = false;                  ///< false: need more stream bytes
  std::span<const std::uint8_t> message;  ///< the message, without its length prefix
  std::size_t consumed = 0;               ///< bytes of the stream this frame used (2 + length)
};

/// Frames the first message of `stream`; pass `message` to parse_dns and
/// advance the stream by `consumed`.
DnsTcpFrame frame_dns_tcp(std::span<const std::uint8_t> stream) noexcept;

}  // namespace opensoc::proto
