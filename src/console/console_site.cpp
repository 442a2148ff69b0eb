// The web console's HTTP face. The console is a single-page app compiled into
// the binary (tools/embed_console.py writes the asset table at build time);
// this file maps request paths onto that table and adds the caching and
// security headers. Nothing here reads a file, so no request path can reach
// the file system: "/console/assets/…" is an exact table lookup and every
// other "/console/…" path is the same index.html.
//
// Threading: serve_console() is called on the HTTP thread; it reads only
// constant data, so it is safe from any thread.
#include "console/console_site.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "console/console_assets.hpp"

namespace opensoc::console {

const ConsoleAsset* find_console_asset(std::string_view path) noexcept {
  const auto assets = console_assets();
  const auto it = std::lower_bound(assets.begin(), assets.end(), path,
                                   [](const ConsoleAsset& a, std::string_view p) { return a.path < p; });
  if (it == assets.end() || it->path != path) return nullptr;
  return &*it;
}

namespace {

constexpr std::string_view kIndexPath = "/console/index.html";
constexpr std::string_view kAssetsPrefix = "/console/assets/";

// Same-origin only: the console loads nothing from elsewhere and never uses
// inline scripts or styles, so an injected string cannot become code.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(item) for each comma-separated, trimmed, non-empty list item.
template <typename F>
void for_each_list_item(std::string_view list, F&& f) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (!item.empty() && f(item)) return;
  }
}

// True when a qvalue ("0", "0.0", "0.000", "1", "0.5") is zero: RFC 9110
// 12.4.2, q=0 means "not acceptable".
bool is_zero_qvalue(std::string_view q) {
  q = trim(q);
  if (q.empty() || q.front() != '0') return false;
  q.remove_prefix(1);
  if (q.empty()) return true;
  if (q.front() != '.') return false;
  q.remove_prefix(1);
  return std::all_of(q.begin(), q.end(), [](char c) { return c == '0'; });
}

// Whether Accept-Encoding allows gzip: listed (or "*") without q=0.
bool accepts_gzip(std::string_view accept_encoding) {
  int gzip = -1;  // -1 unknown, 0 refused, 1 accepted
  int any = -1;
  for_each_list_item(accept_encoding, [&](std::string_view item) {
    const std::size_t semi = item.find(';');
    const std::string_view coding = trim(item.substr(0, semi));
    bool refused = false;
    std::string_view params = semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
    while (!params.empty()) {
      const std::size_t next = params.find(';');
      const std::string_view param = trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
      if (param.size() >= 2 && lower(param[0]) == 'q' && param[1] == '=') refused = is_zero_qvalue(param.substr(2));
    }
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) gzip = refused ? 0 : 1;
    if (coding == "*") any = refused ? 0 : 1;
    return false;
  });
  if (gzip >= 0) return gzip == 1;
  return any == 1;
}

// If-None-Match against our entity tag, with the weak comparison RFC 9110
// 13.1.2 requires ("W/" ignored); "*" matches any existing representation.
bool none_match_hits(std::string_view if_none_match, std::string_view etag) {
  bool hit = false;
  for_each_list_item(if_none_match, [&](std::string_view tag) {
    if (tag == "*") return hit = true;
    if (tag.size() > 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
    return hit = tag == etag;
  });
  return hit;
}

void add_security_headers(api::Response& r) {
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
}

api::Response plain(int status, std::string body) {
  api::Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  add_security_headers(r);
  // An error is not cached: the next build may have the file.
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// The query string of the raw target, with its '?', or "" — kept on redirects
// so a shared link like "/console?x" survives. Control bytes cannot come
// through the HTTP parser, but a Location header must never carry them.
std::string query_suffix(const std::string& target) {
  const std::size_t q = target.find('?');
  if (q == std::string::npos || q + 1 == target.size()) return {};
  const std::string_view query = std::string_view(target).substr(q);
  const bool clean = std::all_of(query.begin(), query.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f;
  });
  return clean ? std::string(query) : std::string{};
}

api::Response redirect_to_console(const api::Request& request) {
  api::Response r = plain(302, "");
  r.headers.emplace_back("Location", "/console/" + query_suffix(request.target));
  return r;
}

api::Response serve_asset(const ConsoleAsset& asset, const api::Request& request) {
  api::Response r;
  r.content_type = std::string(asset.content_type);
  add_security_headers(r);
  const bool has_gzip = !asset.gzip_body.empty();
  const bool gzip = has_gzip && accepts_gzip(request.header("accept-encoding"));
  // A gzip body is another representation, so a strong tag must differ.
  std::string etag(asset.etag);
  if (gzip && etag.size() >= 2) etag.insert(etag.size() - 1, "-gzip");
  r.headers.emplace_back("ETag", etag);
  // Stable URLs: the browser keeps its copy but asks each time (a cheap 304).
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (has_gzip) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (const std::string_view inm = request.header("if-none-match"); !inm.empty() && none_match_hits(inm, etag)) {
    r.status = 304;
    return r;
  }
  if (gzip) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body.assign(asset.gzip_body);
  } else {
    r.body.assign(asset.body);
  }
  return r;
}

// A path under /console/assets/ that could only be a traversal or a
// non-canonical spelling: such paths are refused outright rather than looked
// up, so the answer does not depend on what the table happens to hold.
bool is_suspicious(std::string_view path) {
  if (path.find("//") != std::string_view::npos || path.find('\\') != std::string_view::npos) return true;
  std::string_view rest = path;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == "..") return true;
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  }
  return false;
}

}  // namespace

api::Response serve_console(const api::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    api::Response r = plain(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const std::string_view path = request.path;
  if (path == "/" || path == "/console") return redirect_to_console(request);
  if (path.rfind("/console/", 0) != 0) return plain(404, "not found\n");
  if (path.rfind(kAssetsPrefix, 0) == 0) {
    const ConsoleAsset* asset = is_suspicious(path) ? nullptr : find_console_asset(path);
    if (asset == nullptr) return plain(404, "no such console file\n");
    return serve_asset(*asset, request);
  }
  // Client-side routes ("/console/hunt") all load the app shell; a real file
  // at the top level (none today besides index.html) is served as itself.
  const ConsoleAsset* asset = is_suspicious(path) ? nullptr : find_console_asset(path);
  if (asset == nullptr) asset = find_console_asset(kIndexPath);
  if (asset == nullptr) return plain(500, "console built without index.html\n");
  return serve_asset(*asset, request);
}

}  // namespace opensoc::console
