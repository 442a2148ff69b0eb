// log_loadgen: the load generator of the telemetry benchmark
// (bench/telemetry_bench.sh). Sends realistic syslog RFC 5424 messages,
// Suricata EVE JSON lines or NetFlow v9 export datagrams as fast as the
// socket takes them, or at a fixed rate:
//
//   log_loadgen --udp|--tcp HOST:PORT --format rfc5424|eve|netflow9 --count N
//               [--rate R] [--connections C] [--framing octet|newline]
//               [--seed S] [--template-every D]
//   log_loadgen --out FILE --format rfc5424|eve|netflow9 --count N   (no socket:
//               lines, or NetFlow datagrams each after a 2-byte big-endian length)
//
// N counts messages (syslog, EVE) or flow records (NetFlow: 30 per data
// datagram, each exporter socket sends its template first and again every D
// data datagrams). R is messages (records) per second over all connections,
// 0 = as fast as possible. C connections (TCP) or sockets (UDP, one source
// port = one exporter each) each send an equal, contiguous share, each on a
// thread of its own. TCP frames RFC 5424 with octet counting (RFC 6587 3.4.1)
// and EVE with a newline; UDP carries one message per datagram, sent in
// batches with sendmmsg.
//
// Every message carries its sequence number (syslog: [meta sequenceId="n"],
// n from 1; EVE: flow_id = 1000000000000 + n) so a receiver can tell which
// were lost. Fields vary the way a real site's do: a few hundred hosts, a
// dozen programs with their own message shapes, users, internal and external
// addresses, structured data (with escapes now and then); EVE is a dns / http
// / tls / flow mixture shaped as Suricata 7 writes it.
//
// Prints one line: sent=N datagrams=D bytes=B elapsed_s=T rate=R (R per
// second over the wall time from the first to the last send). Exit 2 on bad
// arguments, 1 when the peer cannot be reached or a send fails.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

enum class Format { rfc5424, eve, netflow9 };
enum class Transport { udp, tcp, file };
enum class Framing { automatic, octet, newline };

struct Options {
  Transport transport = Transport::udp;
  std::string target;  // HOST:PORT or FILE
  Format format = Format::rfc5424;
  std::uint64_t count = 0;
  double rate = 0;
  unsigned connections = 1;
  Framing framing = Framing::automatic;
  std::uint64_t seed = 1;
  unsigned template_every = 64;
};

// xoshiro256**: fast, and good enough that field mixtures look random.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& s : s_) {  // splitmix64 expands the seed
      seed += 0x9e3779b97f4a7c15ull;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      s = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32); }
  bool percent(unsigned p) { return below(100) < p; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& a) {
    return a[below(N)];
  }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(static_cast<std::uint32_t>(v.size()))];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

// An append-only text buffer that never reallocates while messages are built
// (reserved once per batch size).
class Text {
 public:
  void clear() { s_.clear(); }
  [[nodiscard]] std::size_t size() const { return s_.size(); }
  [[nodiscard]] const std::string& str() const { return s_; }
  std::string& raw() { return s_; }
  Text& operator<<(std::string_view v) {
    s_.append(v);
    return *this;
  }
  Text& operator<<(char c) {
    s_.push_back(c);
    return *this;
  }
  // Numbers print as decimal text, never as a char.
  Text& operator<<(unsigned v) { return num(v); }
  Text& operator<<(unsigned long v) { return num(v); }
  Text& num(std::uint64_t v) {
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, v);
    s_.append(b, r.ptr);
    return *this;
  }
  Text& num_pad(std::uint64_t v, int width) {
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, v);
    for (int i = static_cast<int>(r.ptr - b); i < width; ++i) s_.push_back('0');
    s_.append(b, r.ptr);
    return *this;
  }
  Text& hex(std::uint64_t v, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i) s_.push_back(kHex[(v >> (4 * i)) & 0xf]);
    return *this;
  }
  Text& ip4(std::uint32_t a) {
    num(a >> 24) << '.';
    num((a >> 16) & 0xff) << '.';
    num((a >> 8) & 0xff) << '.';
    return num(a & 0xff);
  }

 private:
  std::string s_;
};

// Wall-clock text, the date part formatted once per second.
class WallClock {
 public:
  struct Now {
    std::int64_t sec;
    std::int64_t usec;
  };
  Now now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec_) {
      cached_sec_ = ts.tv_sec;
      tm t{};
      gmtime_r(&ts.tv_sec, &t);
      char b[64];
      std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &t);
      iso_ = b;
      std::strftime(b, sizeof b, "%d/%b/%Y:%H:%M:%S", &t);
      clf_ = b;
    }
    return {ts.tv_sec, ts.tv_nsec / 1000};
  }
  /// 2026-11-28T17:33:45 (UTC) of the last now().
  [[nodiscard]] std::string_view iso() const { return iso_; }
  /// 28/Nov/2026:17:33:45 (access-log form) of the last now().
  [[nodiscard]] std::string_view clf() const { return clf_; }

 private:
  std::int64_t cached_sec_ = -1;
  std::string iso_;
  std::string clf_;
};

