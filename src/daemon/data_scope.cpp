// Per-user data scope (see data_scope.hpp).
#include "daemon/data_scope.hpp"

namespace opensoc::daemon {

namespace {
const std::vector<std::string>* networks_of(const api::Request& r) {
  if (!r.principal || r.principal->scope_networks.empty()) return nullptr;
  return &r.principal->scope_networks;
}

bool is_bare_address(const std::string& n) { return n.find('/') == std::string::npos; }
}  // namespace

std::string scope_search_clause(const std::vector<std::string>& networks) {
  if (networks.empty()) return {};
  std::string out = "(";
  for (std::size_t i = 0; i < networks.size(); ++i) {
    if (i) out += " OR ";
    out += "ip:" + networks[i];
  }
  out += ")";
  return out;
}

std::string scope_pcap_query(const std::vector<std::string>& networks) {
  std::string out;
  for (std::size_t i = 0; i < networks.size(); ++i) {
    if (i) out += " or ";
    out += (is_bare_address(networks[i]) ? "host " : "net ") + networks[i];
  }
  return out;
}

void scope_search_request(api::Request& request) {
  const auto* nets = networks_of(request);
  if (nets == nullptr) return;
  const std::string clause = scope_search_clause(*nets);
  // Every q= is combined with the clause: a request cannot shed its scope
  // by repeating the parameter.
  bool had_q = false;
  for (auto& [k, v] : request.query) {
    if (k != "q") continue;
    had_q = true;
    v = v.find_first_not_of(" \t") == std::string::npos ? clause : "(" + v + ") AND " + clause;
  }
  if (!had_q) request.query.emplace("q", clause);
}

void scope_pcap_request(api::Request& request) {
  const auto* nets = networks_of(request);
  if (nets == nullptr) return;
  // Repeated `query` parameters are ANDed by the slice parser.
  request.query.emplace("query", scope_pcap_query(*nets));
}

AddressScope AddressScope::from(const api::Request& request) {
  AddressScope s;
  const auto* nets = networks_of(request);
  if (nets == nullptr) return s;
  auto set = enrich::NetworkSet::parse(*nets);
  // The users file validated these; an entry that no longer parses admits nothing.
  s.set_ = set ? std::move(*set) : enrich::NetworkSet{};
  return s;
}

bool AddressScope::admits(const IpAddress& a, const IpAddress& b) const noexcept {
  if (!set_) return true;
  return (a.version != 0 && set_->contains(a)) || (b.version != 0 && set_->contains(b));
}

}  // namespace opensoc::daemon
