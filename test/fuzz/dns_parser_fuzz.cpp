// libFuzzer entry point for parse_dns (and frame_dns_tcp on the same bytes).
// Besides "no crash, no sanitizer report", it checks what callers rely on:
// counts within capacities, name lengths within their buffers, and every view
// (rdata, TXT strings, the TCP frame) inside the input.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "proto/dns_parser.hpp"

namespace {
bool inside(const std::vector<std::uint8_t>& in, const void* p, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  if (n == 0) return true;
  return b >= in.data() && b + n <= in.data() + in.size();
}
bool name_ok(const opensoc::proto::DnsName& n) { return n.length <= n.text.size(); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::proto;
  // An exactly sized copy: the harness must not hide over-reads behind the
  // caller's buffer.
  const std::vector<std::uint8_t> msg(data, data + size);
  auto m = std::make_unique<DnsMessage>();
  const DnsParseStatus st = parse_dns(msg, *m);
  if (to_string(st) == "unknown") __builtin_trap();
  if (m->question_count > kDnsMaxQuestions || m->question_count > m->qdcount) __builtin_trap();
  if (m->record_count > kDnsMaxRecords) __builtin_trap();
  if (m->record_count > std::size_t{m->ancount} + m->nscount + m->arcount) __builtin_trap();
  if (m->trailing_bytes > size) __builtin_trap();
  for (std::size_t i = 0; i < m->question_count; ++i) {
    if (!name_ok(m->questions[i].name)) __builtin_trap();
  }
  for (std::size_t i = 0; i < m->record_count; ++i) {
    const DnsResourceRecord& r = m->records[i];
    if (!name_ok(r.name) || !name_ok(r.target) || !name_ok(r.mailbox)) __builtin_trap();
    if (r.rdata.size() != r.rdlength || !inside(msg, r.rdata.data(), r.rdata.size())) __builtin_trap();
    if (r.txt_count > kDnsMaxTxtStrings || r.address_length >= r.address_text.size()) __builtin_trap();
    for (std::size_t t = 0; t < r.txt_count; ++t) {
      if (!inside(msg, r.txt[t].data(), r.txt[t].size())) __builtin_trap();
    }
  }
  // Reuse of the same DnsMessage must give the same answer.
  if (parse_dns(msg, *m) != st) __builtin_trap();

  const DnsTcpFrame f = frame_dns_tcp(msg);
  if (f.complete) {
    if (f.consumed != f.message.size() + 2 || f.consumed > size) __builtin_trap();
    if (!inside(msg, f.message.data(), f.message.size())) __builtin_trap();
    (void)parse_dns(f.message, *m);
  }
  return 0;
}
