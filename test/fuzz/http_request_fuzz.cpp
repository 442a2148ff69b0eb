// Fuzzes what the HTTP server does with raw bytes from a socket: Beast's
// request parser with the server's default limits (header 16 KiB, body
// 1 MiB), fed in two uneven pieces as a socket would deliver them, message
// after message (pipelining), each complete request turned into an
// api::Request (lower-cased header fields) and its target parsed.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/http_types.hpp"
#include "http/http_config.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;

void check_request(const bhttp::request<bhttp::string_body>& req, std::size_t body_limit) {
  using namespace opensoc;
  api::Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.body = req.body();
  if (r.body.size() > body_limit) __builtin_trap();
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  if (req.version() != 10 && req.version() != 11) __builtin_trap();  // the server relies on this
  std::string error;
  if (api::parse_target(r.target, r, error)) {
    if (r.path.empty() || r.path[0] != '/') __builtin_trap();
    if (r.path.find('\0') != std::string::npos) __builtin_trap();
  } else if (error.empty()) {
    __builtin_trap();
  }
  if (!r.headers.empty() && r.header(r.headers.front().first) != r.headers.front().second) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const opensoc::http::HttpConfig limits;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // First piece: as much as the first byte says, like a short first read.
  const std::size_t split = size == 0 ? 0 : std::min<std::size_t>(size, data[0] * 7u + 1);
  std::string pending;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  const auto fresh = [&] {
    parser.emplace();
    parser->header_limit(limits.max_header_bytes);
    parser->body_limit(limits.max_body_bytes);
    parser->eager(true);
  };
  fresh();
  for (const std::string_view piece : {input.substr(0, split), input.substr(split)}) {
    pending.append(piece);
    for (int messages = 0; messages < 64 && !pending.empty(); ++messages) {
      beast::error_code ec;
      const std::size_t used = parser->put(boost::asio::buffer(pending.data(), pending.size()), ec);
      if (used > pending.size()) __builtin_trap();
      pending.erase(0, used);
      if (ec == bhttp::error::need_more) break;
      if (ec) return 0;  // the server answers 4xx and closes: nothing more is read
      if (parser->is_done()) {
        check_request(parser->get(), limits.max_body_bytes);
        fresh();
      } else if (used == 0) {
        break;
      }
    }
  }
  return 0;
}
