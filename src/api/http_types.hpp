#pragma once
/// Request and Response as plain values: the API's handlers are functions
/// from one to the other (Beast's advanced-server idea), so no socket or
/// Beast type appears in handler code and handlers test without a network.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

namespace opensoc::api {

/// Who is asking, once the daemon's auth gate has let a request through
/// (src/auth). Plain values only: the API module knows nothing of users files.
struct Principal {
  std::string user;      ///< "" when auth is off
  std::string role;      ///< "viewer", "analyst" or "admin"
  std::string method;    ///< how it authenticated: "session", "token", "certificate", "none" (auth off)
  std::string token_id;  ///< the API token's id when method == "token"
  /// Forced filter: the user sees only records and packets with an address
  /// in one of these networks (CIDR text, v4 or v6). Empty: all data.
  std::vector<std::string> scope_networks;
};

struct Request {
  std::string method;                           ///< "GET", "POST", …
  std::string target;                           ///< raw request target, e.g. "/api/v1/stats?x=1"
  std::string path;                             ///< percent-decoded path
  std::multimap<std::string, std::string> query;///< percent-decoded query parameters
  std::string body;
  std::string remote_address;
  /// Header fields as received, names lower-cased, in order (repeats kept).
  std::vector<std::pair<std::string, std::string>> headers;
  bool tls = false;                  ///< arrived over TLS
  /// The verified client certificate (TLS with client_ca only): its subject
  /// in RFC 2253 form ("CN=alice,O=Example") and SHA-256 of its DER, lower hex.
  std::string client_cert_subject;
  std::string client_cert_sha256;
  /// Set by the auth gate before a handler runs (absent before it).
  std::optional<Principal> principal;

  /// The first header field with this name (case-insensitive), or "".
  [[nodiscard]] std::string_view header(std::string_view name) const;
};

/// Produces a response body piece by piece, for answers too big to hold
/// (multi-GB PCAP slices). The HTTP server pulls: it calls next() again only
/// after the previous piece has been written to the socket, so at most one
/// piece is buffered per connection.
///
/// Threading: next() and trailers() run on the HTTP thread, which serves every
/// other connection too; a piece should take milliseconds, not seconds.
/// Lifetime: owned (shared) by the Response and then by the connection; it is
/// destroyed when the body ends, when the client disconnects or when a write
/// times out, so it may hold files, cursors or read transactions.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  /// Appends the next piece (any size up to ~1 MiB; empty is allowed) to
  /// `out` and returns true, or returns false at the end; `out` may still
  /// have received a last piece then. May throw: the server then closes the
  /// connection, so the client sees a truncated body (the only honest signal
  /// once the status line has gone out).
  virtual bool next(std::string& out) = 0;
  /// Trailer fields, read once after next() returned false. Only the names
  /// announced in Response::trailer_names are sent (an HTTP/1.0 client gets
  /// none). Names must be tokens and values must not contain CR or LF;
  /// others are dropped.
  virtual std::vector<std::pair<std::string, std::string>> trailers() { return {}; }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// When set, `body` is ignored and the body is pulled from the stream,
  /// sent with Transfer-Encoding: chunked (HTTP/1.1) or until the connection
  /// closes (HTTP/1.0).
  std::shared_ptr<BodyStream> stream;
  /// Trailer field names the stream will supply, announced in a `Trailer:`
  /// header so clients know to look for them.
  std::vector<std::string> trailer_names;
};

/// Splits a request target into path and query parameters, percent-decoding
/// both. Returns false (and leaves an explanation in `error`) for malformed
/// escapes, NUL bytes or a path not starting with '/'.
bool parse_target(const std::string& target, Request& out, std::string& error);

/// A JSON error body: {"error":{"status":400,"message":"…"}}.
Response error_response(int status, const std::string& message);
/// The same naming the offending request parameter, so a client can point at
/// it: {"error":{"status":400,"message":"…","parameter":"host"}}.
Response error_response(int status, const std::string& message, const std::string& parameter);

}  // namespace opensoc::api
