// PCAP slice queries: the value both request forms become, and the
// per-packet filter evaluation.
//
// Flow: the API thread turns a request into a SliceQuery (slice_params.cpp,
// steno_query.cpp, which build FilterExpr trees with the helpers here); the
// slice executor plans index look-ups from it and calls `matches` on each
// candidate packet's PacketFacts. `matches` is the only per-packet code in
// this file: recursive over a tree whose depth the parsers bound, no
// allocation, no exceptions. describe() prints the query back in the
// Stenographer language for audit logs and file names.
#include "slice/slice_query.hpp"

#include <algorithm>
#include <cstring>

#include "opensoc/core/base64.hpp"
#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/ip_protocol.hpp"
#include "slice/time_value.hpp"

namespace opensoc::slice {
namespace {

bool host_matches(const Predicate& q, const PacketFacts& p) noexcept {
  switch (q.dir) {
    case Direction::src: return q.net.contains(p.src, p.ip_version);
    case Direction::dst: return q.net.contains(p.dst, p.ip_version);
    case Direction::either: break;
  }
  return q.net.contains(p.src, p.ip_version) || q.net.contains(p.dst, p.ip_version);
}

bool port_matches(const Predicate& q, const PacketFacts& p) noexcept {
  // ICMP flow keys carry type/code where ports would be; a port query must
  // not see them, whatever has_ports says.
  if (p.ip_version == 0 || !p.has_ports) return false;
  if (!has_transport_ports(p.proto)) return false;
  switch (q.dir) {
    case Direction::src: return p.sport == q.port;
    case Direction::dst: return p.dport == q.port;
    case Direction::either: break;
  }
  return p.sport == q.port || p.dport == q.port;
}

bool leaf_matches(const Predicate& q, const PacketFacts& p) noexcept {
  switch (q.kind) {
    case Predicate::Kind::host: return host_matches(q, p);
    case Predicate::Kind::port: return port_matches(q, p);
    case Predicate::Kind::proto:
      if (p.ip_version == 0) return false;
      if (q.icmp_any) return is_icmp_protocol(p.proto);
      return p.proto == q.proto;
    case Predicate::Kind::vlan: return p.vlan == q.vlan;
    case Predicate::Kind::community_id:
      return p.community_id != nullptr && *p.community_id == q.community_id;
  }
  return false;
}

bool eval(const FilterExpr& f, std::uint32_t i, const PacketFacts& p, std::size_t depth) noexcept {
  if (depth > kMaxEvalDepth) return false;
  const FilterExpr::Node& n = f.nodes[i];
  switch (n.op) {
    case FilterExpr::Node::Op::leaf: return leaf_matches(n.leaf, p);
    case FilterExpr::Node::Op::all_of:
      if (n.left >= i || n.right >= i) return false;
      return eval(f, n.left, p, depth + 1) && eval(f, n.right, p, depth + 1);
    case FilterExpr::Node::Op::any_of:
      if (n.left >= i || n.right >= i) return false;
      return eval(f, n.left, p, depth + 1) || eval(f, n.right, p, depth + 1);
  }
  return false;
}

std::string describe_leaf(const Predicate& q) {
  std::string dir;
  if (q.dir == Direction::src) dir = "src ";
  if (q.dir == Direction::dst) dir = "dst ";
  switch (q.kind) {
    case Predicate::Kind::host:
      return dir + (q.net.is_host() ? "host " : "net ") + format_ip_prefix(q.net);
    case Predicate::Kind::port: return dir + "port " + std::to_string(q.port);
    case Predicate::Kind::proto:
      if (q.icmp_any) return "icmp";
      if (q.proto == kIpProtoTcp) return "tcp";
      if (q.proto == kIpProtoUdp) return "udp";
      if (q.proto == kIpProtoSctp) return "sctp";
      return "ip proto " + std::to_string(q.proto);
    case Predicate::Kind::vlan: return "vlan " + std::to_string(q.vlan);
    case Predicate::Kind::community_id: return "community_id " + format_community_id(q.community_id);
  }
  return {};
}

bool valid_children(const FilterExpr& f, std::uint32_t i) noexcept {
  const FilterExpr::Node& n = f.nodes[i];
  return n.op == FilterExpr::Node::Op::leaf || (n.left < i && n.right < i);
}

// The operands of the maximal chain of one operator rooted at i, in order.
void flatten(const FilterExpr& f, std::uint32_t i, FilterExpr::Node::Op op, std::vector<std::uint32_t>& out,
             std::size_t depth) {
  const FilterExpr::Node& n = f.nodes[i];
  if (n.op != op || !valid_children(f, i) || depth > kMaxEvalDepth) {
    out.push_back(i);
    return;
  }
  flatten(f, n.left, op, out, depth + 1);
  flatten(f, n.right, op, out, depth + 1);
}

// The language has "and" and "or" at one precedence, left-associative
// (Stenographer's grammar, and BPF's). A chain of one operator prints flat
// (it is associative, whatever the tree's balance); an operand of the other
// operator needs parentheses, except the first, which left-associativity
// already groups. Printing no more parentheses than the parse needed keeps
// describe() within the parser's nesting limit.
void describe_node(const FilterExpr& f, std::uint32_t i, std::string& out, std::size_t depth) {
  const FilterExpr::Node& n = f.nodes[i];
  if (n.op == FilterExpr::Node::Op::leaf) {
    out += describe_leaf(n.leaf);
    return;
  }
  if (!valid_children(f, i) || depth > kMaxEvalDepth) {
    out += "<invalid>";
    return;
  }
  std::vector<std::uint32_t> operands;
  flatten(f, i, n.op, operands, depth);
  for (std::size_t k = 0; k < operands.size(); ++k) {
    if (k > 0) out += n.op == FilterExpr::Node::Op::all_of ? " and " : " or ";
    const bool parens = k > 0 && f.nodes[operands[k]].op != FilterExpr::Node::Op::leaf;
    if (parens) out += '(';
    describe_node(f, operands[k], out, depth + 1);
    if (parens) out += ')';
  }
}

}  // namespace

bool operator==(const IpPrefix& a, const IpPrefix& b) noexcept {
  return a.version == b.version && a.prefix_len == b.prefix_len && std::memcmp(a.addr, b.addr, 16) == 0;
}

bool IpPrefix::contains(const std::uint8_t* a, std::uint8_t ip_version) const noexcept {
  if (ip_version != version || (version != 4 && version != 6)) return false;
  const unsigned width = version == 6 ? 128 : 32;
  const unsigned len = std::min<unsigned>(prefix_len, width);
  const unsigned full = len / 8;
  if (std::memcmp(a, addr, full) != 0) return false;
  const unsigned rest = len % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
  return (a[full] & mask) == (addr[full] & mask);
}

void IpPrefix::bounds(std::uint8_t lo[16], std::uint8_t hi[16]) const noexcept {
  std::memset(lo, 0, 16);
  std::memset(hi, 0, 16);
  const unsigned bytes = version == 6 ? 16 : 4;
  const unsigned len = std::min<unsigned>(prefix_len, bytes * 8);
  for (unsigned i = 0; i < bytes; ++i) {
    const unsigned bits_here = len >= (i + 1) * 8 ? 8 : (len > i * 8 ? len - i * 8 : 0);
    const auto mask = static_cast<std::uint8_t>(bits_here == 0 ? 0 : 0xFFu << (8 - bits_here));
    lo[i] = static_cast<std::uint8_t>(addr[i] & mask);
    hi[i] = static_cast<std::uint8_t>(addr[i] | static_cast<std::uint8_t>(~mask));
  }
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view addr_text = text.substr(0, slash);
  // inet_pton stops at a NUL; only address characters may reach it.
  for (const char c : addr_text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
    if (!ok) return std::nullopt;
  }
  const auto a = IpAddress::parse(addr_text);
  if (!a) return std::nullopt;
  IpPrefix p;
  p.version = a->version;
  const unsigned width = a->version == 6 ? 128 : 32;
  unsigned len = width;
  if (slash != std::string_view::npos) {
    const std::string_view n = text.substr(slash + 1);
    if (n.empty() || n.size() > 3 || (n.size() > 1 && n[0] == '0')) return std::nullopt;
    len = 0;
    for (const char c : n) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + static_cast<unsigned>(c - '0');
    }
    if (len > width) return std::nullopt;
  }
  p.prefix_len = static_cast<std::uint8_t>(len);
  std::memcpy(p.addr, a->bytes.data(), a->size());
  std::uint8_t lo[16], hi[16];
  p.bounds(lo, hi);
  std::memcpy(p.addr, lo, 16);
  return p;
}