constexpr std::array<std::string_view, 16> kUsers = {"alice", "bob", "carol", "dave", "erin", "frank", "root",
                                                     "admin", "postgres", "www-data", "deploy", "jenkins",
                                                     "oracle", "svc-backup", "ubuntu", "mallory"};
constexpr std::array<std::string_view, 12> kPaths = {
    "/",          "/index.html",       "/api/v1/items", "/api/v1/login",    "/static/app.js", "/wp-login.php",
    "/cart/add",  "/images/logo.png", "/health",       "/search?q=shoes", "/admin/",        "/favicon.ico"};
constexpr std::array<std::string_view, 6> kAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "curl/7.88.1",
    "python-requests/2.28.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Go-http-client/1.1"};
constexpr std::array<std::string_view, 14> kDomains = {
    "www.example.com",   "api.example.com",        "mail.example.org", "cdn.jsdelivr.net",
    "www.google.com",    "login.microsoftonline.com", "github.com",     "update.debian.org",
    "s3.amazonaws.com",  "telemetry.vendor.io",    "x9k2.badcdn.xyz",  "time.cloudflare.com",
    "outlook.office365.com", "registry.npmjs.org"};
constexpr std::array<int, 8> kStatus = {200, 200, 200, 200, 301, 304, 404, 500};
constexpr std::array<std::string_view, 4> kMethods = {"GET", "GET", "POST", "HEAD"};

std::uint32_t internal_ip(Rng& r) { return (10u << 24) | (r.below(4) << 16) | (r.below(256) << 8) | (1 + r.below(254)); }
std::uint32_t external_ip(Rng& r) {
  // Public-looking unicast: first octet 1..223 without 10 and 127.
  std::uint32_t a = 1 + r.below(223);
  if (a == 10 || a == 127) a = 198;
  return (a << 24) | (r.below(256) << 16) | (r.below(256) << 8) | (1 + r.below(254));
}
std::uint32_t any_ip(Rng& r) { return r.percent(60) ? internal_ip(r) : external_ip(r); }
std::uint16_t ephemeral_port(Rng& r) { return static_cast<std::uint16_t>(32768 + r.below(28000)); }

// ---- RFC 5424 ---------------------------------------------------------------

class Rfc5424Generator {
 public:
  explicit Rfc5424Generator(std::uint64_t seed) : rng_(seed) {
    constexpr std::array<std::string_view, 10> roles = {"web", "db", "mail", "fw", "dns", "app", "lb", "vpn", "k8s-node", "nas"};
    for (int i = 0; i < 240; ++i) {
      std::string h(roles[static_cast<std::size_t>(i) % roles.size()]);
      h += '-';
      h += std::to_string(i / 10 + 1);
      if (i % 3 == 0) h += ".dc1.example.org";
      hosts_.push_back(std::move(h));
    }
  }

  /// Appends one message (no framing) with sequenceId `seq`.
  void make(std::uint64_t seq, Text& t) {
    WallClock::Now now = clock_.now();
    const std::size_t host = rng_.below(static_cast<std::uint32_t>(hosts_.size()));
    const unsigned app = rng_.below(100);
    struct App {
      std::string_view name;
      int facility;
      std::string_view msgid;
    };
    // Weights: sshd 20, sudo 5, nginx 20, postfix 10, kernel 15, CRON 5, systemd 10, haproxy 10, named 5.
    static constexpr std::array<App, 9> kApps = {{{"sshd", 10, "-"},
                                                  {"sudo", 10, "-"},
                                                  {"nginx", 23, "ACCESS"},
                                                  {"postfix/smtpd", 2, "-"},
                                                  {"kernel", 0, "-"},
                                                  {"CRON", 9, "-"},
                                                  {"systemd", 3, "-"},
                                                  {"haproxy", 16, "-"},
                                                  {"named", 3, "QUERY"}}};
    static constexpr std::array<unsigned, 9> kCumulative = {20, 25, 45, 55, 70, 75, 85, 95, 100};
    std::size_t a = 0;
    while (app >= kCumulative[a]) ++a;
    const App& ap = kApps[a];
    int severity = 6;
    if (a == 4) severity = 4;
    if (a == 0 && rng_.percent(40)) severity = 5;
    if (a == 6 && rng_.percent(20)) severity = 3;

    t << '<';
    t.num(static_cast<std::uint64_t>(ap.facility * 8 + severity));
    t << ">1 " << clock_.iso() << '.';
    t.num_pad(static_cast<std::uint64_t>(now.usec), 6);
    t << "Z " << hosts_[host] << ' ' << ap.name << ' ';
    if (a == 4) {
      t << '-';
    } else {
      t.num(1000 + (host * 7919 + a * 104729) % 60000);
    }
    t << ' ' << ap.msgid << ' ';
    t << "[meta sequenceId=\"";
    t.num(seq);
    t << "\"]";
    if (rng_.percent(30)) {
      t << "[origin ip=\"";
      t.ip4(internal_ip(rng_));
      t << "\" software=\"rsyslogd\" swVersion=\"8.2302.0\"]";
    }
    if (rng_.percent(15)) {
      t << "[exampleSDID@32473 iut=\"";
      t.num(rng_.below(9) + 1);
      t << "\" eventSource=\"Application\" eventID=\"";
      t.num(1000 + rng_.below(50));
      t << "\"]";
    }
    if (rng_.percent(2)) t << "[escape@32473 path=\"C:\\\\Temp\\\\x\" quote=\"say \\\"hi\\\"\" bracket=\"a\\]b\"]";
    t << ' ';
    body(a, now, t);
  }

