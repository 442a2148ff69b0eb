// serve_console() over the real compiled-in console (console/): routing,
// caching, compression and security headers, and one pass through the real
// HttpServer to pin what HEAD and 304 look like on the wire.
#include "console/console_site.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "../http/serving_test_server.hpp"
#include "console/console_assets.hpp"

using namespace opensoc;
using console::ConsoleAsset;

namespace {

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// A request as the HTTP server builds it: the raw target goes through the
// same parse_target, so percent-encoded traversal is decoded exactly as live.
api::Request make_request(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {},
                          const std::string& method = "GET") {
  api::Request r;
  r.method = method;
  r.target = target;
  r.headers = std::move(headers);
  std::string error;
  REQUIRE(api::parse_target(target, r, error));
  return r;
}

std::string header(const api::Response& r, const std::string& name) {
  std::string found;
  int count = 0;
  for (const auto& [k, v] : r.headers) {
    if (k == name) {
      found = v;
      ++count;
    }
  }
  REQUIRE(count <= 1);
  return found;
}

bool has_header(const api::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return true;
  }
  return false;
}

const ConsoleAsset& asset(std::string_view path) {
  const ConsoleAsset* a = console::find_console_asset(path);
  REQUIRE(a != nullptr);
  return *a;
}

std::string gunzip(const std::string& in) {
  z_stream zs{};
  REQUIRE(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK);
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
  }
  inflateEnd(&zs);
  REQUIRE(rc == Z_STREAM_END);
  REQUIRE(zs.avail_in == 0);
  return out;
}

void require_security_headers(const api::Response& r) {
  CHECK(header(r, "Content-Security-Policy") == kCsp);
  CHECK(header(r, "X-Content-Type-Options") == "nosniff");
  CHECK(header(r, "Referrer-Policy") == "no-referrer");
  CHECK(header(r, "X-Frame-Options") == "DENY");
}

void require_index(const api::Response& r) {
  const ConsoleAsset& index = asset("/console/index.html");
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(r.body == index.body);
  CHECK(header(r, "ETag") == index.etag);
  CHECK(header(r, "Cache-Control") == "no-cache");
  require_security_headers(r);
}

}  // namespace

TEST_CASE("console asset table is sorted, unique and holds the app shell", "[console]") {
  const auto assets = console::console_assets();
  REQUIRE(assets.size() >= 3);
  for (std::size_t i = 1; i < assets.size(); ++i) CHECK(assets[i - 1].path < assets[i].path);
  CHECK(asset("/console/index.html").content_type == "text/html; charset=utf-8");
  CHECK(asset("/console/assets/app.js").content_type == "text/javascript; charset=utf-8");
  CHECK(asset("/console/assets/console.css").content_type == "text/css; charset=utf-8");
  CHECK(console::find_console_asset("/console/assets/app.j") == nullptr);
  CHECK(console::find_console_asset("/console/assets/app.jsx") == nullptr);
  CHECK(console::find_console_asset("") == nullptr);
  for (const ConsoleAsset& a : assets) {
    INFO(a.path);
    CHECK(a.path.rfind("/console/", 0) == 0);
    CHECK(a.path.find("/.") == std::string_view::npos);  // no dotfiles, no ".." segments
    REQUIRE(a.etag.size() == 18);
    CHECK(a.etag.front() == '"');
    CHECK(a.etag.back() == '"');
    CHECK(a.etag.substr(1, 16).find_first_not_of("0123456789abcdef") == std::string_view::npos);
    if (!a.gzip_body.empty()) CHECK(a.gzip_body.size() < a.body.size());
  }
}

TEST_CASE("serve_console serves every asset with its type, bytes and ETag", "[console]") {
  for (const ConsoleAsset& a : console::console_assets()) {
    INFO(a.path);
    const api::Response r = console::serve_console(make_request(std::string(a.path)));
    REQUIRE(r.status == 200);
    CHECK(r.content_type == a.content_type);
    CHECK(r.body == a.body);
    CHECK(header(r, "ETag") == a.etag);
    CHECK(header(r, "Cache-Control") == "no-cache");
    CHECK_FALSE(has_header(r, "Content-Encoding"));
    CHECK(has_header(r, "Vary") == !a.gzip_body.empty());
    require_security_headers(r);
  }
}

TEST_CASE("serve_console answers client-side routes with index.html", "[console]") {
  for (const char* target : {"/console/", "/console/hunt?q=x", "/console/hunt?q=source.ip%3D10.0.0.1&open=3",
                             "/console/alerts", "/console/system/deeper/path", "/console/login?next=%2Fconsole%2Fpcap",
                             "/console/../api/v1/stats", "/console/assets"}) {
    INFO(target);
    require_index(console::serve_console(make_request(target)));
  }
}

