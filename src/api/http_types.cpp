// Request target parsing and error answers shared by every handler.
#include "api/http_types.hpp"

#include "opensoc/core/json_writer.hpp"

namespace opensoc::api {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // "%" needs two hex digits after it
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out.push_back(c);
  }
  return true;
}
}  // namespace

bool parse_target(const std::string& target, Request& out, std::string& error) {
  const std::size_t q = target.find('?');
  const std::string_view raw_path = std::string_view(target).substr(0, q);
  if (raw_path.empty() || raw_path.front() != '/') {
    error = "request target must be an absolute path";
    return false;
  }
  if (!percent_decode(raw_path, false, out.path)) {
    error = "bad percent-encoding in path";
    return false;
  }
  out.query.clear();
  if (q == std::string::npos) return true;
  std::string_view rest = std::string_view(target).substr(q + 1);
  std::string k, v;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    if (!percent_decode(pair.substr(0, eq), true, k) ||
        !percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true, v)) {
      error = "bad percent-encoding in query string";
      return false;
    }
    out.query.emplace(k, v);
  }
  return true;
}

namespace {
Response json_error(int status, const std::string& message, const std::string* parameter) {
  Response r;
  r.status = status;
  JsonWriter w(r.body);
  w.begin_object().key("error").begin_object().field("status", static_cast<std::int64_t>(status)).field("message", message);
  if (parameter != nullptr) w.field("parameter", *parameter);
  w.end_object().end_object();
  r.body.push_back('\n');
  return r;
}
}  // namespace

Response error_response(int status, const std::string& message) { return json_error(status, message, nullptr); }

Response error_response(int status, const std::string& message, const std::string& parameter) {
  return json_error(status, message, &parameter);
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < k.size() && same; ++i) {
      const char c = name[i];
      same = k[i] == ((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
    }
    if (same) return v;
  }
  return {};
}

}  // namespace opensoc::api