 private:
  void body(std::size_t app, const WallClock::Now& now, Text& t) {
    std::string_view user = rng_.pick(kUsers);
    switch (app) {
      case 0: {  // sshd
        const unsigned k = rng_.below(5);
        std::uint32_t ip = rng_.percent(50) ? external_ip(rng_) : internal_ip(rng_);
        if (k == 0) {
          t << "Accepted publickey for " << user << " from ";
          t.ip4(ip) << " port ";
          t.num(ephemeral_port(rng_)) << " ssh2: ED25519 SHA256:";
          t.hex(rng_.next(), 16).hex(rng_.next(), 16);
        } else if (k == 1) {
          t << "Accepted password for " << user << " from ";
          t.ip4(ip) << " port ";
          t.num(ephemeral_port(rng_)) << " ssh2";
        } else if (k == 2) {
          t << "Failed password for " << user << " from ";
          t.ip4(ip) << " port ";
          t.num(ephemeral_port(rng_)) << " ssh2";
        } else if (k == 3) {
          t << "Failed password for invalid user " << user << rng_.below(100) << " from ";
          t.ip4(ip) << " port ";
          t.num(ephemeral_port(rng_)) << " ssh2";
        } else {
          t << "Connection closed by authenticating user " << user << ' ';
          t.ip4(ip) << " port ";
          t.num(ephemeral_port(rng_)) << " [preauth]";
        }
        break;
      }
      case 1:  // sudo
        t << user << " : TTY=pts/";
        t.num(rng_.below(8)) << " ; PWD=/home/" << user << " ; USER=root ; COMMAND=/usr/bin/systemctl restart "
                             << (rng_.percent(50) ? "nginx" : "postgresql");
        break;
      case 2: {  // nginx access log
        t.ip4(any_ip(rng_)) << " - - [" << clock_.clf() << " +0000] \"" << rng_.pick(kMethods) << ' '
                            << rng_.pick(kPaths) << " HTTP/1.1\" ";
        t.num(static_cast<std::uint64_t>(rng_.pick(kStatus))) << ' ';
        t.num(rng_.below(50000)) << " \"-\" \"" << rng_.pick(kAgents) << '"';
        break;
      }
      case 3: {  // postfix
        const unsigned k = rng_.below(3);
        std::uint32_t ip = external_ip(rng_);
        if (k == 0) {
          t << "connect from unknown[";
          t.ip4(ip) << ']';
        } else if (k == 1) {
          t.hex(rng_.next(), 10) << ": client=mx" << rng_.below(20) << ".mail.example.net[";
          t.ip4(ip) << "]";
        } else {
          t << "NOQUEUE: reject: RCPT from unknown[";
          t.ip4(ip) << "]: 554 5.7.1 <" << user << "@example.org>: Relay access denied; from=<spam"
                    << rng_.below(1000) << "@bulk.example> to=<" << user << "@example.org> proto=ESMTP helo=<x>";
        }
        break;
      }
      case 4: {  // kernel firewall
        const bool tcp = rng_.percent(80);
        t << "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=";
        t.ip4(external_ip(rng_)) << " DST=";
        t.ip4(internal_ip(rng_)) << " LEN=";
        t.num(40 + rng_.below(1400)) << " TOS=0x00 PREC=0x00 TTL=";
        t.num(30 + rng_.below(34)) << " ID=";
        t.num(rng_.below(65536)) << (tcp ? " DF PROTO=TCP SPT=" : " PROTO=UDP SPT=");
        t.num(ephemeral_port(rng_)) << " DPT=";
        static constexpr std::array<unsigned, 8> kPorts = {22, 23, 445, 3389, 8080, 1433, 5900, 161};
        t.num(rng_.pick(kPorts));
        if (tcp) {
          t << " WINDOW=";
          t.num(1024 + rng_.below(64000)) << " RES=0x00 SYN URGP=0";
        } else {
          t << " LEN=";
          t.num(8 + rng_.below(200));
        }
        break;
      }
      case 5:  // cron
        t << '(' << user << ") CMD (" << (rng_.percent(50) ? "/usr/lib/php/sessionclean" : "run-parts /etc/cron.hourly")
          << ')';
        break;
      case 6:  // systemd
        if (rng_.percent(80)) {
          t << "Started Session ";
          t.num(rng_.below(100000)) << " of User " << user << '.';
        } else {
          t << "nginx.service: Main process exited, code=exited, status=1/FAILURE";
        }
        break;
      case 7: {  // haproxy http log
        t.ip4(any_ip(rng_)) << ':';
        t.num(ephemeral_port(rng_)) << " [" << clock_.clf() << '.';
        t.num_pad(static_cast<std::uint64_t>(now.usec / 1000), 3) << "] fe_https~ be_app/app-";
        t.num_pad(rng_.below(8) + 1, 2) << " 0/0/1/";
        t.num(rng_.below(300)) << '/';
        t.num(rng_.below(300) + 1) << ' ';
        t.num(static_cast<std::uint64_t>(rng_.pick(kStatus))) << ' ';
        t.num(rng_.below(90000)) << " - - ---- 12/12/3/1/0 0/0 \"" << rng_.pick(kMethods) << ' ' << rng_.pick(kPaths)
                                 << " HTTP/1.1\"";
        break;
      }
      default: {  // named query log
        std::string_view d = rng_.pick(kDomains);
        t << "client @0x7f";
        t.hex(rng_.next(), 10) << ' ';
        t.ip4(internal_ip(rng_)) << '#';
        t.num(ephemeral_port(rng_)) << " (" << d << "): query: " << d << " IN " << (rng_.percent(70) ? "A" : "AAAA")
                                    << " +E(0) (10.0.0.53)";
        break;
      }
    }
  }

