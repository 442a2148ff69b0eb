// HttpServer with TLS, checked with the openssl command-line tool as the
// client (an independent implementation): protocol floor, a GET answered over
// TLS 1.2 and 1.3, client certificates (verified subject and fingerprint to
// the handler; missing or foreign ones refused), certificate reload on SIGHUP
// with a bad file keeping the old one, and the handshake deadline.
// Certificates are made per test run in a temporary directory.
#include "http/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <catch2/catch.hpp>

using namespace opensoc;
namespace fs = std::filesystem;

namespace {

struct Run {
  int status = -1;
  std::string out;
};

// Runs a shell command (always under `timeout`), capturing stdout.
Run run(const std::string& cmd) {
  Run r;
  FILE* p = ::popen(("timeout 20 " + cmd).c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "opensoc-tls-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void self_signed(const std::string& cert, const std::string& key, const std::string& subject) {
  const Run r = run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj '" + subject +
                    "' -keyout " + key + " -out " + cert + " 2>/dev/null");
  REQUIRE(r.status == 0);
}

// A client certificate signed by the CA in ca_cert/ca_key.
void signed_by(const std::string& ca_cert, const std::string& ca_key, const std::string& cert,
               const std::string& key, const std::string& subject) {
  const std::string csr = cert + ".csr";
  REQUIRE(run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '" + subject +
              "' -keyout " + key + " -out " + csr + " 2>/dev/null")
              .status == 0);
  REQUIRE(run("openssl x509 -req -in " + csr + " -CA " + ca_cert + " -CAkey " + ca_key +
              " -CAcreateserial -days 1 -out " + cert + " 2>/dev/null")
              .status == 0);
}

