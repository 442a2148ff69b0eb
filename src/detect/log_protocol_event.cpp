// log_protocol_event: see log_protocol_event.hpp.
#include "detect/log_protocol_event.hpp"

#include <charconv>
#include <string_view>

namespace opensoc::detect {
namespace {

std::string_view value_of(const LogEvent& log, std::string_view name) {
  const LogField* f = log.find(name);
  return f != nullptr ? std::string_view(f->value) : std::string_view{};
}

// "http://host:8080/a?b" -> "/a?b": the request-target rules see on the wire.
std::string_view request_target(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  const std::size_t path = url.find('/', scheme + 3);
  return path == std::string_view::npos ? std::string_view("/") : url.substr(path);
}

}  // namespace

bool log_protocol_event(const LogEvent& log, ProtocolEvent& out) {
  if (log.find("dns.question.name") != nullptr) {
    DnsEvent dns;
    for (const LogField& f : log.fields) {
      if (f.name == "dns.question.name" && !f.value.empty()) dns.queries.push_back(DnsQuestionEntry{f.value, 0, 1});
    }
    dns.response = value_of(log, "dns.type") == "answer";
    out.body = std::move(dns);
    out.to_server = true;
    return true;
  }
  const std::string_view url = value_of(log, "url.original");
  const std::string_view host = value_of(log, "url.domain");
  const std::string_view method = value_of(log, "http.request.method");
  const std::string_view ua = value_of(log, "user_agent.original");
  if (!url.empty() || (!host.empty() && !method.empty()) || !ua.empty()) {
    HttpEvent http;
    http.method = std::string(method);
    http.uri = std::string(request_target(url));
    const std::size_t q = http.uri.find('?');
    http.path = http.uri.substr(0, q);
    if (q != std::string::npos) http.query = http.uri.substr(q + 1);
    http.host = std::string(host);
    http.user_agent = std::string(ua);
    http.referrer = std::string(value_of(log, "http.request.referrer"));
    const std::string_view status = value_of(log, "http.response.status_code");
    unsigned code = 0;
    if (!status.empty() && std::from_chars(status.data(), status.data() + status.size(), code).ec == std::errc() &&
        code < 1000) {
      http.has_response = true;
      http.status = static_cast<std::uint16_t>(code);
    }
    out.body = std::move(http);
    out.to_server = true;
    return true;
  }
  const std::string_view sni = value_of(log, "tls.client.server_name");
  const std::string_view ja3 = value_of(log, "tls.client.ja3");
  const std::string_view ja4 = value_of(log, "tls.client.ja4");
  if (!sni.empty() || !ja3.empty() || !ja4.empty()) {
    TlsEvent tls;
    tls.has_client_hello = true;
    tls.sni = std::string(sni);
    tls.ja3 = std::string(ja3);
    tls.ja4 = std::string(ja4);
    out.body = std::move(tls);
    out.to_server = true;
    return true;
  }
  return false;
}

}  // namespace opensoc::detect