  Rng rng_;
  WallClock clock_;
  std::vector<std::string> hosts_;
};

// ---- Suricata EVE -----------------------------------------------------------

class EveGenerator {
 public:
  explicit EveGenerator(std::uint64_t seed) : rng_(seed) {}

  /// Appends one EVE line (no newline); flow_id = 1e12 + seq.
  void make(std::uint64_t seq, Text& t) {
    WallClock::Now now = clock_.now();
    const unsigned k = rng_.below(100);
    const std::uint32_t client = internal_ip(rng_);
    const std::uint16_t cport = ephemeral_port(rng_);
    std::uint32_t server = k < 40 ? (rng_.percent(70) ? 0x0a000035u : 0x08080808u) : external_ip(rng_);
    std::uint16_t sport = k < 40 ? 53 : (k < 60 ? 80 : 443);
    const char* proto = k < 40 ? "UDP" : "TCP";
    if (k >= 80 && rng_.percent(25)) {  // flow records of other services
      sport = static_cast<std::uint16_t>(rng_.percent(50) ? 22 : 123);
      proto = sport == 123 ? "UDP" : "TCP";
    }
    const bool answer = k < 40 && rng_.percent(50);
    std::uint32_t src = client, dst = server;
    std::uint16_t sp = cport, dp = sport;
    if (answer) {
      std::swap(src, dst);
      std::swap(sp, dp);
    }
    t << "{\"timestamp\":\"" << clock_.iso() << '.';
    t.num_pad(static_cast<std::uint64_t>(now.usec), 6) << "+0000\",\"flow_id\":";
    t.num(1000000000000ull + seq) << ",\"in_iface\":\"eth0\",\"event_type\":\""
                                  << (k < 40 ? "dns" : k < 60 ? "http" : k < 80 ? "tls" : "flow")
                                  << "\",\"src_ip\":\"";
    t.ip4(src) << "\",\"src_port\":";
    t.num(sp) << ",\"dest_ip\":\"";
    t.ip4(dst) << "\",\"dest_port\":";
    t.num(dp) << ",\"proto\":\"" << proto << '"';
    std::string_view domain = rng_.pick(kDomains);
    if (k < 40) {
      const unsigned id = rng_.below(65536);
      if (!answer) {
        t << ",\"dns\":{\"type\":\"query\",\"id\":";
        t.num(id) << ",\"rrname\":\"" << domain << "\",\"rrtype\":\"A\",\"tx_id\":0,\"opcode\":0}";
      } else {
        const std::uint32_t a = external_ip(rng_);
        t << ",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":";
        t.num(id) << ",\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rrname\":\"" << domain
                  << "\",\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"" << domain
                  << "\",\"rrtype\":\"A\",\"ttl\":";
        t.num(rng_.below(3600)) << ",\"rdata\":\"";
        t.ip4(a) << "\"}],\"grouped\":{\"A\":[\"";
        t.ip4(a) << "\"]}}";
      }
    } else if (k < 60) {
      t << ",\"tx_id\":0,\"http\":{\"hostname\":\"" << domain << "\",\"url\":\"" << rng_.pick(kPaths)
        << "\",\"http_user_agent\":\"" << rng_.pick(kAgents)
        << "\",\"http_content_type\":\"text/html\",\"http_method\":\"" << rng_.pick(kMethods)
        << "\",\"protocol\":\"HTTP/1.1\",\"status\":";
      t.num(static_cast<std::uint64_t>(rng_.pick(kStatus))) << ",\"length\":";
      t.num(rng_.below(100000)) << '}';
    } else if (k < 80) {
      t << ",\"tls\":{\"subject\":\"CN=" << domain << "\",\"issuerdn\":\"C=US, O=Let's Encrypt, CN=R3\",\"serial\":\"";
      for (int i = 0; i < 8; ++i) {
        if (i) t << ':';
        t.hex(rng_.below(256), 2);
      }
      t << "\",\"fingerprint\":\"";
      for (int i = 0; i < 20; ++i) {
        if (i) t << ':';
        t.hex(rng_.below(256), 2);
      }
      t << "\",\"sni\":\"" << domain << "\",\"version\":\"" << (rng_.percent(70) ? "TLS 1.3" : "TLS 1.2")
        << "\",\"notbefore\":\"2026-10-01T00:00:00\",\"notafter\":\"2026-12-30T23:59:59\",\"ja3\":{\"hash\":\"";
      t.hex(rng_.next(), 16).hex(rng_.next(), 16);
      t << "\",\"string\":\"771,4865-4866-4867-49195-49199,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0\"},"
           "\"ja3s\":{\"hash\":\"";
      t.hex(rng_.next(), 16).hex(rng_.next(), 16);
      t << "\",\"string\":\"771,4865,51-43\"}}";
    } else {
      const std::uint64_t pts = 1 + rng_.below(200), ptc = rng_.below(300);
      const std::int64_t age = rng_.below(120);
      t << ",\"app_proto\":\"" << (sport == 443 ? "tls" : sport == 22 ? "ssh" : sport == 123 ? "ntp" : "failed")
        << "\",\"flow\":{\"pkts_toserver\":";
      t.num(pts) << ",\"pkts_toclient\":";
      t.num(ptc) << ",\"bytes_toserver\":";
      t.num(pts * (60 + rng_.below(1400))) << ",\"bytes_toclient\":";
      t.num(ptc * (60 + rng_.below(1400))) << ",\"start\":\"" << clock_.iso() << ".000000+0000\",\"end\":\""
                                           << clock_.iso() << '.';
      t.num_pad(static_cast<std::uint64_t>(now.usec), 6) << "+0000\",\"age\":";
      t.num(static_cast<std::uint64_t>(age))
          << ",\"state\":\"closed\",\"reason\":\"timeout\",\"alerted\":false}";
      if (proto[0] == 'T')
        t << ",\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"1b\",\"syn\":true,\"fin\":true,"
             "\"psh\":true,\"ack\":true,\"state\":\"closed\"}";
    }
    t << '}';
  }

