#pragma once
/// DataScope: a scoped user's forced filter (api::Principal::scope_networks)
/// applied to each kind of answer, so every route sees the same rule: a
/// record or packet is visible when one of its addresses is in one of the
/// user's networks.
///   - search (sessions, events, logs, alerts `q=`): the query is ANDed with
///     `(ip:N1 OR ip:N2 …)`;
///   - PCAP slices: a stenographer `query` (`net N1 or net N2 …`) is ANDed
///     with the request's filters;
///   - alert records (list without `q=`, get, patch): source or destination
///     address in the set.
/// Runs on the HTTP thread; pure apart from the request it rewrites.
#include <optional>
#include <string>
#include <vector>

#include "api/http_types.hpp"
#include "enrich/network_set.hpp"
#include "opensoc/core/ip_address.hpp"

namespace opensoc::daemon {

/// `(ip:a OR ip:b)`; "" for an unscoped user.
[[nodiscard]] std::string scope_search_clause(const std::vector<std::string>& networks);
/// `net a or net b` (a bare address becomes `host a`); "" for an unscoped user.
[[nodiscard]] std::string scope_pcap_query(const std::vector<std::string>& networks);

/// Rewrites `q` of a search request: `(<q>) AND <clause>`, or the clause
/// alone when q is absent or empty. No-op for an unscoped principal.
void scope_search_request(api::Request& request);
/// Adds the scope as one more `query` parameter of a PCAP slice request.
void scope_pcap_request(api::Request& request);

/// Membership test for alert records; built once per request.
class AddressScope {
 public:
  /// nullopt networks (unscoped) admit everything.
  static AddressScope from(const api::Request& request);
  [[nodiscard]] bool scoped() const noexcept { return set_.has_value(); }
  [[nodiscard]] bool admits(const IpAddress& a, const IpAddress& b) const noexcept;

 private:
  std::optional<enrich::NetworkSet> set_;
};

}  // namespace opensoc::daemon
