#pragma once
/// Router: the REST API as a function from Request to Response. It owns the
/// route table; the data comes from callbacks the daemon supplies, so the API
/// module knows nothing of threads, sockets or capture internals.
///
/// Threading: handle() is called on the HTTP thread(s); the callbacks must be
/// safe to call from there.
#include <functional>

#include "api/http_types.hpp"
#include "opensoc/core/stats_snapshot.hpp"

namespace opensoc::api {

struct ApiServices {
  std::function<StatsSnapshot()> stats;  ///< a fresh snapshot of every counter
  /// GET and POST /api/v1/pcap: the whole request in, a PCAP slice (usually
  /// with a BodyStream) or a 400 naming the parameter out. Empty when the
  /// packet store is disabled; the route then answers 503.
  std::function<Response(const Request&)> pcap;
  /// GET /api/v1/sessions and /api/v1/events (search). Empty when search is
  /// disabled; the routes then answer 503.
  std::function<Response(const Request&)> sessions;
  std::function<Response(const Request&)> events;
  /// /api/v1/alerts and /api/v1/alerts/{id} (GET, PATCH); /api/v1/intel
  /// (GET, POST); /api/v1/rules (GET); /api/v1/reload (POST). Empty when
  /// detection is off; the routes then answer 503.
  std::function<Response(const Request&)> alerts;
  std::function<Response(const Request&)> intel;
  std::function<Response(const Request&)> rules;
  std::function<Response(const Request&)> reload;
  /// GET /api/v1/logs (search over received logs); POST /api/v1/ingest (JSON
  /// lines into the log pipeline). Empty when there is no log pipeline (no
  /// receivers and no API ingest, or search off): 503.
  std::function<Response(const Request&)> logs;
  std::function<Response(const Request&)> ingest;
  /// The web console (src/console): GET/HEAD of "/", "/console" and
  /// "/console/…" (pages and their compiled-in assets). Empty: 404.
  std::function<Response(const Request&)> console;
  /// GET /api/v1/fields: the search language's fields (query-bar completion).
  std::function<Response(const Request&)> fields;
  /// GET /api/v1/pcap/estimate: packets and bytes a slice would hold.
  std::function<Response(const Request&)> pcap_estimate;
  /// GET /api/v1/stats/history: sampled capture and session rates (charts).
  std::function<Response(const Request&)> stats_history;
  /// GET /api/v1/config: the running configuration, secrets hidden.
  std::function<Response(const Request&)> running_config;
};

class Router {
 public:
  explicit Router(ApiServices services);
  /// Never throws: a handler's exception becomes a 500 with a JSON error.
  [[nodiscard]] Response handle(const Request& request) const noexcept;

 private:
  Response dispatch(const Request& request) const;
  ApiServices services_;
};

}  // namespace opensoc::api