 private:
  Rng rng_;
  WallClock clock_;
};

// ---- NetFlow v9 (RFC 3954) --------------------------------------------------

class Netflow9Generator {
 public:
  static constexpr std::uint16_t kTemplateId = 256;
  static constexpr unsigned kRecordsPerDatagram = 30;

  Netflow9Generator(std::uint64_t seed, std::uint32_t source_id) : rng_(seed), source_id_(source_id) {
    start_ = std::chrono::steady_clock::now();
  }

  /// Appends a datagram holding only the template FlowSet.
  void make_template(Text& t) {
    header(t, 1);
    const std::size_t set = t.size();
    put16(t, 0);  // FlowSet id 0: templates
    put16(t, 0);  // length, patched below
    put16(t, kTemplateId);
    put16(t, static_cast<std::uint16_t>(kFields.size()));
    for (const auto& f : kFields) {
      put16(t, f[0]);
      put16(t, f[1]);
    }
    patch16(t, set + 2, static_cast<std::uint16_t>(t.size() - set));
  }

  /// Appends a datagram with one data FlowSet of `n` records.
  void make_data(unsigned n, Text& t) {
    header(t, n);
    const std::size_t set = t.size();
    put16(t, kTemplateId);
    put16(t, 0);
    const std::uint32_t up = uptime_ms();
    for (unsigned i = 0; i < n; ++i) {
      const unsigned kind = rng_.below(100);
      const std::uint8_t proto = kind < 60 ? 6 : (kind < 97 ? 17 : 1);
      static constexpr std::array<std::uint16_t, 10> kPorts = {443, 443, 443, 80, 53, 22, 25, 123, 3389, 8080};
      std::uint16_t dport = proto == 1 ? 0 : rng_.pick(kPorts);
      if (proto == 17 && dport != 53 && dport != 123) dport = 53;
      if (proto == 6 && (dport == 53 || dport == 123)) dport = 443;
      const std::uint16_t sport = proto == 1 ? 0 : ephemeral_port(rng_);
      const std::uint32_t pkts = 1 + rng_.below(proto == 6 ? 2000 : 10);
      const std::uint32_t bytes = pkts * (40 + rng_.below(1460));
      const std::uint32_t last = up - rng_.below(5000);
      const std::uint32_t first = last - rng_.below(60000);
      // Field order = kFields.
      put32(t, bytes);
      put32(t, pkts);
      put8(t, proto);
      put8(t, static_cast<std::uint8_t>(rng_.percent(90) ? 0 : 0xb8));
      put8(t, static_cast<std::uint8_t>(proto == 6 ? (rng_.percent(80) ? 0x1b : 0x02) : 0));
      put16(t, sport);
      put32(t, internal_ip(rng_));
      put16(t, static_cast<std::uint16_t>(1 + rng_.below(4)));
      put16(t, dport);
      put32(t, rng_.percent(80) ? external_ip(rng_) : internal_ip(rng_));
      put16(t, static_cast<std::uint16_t>(5 + rng_.below(4)));
      put16(t, 0);
      put16(t, static_cast<std::uint16_t>(rng_.percent(50) ? 15169 : 13335));
      put32(t, last);
      put32(t, first);
    }
    while ((t.size() - set) % 4 != 0) put8(t, 0);  // FlowSets end on a 4-byte boundary
    patch16(t, set + 2, static_cast<std::uint16_t>(t.size() - set));
  }