// "AB:CD:…" as printed by `openssl x509 -fingerprint` → "abcd…".
std::string lower_hex(const std::string& colon_hex) {
  std::string out;
  for (const char c : colon_hex) {
    if (c == ':' || c == '\n') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string file_fingerprint(const std::string& cert) {
  const Run r = run("openssl x509 -in " + cert + " -noout -fingerprint -sha256");
  REQUIRE(r.status == 0);
  return lower_hex(r.out.substr(r.out.find('=') + 1));
}

// The fingerprint of the certificate the server presents.
std::string served_fingerprint(std::uint16_t port) {
  const Run r = run("sh -c 'openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                    " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256'");
  if (r.status != 0) return "";
  return lower_hex(r.out.substr(r.out.find('=') + 1));
}

// One HTTP/1.0 GET through openssl s_client; the whole output (the HTTP
// answer follows the handshake chatter when -quiet is not given, so -quiet).
Run tls_get(std::uint16_t port, const std::string& options) {
  return run("sh -c \"printf 'GET /hello HTTP/1.0\\r\\n\\r\\n' | openssl s_client -quiet -connect 127.0.0.1:" +
             std::to_string(port) + " " + options + " 2>/dev/null\"");
}

struct Seen {
  std::mutex mu;
  int calls = 0;
  bool tls = false;
  std::string subject;
  std::string sha256;
};

class TlsServer {
 public:
  TlsServer(http::HttpTlsConfig tls, Seen& seen, std::uint32_t timeout_s = 10) {
    http::HttpConfig config;
    config.listen_address = "127.0.0.1";
    config.listen_port = 0;
    config.request_timeout_s = timeout_s;
    config.tls = std::move(tls);
    config.tls.enabled = true;
    auto started = http::HttpServer::start(config, [&seen](const api::Request& r) {
      std::lock_guard lock(seen.mu);
      ++seen.calls;
      seen.tls = r.tls;
      seen.subject = r.client_cert_subject;
      seen.sha256 = r.client_cert_sha256;
      api::Response resp;
      resp.content_type = "text/plain";
      resp.body = "hello over tls\n";
      return resp;
    });
    REQUIRE(started.has_value());
    server_ = std::move(*started);
    server_->on_hangup([this] {
      auto reloaded = server_->reload_tls();
      std::lock_guard lock(mu_);
      reload_error_ = reloaded ? "" : reloaded.error().message;
      ++reloads_;
    });
    thread_ = std::thread([this] { server_->serve_until_signal(); });
  }
  ~TlsServer() {
    server_->stop();
    thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const { return server_->port(); }

  // Sends SIGHUP to this process and waits for the reload to have run.
  std::string hangup_and_reload() {
    int before;
    {
      std::lock_guard lock(mu_);
      before = reloads_;
    }
    ::kill(::getpid(), SIGHUP);
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mu_);
        if (reloads_ > before) return reload_error_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("reload did not run");
    return "";
  }

 private:
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  std::mutex mu_;
  int reloads_ = 0;
  std::string reload_error_;
};

}  // namespace

TEST_CASE("the TLS listener answers over TLS 1.2 and 1.3 and refuses 1.0 and 1.1", "[http][tls]") {
  TempDir dir;
  self_signed(dir.file("cert.pem"), dir.file("key.pem"), "/CN=localhost");
  Seen seen;
  TlsServer server({true, dir.file("cert.pem"), dir.file("key.pem"), "", false}, seen);

  for (const std::string version : {"-tls1_2", "-tls1_3"}) {
    INFO(version);
    const Run r = tls_get(server.port(), version);
    CHECK(r.out.find("HTTP/1.1 200 OK\r\n") == 0);
    CHECK(r.out.find("hello over tls\n") != std::string::npos);
  }
  {
    std::lock_guard lock(seen.mu);
    CHECK(seen.calls == 2);
    CHECK(seen.tls);
    CHECK(seen.subject.empty());  // no client CA: nothing verified, nothing passed on
  }
  for (const std::string version : {"-tls1", "-tls1_1"}) {
    INFO(version);
    const Run r = tls_get(server.port(), version + " -cipher DEFAULT@SECLEVEL=0");
    CHECK(r.status != 0);
    CHECK(r.out.find("HTTP/") == std::string::npos);
  }
  // A TLS 1.2 client offering only CBC suites finds nothing it can use.
  CHECK(tls_get(server.port(), "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256").out.find("HTTP/") == std::string::npos);
  std::lock_guard lock(seen.mu);
  CHECK(seen.calls == 2);
}

TEST_CASE("plain HTTP to the TLS port gets no HTTP answer", "[http][tls]") {
  TempDir dir;
  self_signed(dir.file("cert.pem"), dir.file("key.pem"), "/CN=localhost");
  Seen seen;
  TlsServer server({true, dir.file("cert.pem"), dir.file("key.pem"), "", false}, seen);
  const Run r = run("curl -s -m 5 http://127.0.0.1:" + std::to_string(server.port()) + "/hello");
  CHECK(r.status != 0);
  CHECK(r.out.find("hello") == std::string::npos);
  std::lock_guard lock(seen.mu);
  CHECK(seen.calls == 0);
}

TEST_CASE("bad certificate or key files fail start with the file and OpenSSL's reason", "[http][tls]") {
  TempDir dir;
  self_signed(dir.file("a.pem"), dir.file("a.key"), "/CN=a");
  self_signed(dir.file("b.pem"), dir.file("b.key"), "/CN=b");
  std::ofstream(dir.file("junk.pem")) << "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
  const auto start = [](const std::string& cert, const std::string& key) {
    http::HttpConfig config;
    config.listen_port = 0;
    config.tls = {true, cert, key, "", false};
    return http::HttpServer::start(config, [](const api::Request&) { return api::Response{}; });
  };
  const auto mismatch = start(dir.file("a.pem"), dir.file("b.key"));
  REQUIRE_FALSE(mismatch.has_value());
  CHECK_THAT(mismatch.error().message, Catch::Contains("does not match") && Catch::Contains(dir.file("b.key")) &&
                                           Catch::Contains("values mismatch"));
  const auto junk = start(dir.file("junk.pem"), dir.file("a.key"));
  REQUIRE_FALSE(junk.has_value());
  CHECK_THAT(junk.error().message, Catch::Contains(dir.file("junk.pem")) && Catch::Contains("PEM"));
  const auto missing = start(dir.file("nope.pem"), dir.file("a.key"));
  REQUIRE_FALSE(missing.has_value());
  CHECK_THAT(missing.error().message, Catch::Contains(dir.file("nope.pem")));
  const auto good = start(dir.file("a.pem"), dir.file("a.key"));
  CHECK(good.has_value());
}

TEST_CASE("a client certificate signed by the client CA reaches the handler; others are refused", "[http][tls]") {
  TempDir dir;
  self_signed(dir.file("cert.pem"), dir.file("key.pem"), "/CN=localhost");
  self_signed(dir.file("ca.pem"), dir.file("ca.key"), "/CN=Test Client CA");
  signed_by(dir.file("ca.pem"), dir.file("ca.key"), dir.file("alice.pem"), dir.file("alice.key"),
            "/O=Example/CN=alice");
  self_signed(dir.file("mallory.pem"), dir.file("mallory.key"), "/O=Example/CN=alice");
  const std::string alice = " -cert " + dir.file("alice.pem") + " -key " + dir.file("alice.key");
  const std::string mallory = " -cert " + dir.file("mallory.pem") + " -key " + dir.file("mallory.key");

  SECTION("required") {
    Seen seen;
    TlsServer server({true, dir.file("cert.pem"), dir.file("key.pem"), dir.file("ca.pem"), true}, seen);
    for (const std::string version : {"-tls1_2", "-tls1_3"}) {
      INFO(version);
      const Run ok = tls_get(server.port(), version + alice);
      CHECK(ok.out.find("HTTP/1.1 200 OK\r\n") == 0);
      std::lock_guard lock(seen.mu);
      CHECK(seen.subject == "CN=alice,O=Example");
      CHECK(seen.sha256 == file_fingerprint(dir.file("alice.pem")));
      CHECK(seen.sha256.size() == 64);
      seen.subject.clear();
    }
    CHECK(tls_get(server.port(), "-tls1_3").out.find("HTTP/") == std::string::npos);
    CHECK(tls_get(server.port(), "-tls1_2").out.find("HTTP/") == std::string::npos);
    CHECK(tls_get(server.port(), "-tls1_3" + mallory).out.find("HTTP/") == std::string::npos);
    CHECK(tls_get(server.port(), "-tls1_2" + mallory).out.find("HTTP/") == std::string::npos);
    std::lock_guard lock(seen.mu);
    CHECK(seen.calls == 2);
  }
  SECTION("optional") {
    Seen seen;
    TlsServer server({true, dir.file("cert.pem"), dir.file("key.pem"), dir.file("ca.pem"), false}, seen);
    CHECK(tls_get(server.port(), "-tls1_3").out.find("HTTP/1.1 200 OK\r\n") == 0);
    {
      std::lock_guard lock(seen.mu);
      CHECK(seen.calls == 1);
      CHECK(seen.subject.empty());
      CHECK(seen.sha256.empty());
    }
    CHECK(tls_get(server.port(), "-tls1_3" + alice).out.find("HTTP/1.1 200 OK\r\n") == 0);
    {
      std::lock_guard lock(seen.mu);
      CHECK(seen.subject == "CN=alice,O=Example");
    }
    // A certificate that does not verify is still a refusal, not "no certificate".
    CHECK(tls_get(server.port(), "-tls1_3" + mallory).out.find("HTTP/") == std::string::npos);
    std::lock_guard lock(seen.mu);
    CHECK(seen.calls == 2);
  }
}

TEST_CASE("reload_tls on SIGHUP serves the new certificate; a bad file keeps the old one", "[http][tls]") {
  TempDir dir;
  self_signed(dir.file("cert.pem"), dir.file("key.pem"), "/CN=first");
  self_signed(dir.file("next.pem"), dir.file("next.key"), "/CN=second");
  const std::string first = file_fingerprint(dir.file("cert.pem"));
  const std::string second = file_fingerprint(dir.file("next.pem"));
  REQUIRE(first != second);
  Seen seen;
  TlsServer server({true, dir.file("cert.pem"), dir.file("key.pem"), "", false}, seen);
  CHECK(served_fingerprint(server.port()) == first);

  fs::copy_file(dir.file("next.pem"), dir.file("cert.pem"), fs::copy_options::overwrite_existing);
  fs::copy_file(dir.file("next.key"), dir.file("key.pem"), fs::copy_options::overwrite_existing);
  CHECK(server.hangup_and_reload().empty());
  CHECK(served_fingerprint(server.port()) == second);

  std::ofstream(dir.file("cert.pem"), std::ios::trunc) << "garbage\n";
  const std::string error = server.hangup_and_reload();
  CHECK_THAT(error, Catch::Contains(dir.file("cert.pem")) && Catch::Contains("keeping the previous"));
  CHECK(served_fingerprint(server.port()) == second);
  CHECK(tls_get(server.port(), "-tls1_2").out.find("HTTP/1.1 200 OK\r\n") == 0);
}

TEST_CASE("a TLS handshake that never comes is dropped after request_timeout_s", "[http][tls]") {
  TempDir dir;
  self_signed(dir.file("cert.pem"), dir.file("key.pem"), "/CN=localhost");
  Seen seen;
  TlsServer server({true, dir.file("cert.pem"), dir.file("key.pem"), "", false}, seen, 2);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(server.port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  // Half a ClientHello record header, then silence.
  REQUIRE(::send(fd, "\x16\x03\x01", 3, MSG_NOSIGNAL) == 3);
  const auto t0 = std::chrono::steady_clock::now();
  char c;
  const ssize_t n = ::recv(fd, &c, 1, 0);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(fd);
  CHECK(n <= 0);
  CHECK(elapsed >= 1.5);
  CHECK(elapsed < 4.0);
}