std::string format_ip_prefix(const IpPrefix& p) {
  const IpAddress a = p.version == 6 ? IpAddress::v6(p.addr) : IpAddress::v4(p.addr);
  std::string s = a.to_string();
  if (!p.is_host()) s += "/" + std::to_string(p.prefix_len);
  return s;
}

std::optional<std::array<std::uint8_t, 20>> parse_community_id(std::string_view text) {
  // 20 bytes = 6 groups of 3 + 2 bytes: 27 symbols and one "=".
  if (text.size() != 30 || text[0] != '1' || text[1] != ':' || text[29] != '=') return std::nullopt;
  const std::string_view b64 = text.substr(2, 27);
  std::array<std::uint8_t, 20> out{};
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t o = 0;
  for (const char c : b64) {
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<std::uint8_t>(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  // 27 * 6 = 162 bits = 20 bytes + 2 bits, which canonical base64 sets to 0.
  if (o != 20 || bits != 2 || acc != 0) return std::nullopt;
  return out;
}

std::string format_community_id(const std::array<std::uint8_t, 20>& digest) {
  std::string out = "1:";
  append_base64(out, digest.data(), digest.size());
  return out;
}

bool FilterExpr::uses(Predicate::Kind k) const noexcept {
  return std::any_of(nodes.begin(), nodes.end(),
                     [k](const Node& n) { return n.op == Node::Op::leaf && n.leaf.kind == k; });
}

FilterExpr FilterExpr::leaf(const Predicate& p) {
  FilterExpr f;
  f.nodes.push_back(Node{Node::Op::leaf, 0, 0, p});
  return f;
}

FilterExpr FilterExpr::combine(Node::Op op, FilterExpr a, FilterExpr b) {
  if (op == Node::Op::leaf) return a;  // not a combinator; keep the left side
  if (a.empty() || b.empty()) {
    if (op == Node::Op::any_of) return FilterExpr{};
    return a.empty() ? b : a;
  }
  const auto offset = static_cast<std::uint32_t>(a.nodes.size());
  a.nodes.reserve(a.nodes.size() + b.nodes.size() + 1);
  for (Node n : b.nodes) {
    if (n.op != Node::Op::leaf) {
      n.left += offset;
      n.right += offset;
    }
    a.nodes.push_back(n);
  }
  const auto right = static_cast<std::uint32_t>(a.nodes.size() - 1);
  a.nodes.push_back(Node{op, offset - 1, right, Predicate{}});
  return a;
}

FilterExpr FilterExpr::conjunction(FilterExpr a, FilterExpr b) {
  return combine(Node::Op::all_of, std::move(a), std::move(b));
}

FilterExpr FilterExpr::combine_all(Node::Op op, std::vector<FilterExpr> parts) {
  if (parts.empty()) return FilterExpr{};
  // Pairwise rounds: each halves the list, so the result is balanced.
  while (parts.size() > 1) {
    std::vector<FilterExpr> next;
    next.reserve((parts.size() + 1) / 2);
    for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
      next.push_back(combine(op, std::move(parts[i]), std::move(parts[i + 1])));
    }
    if (parts.size() % 2 == 1) next.push_back(std::move(parts.back()));
    parts = std::move(next);
  }
  return std::move(parts.front());
}

std::size_t FilterExpr::depth() const {
  std::vector<std::size_t> d(nodes.size(), 1);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.op == Node::Op::leaf || n.left >= i || n.right >= i) continue;
    d[i] = 1 + std::max(d[n.left], d[n.right]);
  }
  return nodes.empty() ? 0 : d.back();
}

bool matches(const FilterExpr& f, const PacketFacts& p) noexcept {
  if (f.nodes.empty()) return true;
  return eval(f, static_cast<std::uint32_t>(f.nodes.size() - 1), p, 1);
}

std::string describe_filter(const FilterExpr& f) {
  std::string out;
  if (!f.empty()) describe_node(f, static_cast<std::uint32_t>(f.nodes.size() - 1), out, 1);
  return out;
}

std::string SliceQuery::describe() const {
  std::string out = describe_filter(filter);
  const auto append = [&out](std::string_view s) {
    if (!out.empty()) out += " and ";
    out += s;
  };
  if (start) append("after " + format_time_value(*start));
  if (end) append("before " + format_time_value(*end));
  return out;
}

}  // namespace opensoc::slice