 private:
  // {type, length}: IN_BYTES, IN_PKTS, PROTOCOL, SRC_TOS, TCP_FLAGS,
  // L4_SRC_PORT, IPV4_SRC_ADDR, INPUT_SNMP, L4_DST_PORT, IPV4_DST_ADDR,
  // OUTPUT_SNMP, SRC_AS, DST_AS, LAST_SWITCHED, FIRST_SWITCHED.
  static constexpr std::array<std::array<std::uint16_t, 2>, 15> kFields = {
      {{1, 4}, {2, 4}, {4, 1}, {5, 1}, {6, 1}, {7, 2}, {8, 4}, {10, 2}, {11, 2}, {12, 4}, {14, 2}, {16, 2}, {17, 2},
       {21, 4}, {22, 4}}};

  std::uint32_t uptime_ms() const {
    // An exporter up for an hour before the run: flow start times stay positive.
    return 3600000u + static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::chrono::steady_clock::now() - start_)
                                                     .count());
  }
  void header(Text& t, unsigned records) {
    put16(t, 9);
    put16(t, static_cast<std::uint16_t>(records));
    put32(t, uptime_ms());
    put32(t, static_cast<std::uint32_t>(std::time(nullptr)));
    put32(t, sequence_++);  // v9 counts export packets
    put32(t, source_id_);
  }
  static void put8(Text& t, std::uint8_t v) { t.raw().push_back(static_cast<char>(v)); }
  static void put16(Text& t, std::uint16_t v) {
    put8(t, static_cast<std::uint8_t>(v >> 8));
    put8(t, static_cast<std::uint8_t>(v));
  }
  static void put32(Text& t, std::uint32_t v) {
    put16(t, static_cast<std::uint16_t>(v >> 16));
    put16(t, static_cast<std::uint16_t>(v));
  }
  static void patch16(Text& t, std::size_t at, std::uint16_t v) {
    t.raw()[at] = static_cast<char>(v >> 8);
    t.raw()[at + 1] = static_cast<char>(v & 0xff);
  }

  Rng rng_;
  std::uint32_t source_id_;
  std::uint32_t sequence_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// ---- sending ----------------------------------------------------------------

struct Totals {
  std::atomic<std::uint64_t> units{0};
  std::atomic<std::uint64_t> datagrams{0};
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<bool> failed{false};
};