TEST_CASE("serve_console redirects / and /console to /console/ keeping the query", "[console]") {
  struct Case {
    const char* target;
    const char* location;
  };
  for (const Case& c : {Case{"/", "/console/"}, Case{"/console", "/console/"}, Case{"/?", "/console/"},
                        Case{"/console?q=a%20b&kind=events", "/console/?q=a%20b&kind=events"},
                        Case{"/?start=1h%20ago", "/console/?start=1h%20ago"}}) {
    INFO(c.target);
    const api::Response r = console::serve_console(make_request(c.target));
    CHECK(r.status == 302);
    CHECK(header(r, "Location") == c.location);
    CHECK(r.body.empty());
    require_security_headers(r);
  }
}

TEST_CASE("serve_console returns 404 for missing assets and any traversal spelling", "[console]") {
  for (const char* target :
       {"/console/assets/nope.js", "/console/assets/", "/console/assets/app.js/", "/console/assets/APP.JS",
        "/console/assets/../index.html", "/console/assets/%2e%2e/index.html", "/console/assets/%2E%2E/index.html",
        "/console/assets/lib/../app.js", "/console/assets/lib/%2e%2e/app.js", "/console/assets/./app.js",
        "/console/assets//app.js", "/console/assets/%2f/app.js", "/console/assets/lib%2f..%2fapp.js",
        "/console/assets/..%5capp.js", "/console/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/console/assets/../../../etc/passwd", "/console/assets/app.js%00.png"}) {
    INFO(target);
    api::Request req;
    req.method = "GET";
    req.target = target;
    std::string error;
    // A NUL is refused by parse_target itself (400 before any handler).
    if (!api::parse_target(target, req, error)) continue;
    const api::Response r = console::serve_console(req);
    CHECK(r.status == 404);
    CHECK(r.body.find("<") == std::string::npos);  // never the app shell or a file
    require_security_headers(r);
  }
  // The same files are there under their canonical paths.
  CHECK(console::serve_console(make_request("/console/assets/app.js")).status == 200);
  CHECK(console::serve_console(make_request("/console/index.html")).status == 200);
  // Outside /console/ this handler serves nothing.
  CHECK(console::serve_console(make_request("/consoles/x")).status == 404);
}

TEST_CASE("serve_console answers 304 without a body when If-None-Match has the ETag", "[console]") {
  const ConsoleAsset& app = asset("/console/assets/app.js");
  const std::string etag(app.etag);
  for (const std::string& inm : {etag, "W/" + etag, "\"nope\", " + etag, "\"a\"," + etag + ",\"b\"", std::string("*")}) {
    INFO(inm);
    const api::Response r = console::serve_console(make_request("/console/assets/app.js", {{"if-none-match", inm}}));
    CHECK(r.status == 304);
    CHECK(r.body.empty());
    CHECK(header(r, "ETag") == etag);
    CHECK(header(r, "Cache-Control") == "no-cache");
    require_security_headers(r);
  }
  for (const std::string& inm : {std::string("\"0000000000000000\""), etag.substr(1, 16), etag.substr(0, 17) + "x\""}) {
    INFO(inm);
    const api::Response r = console::serve_console(make_request("/console/assets/app.js", {{"if-none-match", inm}}));
    CHECK(r.status == 200);
    CHECK(r.body == app.body);
  }
  // Client-side routes revalidate against index.html's tag.
  const ConsoleAsset& index = asset("/console/index.html");
  CHECK(console::serve_console(make_request("/console/hunt?q=x", {{"if-none-match", std::string(index.etag)}})).status ==
        304);
}

