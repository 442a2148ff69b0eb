#pragma once
/// Request and Response as plain values: the API's handlers are functions
/// from one to the other (Beast's advanced-server idea), so no socket or
/// Beast type appears in handler code and handlers test without a network.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace opensoc::api {

struct Request {
  std::string method;                           ///< "GET", "POST", …
  std::string target;                           ///< raw request target, e.g. "/api/v1/stats?x=1"
  std::string path;                             ///< percent-decoded path
  std::multimap<std::string, std::string> query;///< percent-decoded query parameters
  std::string body;
  std::string remote_address;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Splits a request target into path and query parameters, percent-decoding
/// both. Returns false (and leaves an explanation in `error`) for malformed
/// escapes, NUL bytes or a path not starting with '/'.
bool parse_target(const std::string& target, Request& out, std::string& error);

/// A JSON error body: {"error":{"status":400,"message":"…"}}.
Response error_response(int status, const std::string& message);

}  // namespace opensoc::api