// One batch: the bytes of several messages/datagrams back to back, and where
// each ends (UDP sends each as its own datagram; TCP writes them as one).
struct Batch {
  Text text;
  std::vector<std::size_t> ends;
  std::uint64_t units = 0;  // messages or flow records in it
  void clear() {
    text.clear();
    ends.clear();
    units = 0;
  }
  void end_item() { ends.push_back(text.size()); }
};

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool send_datagrams(int fd, const Batch& b) {
  std::vector<mmsghdr> msgs(b.ends.size());
  std::vector<iovec> iov(b.ends.size());
  std::size_t start = 0;
  for (std::size_t i = 0; i < b.ends.size(); ++i) {
    iov[i].iov_base = const_cast<char*>(b.text.str().data() + start);
    iov[i].iov_len = b.ends[i] - start;
    msgs[i] = {};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    start = b.ends[i];
  }
  std::size_t done = 0;
  while (done < msgs.size()) {
    const int r = ::sendmmsg(fd, msgs.data() + done, static_cast<unsigned>(msgs.size() - done), 0);
    if (r < 0) {
      // Loopback sockets refuse for a moment when the device queue is full:
      // that is the peer's loss to count, not ours, so wait and go on.
      if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        continue;
      }
      return false;
    }
    done += static_cast<std::size_t>(r);
  }
  return true;
}

int connect_to(const Options& o) {
  const std::size_t colon = o.target.rfind(':');
  if (colon == std::string::npos) return -1;
  std::string host = o.target.substr(0, colon);
  const std::string port = o.target.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = o.transport == Transport::udp ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) return -1;
  int fd = ::socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd >= 0 && ::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0 && o.transport == Transport::udp) {
    int sz = 8 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  }
  return fd;
}

// Sends units [first, first + n) (sequence numbers first+1 ...) on one socket
// at `rate` units/s (0 = unpaced).
void run_connection(const Options& o, std::uint64_t first, std::uint64_t n, double rate, unsigned index, Totals& totals) {
  int fd = -1;
  std::FILE* file = nullptr;
  if (o.transport == Transport::file) {
    file = std::fopen(o.target.c_str(), "wb");
    if (file == nullptr) {
      std::fprintf(stderr, "log_loadgen: cannot write %s: %s\n", o.target.c_str(), std::strerror(errno));
      totals.failed = true;
      return;
    }
  } else {
    fd = connect_to(o);
    if (fd < 0) {
      std::fprintf(stderr, "log_loadgen: cannot connect to %s: %s\n", o.target.c_str(), std::strerror(errno));
      totals.failed = true;
      return;
    }
  }
  const bool stream = o.transport != Transport::udp;
  const bool octet = stream && (o.framing == Framing::octet ||
                                (o.framing == Framing::automatic && o.format == Format::rfc5424 &&
                                 o.transport == Transport::tcp));
  const std::uint64_t seed = o.seed * 1000003 + index;
  Rfc5424Generator syslog(seed);
  EveGenerator eve(seed);
  Netflow9Generator netflow(seed, 1 + index);

  // Batches hold at most a millisecond of a paced run, so pacing stays smooth.
  std::uint64_t per_batch = o.format == Format::netflow9 ? 32 * Netflow9Generator::kRecordsPerDatagram : 64;
  if (rate > 0) per_batch = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(rate / 1000), 1, per_batch);

  Batch b;
  b.text.raw().reserve(256 * 1024);
  Text msg;
  msg.raw().reserve(8192);
  std::uint64_t sent = 0;
  std::uint64_t data_datagrams = 0;
  const auto t0 = std::chrono::steady_clock::now();
  bool ok = true;
  while (sent < n && ok) {
    b.clear();
    const std::uint64_t want = std::min(per_batch, n - sent);
    if (o.format == Format::netflow9) {
      while (b.units < want) {
        if (data_datagrams % o.template_every == 0) {
          netflow.make_template(b.text);
          b.end_item();
        }
        const auto k = static_cast<unsigned>(
            std::min<std::uint64_t>(Netflow9Generator::kRecordsPerDatagram, n - sent - b.units));
        netflow.make_data(k, b.text);
        b.end_item();
        b.units += k;
        ++data_datagrams;
      }
    } else {
      for (std::uint64_t i = 0; i < want; ++i) {
        msg.clear();
        const std::uint64_t seq = first + sent + i + 1;
        if (o.format == Format::rfc5424)
          syslog.make(seq, msg);
        else
          eve.make(seq, msg);
        if (octet) {
          b.text.num(msg.size()) << ' ' << msg.str();
        } else {
          b.text << msg.str();
          if (stream) b.text << '\n';
        }
        b.end_item();
      }
      b.units = want;
    }
    if (file != nullptr && o.format == Format::netflow9) {
      // A file of datagrams: each after its 2-byte big-endian length.
      std::size_t start = 0;
      for (std::size_t end : b.ends) {
        const unsigned char len[2] = {static_cast<unsigned char>((end - start) >> 8),
                                      static_cast<unsigned char>((end - start) & 0xff)};
        ok = ok && std::fwrite(len, 1, 2, file) == 2 &&
             std::fwrite(b.text.str().data() + start, 1, end - start, file) == end - start;
        start = end;
      }
    } else if (file != nullptr) {
      ok = std::fwrite(b.text.str().data(), 1, b.text.size(), file) == b.text.size();
    } else if (stream) {
      ok = write_all(fd, b.text.str().data(), b.text.size());
    } else {
      ok = send_datagrams(fd, b);
    }
    if (!ok) {
      std::fprintf(stderr, "log_loadgen: send failed after %llu: %s\n", static_cast<unsigned long long>(sent),
                   std::strerror(errno));
      break;
    }
    sent += b.units;
    totals.units += b.units;
    totals.datagrams += stream ? 0 : b.ends.size();
    totals.bytes += b.text.size();
    if (rate > 0) {
      const auto due = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(static_cast<double>(sent) / rate));
      std::this_thread::sleep_until(due);
    }
  }
  if (!ok) totals.failed = true;
  if (file != nullptr && std::fclose(file) != 0) totals.failed = true;
  if (fd >= 0) {
    // Orderly close: the receiver reads everything before the FIN.
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  }
}