TEST_CASE("serve_console sends the gzip copy to clients that accept gzip", "[console]") {
  std::size_t compressed = 0;
  for (const ConsoleAsset& a : console::console_assets()) {
    if (a.gzip_body.empty()) continue;
    ++compressed;
    INFO(a.path);
    const api::Response r =
        console::serve_console(make_request(std::string(a.path), {{"accept-encoding", "gzip, deflate, br"}}));
    REQUIRE(r.status == 200);
    CHECK(header(r, "Content-Encoding") == "gzip");
    CHECK(header(r, "Vary") == "Accept-Encoding");
    CHECK(r.content_type == a.content_type);
    CHECK(r.body == a.gzip_body);
    CHECK(gunzip(r.body) == a.body);
    // Another representation, another strong tag.
    const std::string gz_etag = std::string(a.etag.substr(0, 17)) + "-gzip\"";
    CHECK(header(r, "ETag") == gz_etag);
    const api::Response again = console::serve_console(
        make_request(std::string(a.path), {{"accept-encoding", "gzip"}, {"if-none-match", gz_etag}}));
    CHECK(again.status == 304);
    CHECK(again.body.empty());
  }
  REQUIRE(compressed > 0);  // app.js and index.html compress

  const ConsoleAsset& app = asset("/console/assets/app.js");
  REQUIRE_FALSE(app.gzip_body.empty());
  struct Case {
    const char* accept;
    bool gzip;
  };
  for (const Case& c : {Case{"gzip", true}, Case{"GZIP", true}, Case{"br;q=1.0, gzip;q=0.8", true}, Case{"*", true},
                        Case{"x-gzip", true}, Case{"gzip;q=0", false}, Case{"gzip; q=0.000", false},
                        Case{"*;q=0", false}, Case{"identity", false}, Case{"br, deflate", false},
                        Case{"*, gzip;q=0", false}, Case{"gzipped", false}, Case{"", false}}) {
    INFO(c.accept);
    const api::Response r = console::serve_console(make_request("/console/assets/app.js", {{"accept-encoding", c.accept}}));
    REQUIRE(r.status == 200);
    CHECK(has_header(r, "Content-Encoding") == c.gzip);
    CHECK(r.body == (c.gzip ? app.gzip_body : app.body));
    CHECK(header(r, "Vary") == "Accept-Encoding");
  }
}

TEST_CASE("serve_console answers HEAD like GET and refuses other methods", "[console]") {
  const api::Response get = console::serve_console(make_request("/console/assets/app.js"));
  const api::Response head = console::serve_console(make_request("/console/assets/app.js", {}, "HEAD"));
  CHECK(head.status == 200);
  CHECK(head.body == get.body);  // the HTTP server drops it and keeps its length
  CHECK(head.headers == get.headers);
  const api::Response post = console::serve_console(make_request("/console/", {}, "POST"));
  CHECK(post.status == 405);
  CHECK(header(post, "Allow") == "GET, HEAD");
}

namespace {

// One request on a fresh connection (Connection: close), everything the
// server sends until it closes.
std::string exchange(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

struct WireAnswer {
  std::string head;  // status line and fields, lower-cased field names kept as sent
  std::string body;
};

WireAnswer split(const std::string& raw) {
  const std::size_t end = raw.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  return {raw.substr(0, end + 2), raw.substr(end + 4)};
}

std::string field(const std::string& head, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const std::size_t at = head.find(key);
  if (at == std::string::npos) return "<absent>";
  const std::size_t start = at + key.size();
  return head.substr(start, head.find("\r\n", start) - start);
}

}  // namespace

TEST_CASE("console over HttpServer: HEAD has GET's Content-Length and no body", "[console][http]") {
  test::ServingTestServer server([](const api::Request& r) { return console::serve_console(r); });
  const ConsoleAsset& app = asset("/console/assets/app.js");
  const auto get = split(exchange(server.port(), "GET /console/assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  CHECK(get.head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(get.body == app.body);
  CHECK(field(get.head, "Content-Length") == std::to_string(app.body.size()));
  CHECK(field(get.head, "Cache-Control") == "no-cache");  // the handler's, not the API default no-store
  CHECK(field(get.head, "Content-Security-Policy") == kCsp);
  CHECK(field(get.head, "ETag") == app.etag);

  const auto head = split(exchange(server.port(), "HEAD /console/assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  CHECK(head.head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(field(head.head, "Content-Length") == std::to_string(app.body.size()));
  CHECK(field(head.head, "Content-Type") == "text/javascript; charset=utf-8");
  CHECK(head.body.empty());

  const auto gz = split(exchange(server.port(),
                                 "GET /console/assets/app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
                                 "Connection: close\r\n\r\n"));
  CHECK(field(gz.head, "Content-Encoding") == "gzip");
  CHECK(field(gz.head, "Content-Length") == std::to_string(app.gzip_body.size()));
  CHECK(gunzip(gz.body) == app.body);

  const auto not_modified = split(exchange(server.port(), "GET /console/assets/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: " +
                                                              std::string(app.etag) + "\r\nConnection: close\r\n\r\n"));
  CHECK(not_modified.head.rfind("HTTP/1.1 304", 0) == 0);
  CHECK(not_modified.body.empty());

  const auto redirect = split(exchange(server.port(), "GET /?q=a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  CHECK(redirect.head.rfind("HTTP/1.1 302", 0) == 0);
  CHECK(field(redirect.head, "Location") == "/console/?q=a");
}