[[noreturn]] void usage(const char* why) {
  if (why != nullptr) std::fprintf(stderr, "log_loadgen: %s\n", why);
  std::fprintf(stderr,
               "usage: log_loadgen --udp|--tcp HOST:PORT | --out FILE  --format rfc5424|eve|netflow9 --count N\n"
               "                   [--rate MSG_PER_S] [--connections C] [--framing octet|newline] [--seed S]\n"
               "                   [--template-every DATAGRAMS]\n");
  std::exit(2);
}

std::uint64_t parse_u64(const char* s, const char* what) {
  std::uint64_t v = 0;
  const std::string_view sv(s);
  auto r = std::from_chars(sv.data(), sv.data() + sv.size(), v);
  if (r.ec != std::errc{} || r.ptr != sv.data() + sv.size()) usage((std::string("bad ") + what).c_str());
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  bool have_target = false, have_count = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage((std::string(a) + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--udp" || a == "--tcp" || a == "--out") {
      o.transport = a == "--udp" ? Transport::udp : a == "--tcp" ? Transport::tcp : Transport::file;
      o.target = value();
      have_target = true;
    } else if (a == "--format") {
      const std::string_view f = value();
      if (f == "rfc5424")
        o.format = Format::rfc5424;
      else if (f == "eve")
        o.format = Format::eve;
      else if (f == "netflow9")
        o.format = Format::netflow9;
      else
        usage("--format is rfc5424, eve or netflow9");
    } else if (a == "--count") {
      o.count = parse_u64(value(), "--count");
      have_count = true;
    } else if (a == "--rate") {
      o.rate = static_cast<double>(parse_u64(value(), "--rate"));
    } else if (a == "--connections") {
      o.connections = static_cast<unsigned>(std::clamp<std::uint64_t>(parse_u64(value(), "--connections"), 1, 1024));
    } else if (a == "--framing") {
      const std::string_view f = value();
      if (f == "octet")
        o.framing = Framing::octet;
      else if (f == "newline")
        o.framing = Framing::newline;
      else
        usage("--framing is octet or newline");
    } else if (a == "--seed") {
      o.seed = parse_u64(value(), "--seed");
    } else if (a == "--template-every") {
      o.template_every = static_cast<unsigned>(std::max<std::uint64_t>(1, parse_u64(value(), "--template-every")));
    } else if (a == "-h" || a == "--help") {
      usage(nullptr);
    } else {
      usage((std::string("unknown argument ") + std::string(a)).c_str());
    }
  }
  if (!have_target) usage("one of --udp, --tcp, --out is required");
  if (!have_count) usage("--count is required");
  if (o.format == Format::netflow9 && o.transport == Transport::tcp) usage("netflow9 is sent over --udp only");
  if (o.transport == Transport::file) o.connections = 1;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  Totals totals;
  std::vector<std::thread> threads;
  const auto t0 = std::chrono::steady_clock::now();
  for (unsigned c = 0; c < o.connections; ++c) {
    const std::uint64_t lo = o.count * c / o.connections;
    const std::uint64_t hi = o.count * (c + 1) / o.connections;
    threads.emplace_back(run_connection, std::cref(o), lo, hi - lo, o.rate / o.connections, c, std::ref(totals));
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("sent=%llu datagrams=%llu bytes=%llu elapsed_s=%.6f rate=%.0f\n",
              static_cast<unsigned long long>(totals.units.load()),
              static_cast<unsigned long long>(totals.datagrams.load()),
              static_cast<unsigned long long>(totals.bytes.load()), elapsed,
              elapsed > 0 ? static_cast<double>(totals.units.load()) / elapsed : 0.0);
  return totals.failed ? 1 : 0;
}
