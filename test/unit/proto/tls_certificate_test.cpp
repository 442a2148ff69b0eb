// Tests for the TLS server-certificate locator and the X.509 summary:
// hand-made server streams for record/handshake fragmentation, truncation and
// hostile lengths; certificates made with OpenSSL for the name, serial, date
// and SAN formats; then real certificates out of corpus captures compared with
// tshark's x509 fields and with what suricata-verify expects in EVE.
#include "proto/tls_certificate.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "proto_test_support.hpp"
#include "support/external_tools.hpp"

namespace {

using opensoc::proto::find_tls_certificate_message;
using opensoc::proto::kTlsCertificateScratchBytes;
using opensoc::proto::summarize_certificate;
using opensoc::proto::TlsCertificateStatus;
using opensoc::proto::X509Summary;
using Bytes = std::vector<std::uint8_t>;

void put24(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 16));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

Bytes handshake(std::uint8_t type, const Bytes& body) {
  Bytes m{type};
  put24(m, body.size());
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

Bytes certificate_message(const std::vector<Bytes>& chain) {
  Bytes list;
  for (const auto& c : chain) {
    put24(list, c.size());
    list.insert(list.end(), c.begin(), c.end());
  }
  Bytes body;
  put24(body, list.size());
  body.insert(body.end(), list.begin(), list.end());
  return handshake(11, body);
}

// Cuts the handshake byte stream into records of at most `max_fragment` bytes.
Bytes records(const Bytes& messages, std::size_t max_fragment, std::uint8_t content_type = 22) {
  Bytes out;
  for (std::size_t i = 0; i < messages.size(); i += max_fragment) {
    const std::size_t n = std::min(max_fragment, messages.size() - i);
    out.insert(out.end(), {content_type, 3, 3, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
    out.insert(out.end(), messages.begin() + static_cast<std::ptrdiff_t>(i),
               messages.begin() + static_cast<std::ptrdiff_t>(i + n));
  }
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
  return b;
}

const Bytes kServerHello = handshake(2, pattern(70, 1));
const Bytes kLeaf = pattern(1200, 9);
const Bytes kIntermediate = pattern(900, 3);
const Bytes kServerHelloDone = handshake(14, {});

bool inside(std::span<const std::uint8_t> v, std::span<const std::uint8_t> buf) {
  return v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size();
}

}  // namespace

TEST_CASE("find_tls_certificate_message returns the leaf from one record without copying", "[proto][tls_certificate]") {
  const Bytes messages =
      concat({kServerHello, certificate_message({kLeaf, kIntermediate}), handshake(12, pattern(300, 5)), kServerHelloDone});
  const Bytes stream = records(messages, 16384);
  std::vector<std::uint8_t> scratch(kTlsCertificateScratchBytes);
  std::span<const std::uint8_t> leaf;
  REQUIRE(find_tls_certificate_message(stream, scratch, leaf) == TlsCertificateStatus::ok);
  CHECK(Bytes(leaf.begin(), leaf.end()) == kLeaf);
  CHECK(inside(leaf, stream));
}

TEST_CASE("find_tls_certificate_message reassembles handshake messages across records", "[proto][tls_certificate]") {
  const Bytes messages = concat({kServerHello, handshake(0, {}), certificate_message({kLeaf, kIntermediate}),
                                 kServerHelloDone});
  for (const std::size_t fragment : {1u, 2u, 3u, 5u, 7u, 64u, 73u, 74u, 75u, 76u, 77u, 79u, 80u, 500u, 1279u, 1290u}) {
    INFO("fragment " << fragment);
    const Bytes stream = records(messages, fragment);
    std::vector<std::uint8_t> scratch(kTlsCertificateScratchBytes);
    std::span<const std::uint8_t> leaf;
    REQUIRE(find_tls_certificate_message(stream, scratch, leaf) == TlsCertificateStatus::ok);
    CHECK(Bytes(leaf.begin(), leaf.end()) == kLeaf);
    CHECK((inside(leaf, stream) || inside(leaf, scratch)));

    // Only the leaf is gathered: a scratch that holds it (and the two
    // lengths before it) suffices, one byte less does not.
    std::vector<std::uint8_t> exact(6 + kLeaf.size());
    std::vector<std::uint8_t> short_by_one(5 + kLeaf.size());
    CHECK(find_tls_certificate_message(stream, exact, leaf) == TlsCertificateStatus::ok);
    CHECK(Bytes(leaf.begin(), leaf.end()) == kLeaf);
    if (!inside(leaf, stream)) {
      CHECK(find_tls_certificate_message(stream, short_by_one, leaf) == TlsCertificateStatus::too_large);
    }
  }
}

TEST_CASE("find_tls_certificate_message asks for more bytes on every prefix", "[proto][tls_certificate]") {
  const Bytes stream = records(concat({kServerHello, certificate_message({kLeaf})}), 700);
  std::vector<std::uint8_t> scratch(kTlsCertificateScratchBytes);
  std::span<const std::uint8_t> leaf;
  // The leaf ends 0 bytes before the stream does.
  for (std::size_t n = 0; n < stream.size(); ++n) {
    INFO("prefix " << n);
    REQUIRE(find_tls_certificate_message(std::span(stream.data(), n), scratch, leaf) == TlsCertificateStatus::truncated);
    CHECK(leaf.empty());
  }
  CHECK(find_tls_certificate_message(stream, scratch, leaf) == TlsCertificateStatus::ok);
}

TEST_CASE("find_tls_certificate_message stops where no certificate can follow", "[proto][tls_certificate]") {
  std::vector<std::uint8_t> scratch(kTlsCertificateScratchBytes);
  std::span<const std::uint8_t> leaf;
  SECTION("TLS 1.3: ChangeCipherSpec then encrypted records after the ServerHello") {
    const Bytes stream = concat({records(kServerHello, 16384), records({1}, 1, 20), records(pattern(50, 2), 50, 23)});
    CHECK(find_tls_certificate_message(stream, scratch, leaf) == TlsCertificateStatus::no_certificate);
  }
  SECTION("anonymous suite: ServerHelloDone first") {
    const Bytes stream = records(concat({kServerHello, kServerHelloDone, certificate_message({kLeaf})}), 16384);
    CHECK(find_tls_certificate_message(stream, scratch, leaf) == TlsCertificateStatus::no_certificate);
  }
  SECTION("not TLS handshake at all") {
    const Bytes stream = records(pattern(20, 1), 20, 21);
    CHECK(find_tls_certificate_message(stream, scratch, leaf) == TlsCertificateStatus::not_handshake);
    const Bytes http = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' '};
    CHECK(find_tls_certificate_message(http, scratch, leaf) == TlsCertificateStatus::not_handshake);
  }
  SECTION("zero-length handshake record") {
    const Bytes stream = concat({records(kServerHello, 16384), Bytes{22, 3, 3, 0, 0}});
    CHECK(find_tls_certificate_message(stream, scratch, leaf) == TlsCertificateStatus::malformed_record);
  }
  CHECK(leaf.empty());
}

TEST_CASE("find_tls_certificate_message rejects certificate lengths that do not add up", "[proto][tls_certificate]") {
  std::vector<std::uint8_t> scratch(kTlsCertificateScratchBytes);
  std::span<const std::uint8_t> leaf;
  auto status_of = [&](const Bytes& body, std::size_t fragment) {
    return find_tls_certificate_message(records(concat({kServerHello, handshake(11, body)}), fragment), scratch, leaf);
  };
  Bytes empty_list;
  put24(empty_list, 0);
  CHECK(status_of(empty_list, 16384) == TlsCertificateStatus::malformed_certificate);
  for (const std::size_t fragment : {16384u, 3u}) {
    Bytes zero_leaf;  // list of one empty certificate
    put24(zero_leaf, 3);
    put24(zero_leaf, 0);
    CHECK(status_of(zero_leaf, fragment) == TlsCertificateStatus::malformed_certificate);
    Bytes leaf_past_list;
    put24(leaf_past_list, 6);
    put24(leaf_past_list, 4);
    leaf_past_list.resize(12, 0);
    CHECK(status_of(leaf_past_list, fragment) == TlsCertificateStatus::malformed_certificate);
    Bytes list_past_message;
    put24(list_past_message, 100);
    put24(list_past_message, 3);
    list_past_message.resize(12, 0);
    CHECK(status_of(list_past_message, fragment) == TlsCertificateStatus::malformed_certificate);
  }
  CHECK(status_of(Bytes{0, 0}, 16384) == TlsCertificateStatus::malformed_certificate);
  CHECK(to_string(TlsCertificateStatus::too_large) == "too_large");
}

// ---- certificates made with OpenSSL ----

namespace {

struct EvpKeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};

void set_time(ASN1_TIME* t, const char* text) { REQUIRE(ASN1_TIME_set_string_X509(t, text) == 1); }

// A self-signed certificate; `customise` sets names, serial, dates, extensions.
template <typename F>
Bytes make_certificate(F customise) {
  std::unique_ptr<EVP_PKEY, EvpKeyDeleter> key(EVP_EC_gen("P-256"));
  REQUIRE(key);
  std::unique_ptr<X509, X509Deleter> x(X509_new());
  REQUIRE(X509_set_version(x.get(), 2) == 1);
  REQUIRE(X509_set_pubkey(x.get(), key.get()) == 1);
  customise(x.get());
  REQUIRE(X509_sign(x.get(), key.get(), EVP_sha256()) > 0);
  const int n = i2d_X509(x.get(), nullptr);
  REQUIRE(n > 0);
  Bytes der(static_cast<std::size_t>(n));
  unsigned char* p = der.data();
  REQUIRE(i2d_X509(x.get(), &p) == n);
  return der;
}

void add_entry(X509_NAME* name, const char* field, const char* value, int set = 0, int type = MBSTRING_UTF8) {
  REQUIRE(X509_NAME_add_entry_by_txt(name, field, type, reinterpret_cast<const unsigned char*>(value), -1, -1, set) ==
          1);
}

void add_extension(X509* x, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext != nullptr);
  REQUIRE(X509_add_ext(x, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

constexpr opensoc::TimestampNs kSecond = opensoc::kNsPerSecond;

}  // namespace

TEST_CASE("summarize_certificate prints names, serial and SANs in Suricata's format", "[proto][tls_certificate]") {
  const Bytes der = make_certificate([](X509* x) {
    X509_NAME* subject = X509_get_subject_name(x);
    add_entry(subject, "C", "US", 0, MBSTRING_ASC);
    add_entry(subject, "ST", "California");
    add_entry(subject, "O", "Google Inc");
    add_entry(subject, "OU", "Unit");
    add_entry(subject, "OU", "Second", -1);  // joins the previous RDN: multi-valued
    add_entry(subject, "CN", "*.google.com");
    add_entry(subject, "emailAddress", "a@b.c", 0, MBSTRING_ASC);
    add_entry(subject, "serialNumber", "1234", 0, MBSTRING_ASC);
    add_entry(subject, "DC", "example", 0, MBSTRING_ASC);
    add_entry(subject, "L", "Z\xc3\xbcrich");
    X509_NAME* issuer = X509_get_issuer_name(x);
    add_entry(issuer, "CN", "Issuing CA");
    add_entry(issuer, "O", "Org, with comma");
    ASN1_INTEGER* serial = ASN1_INTEGER_new();
    REQUIRE(ASN1_INTEGER_set_uint64(serial, 0x97e647098eeac9b4ULL) == 1);
    REQUIRE(X509_set_serialNumber(x, serial) == 1);
    ASN1_INTEGER_free(serial);
    set_time(X509_getm_notBefore(x), "20150212180727Z");
    set_time(X509_getm_notAfter(x), "20250209180727Z");
    add_extension(x, NID_subject_alt_name, "DNS:www.example.com, IP:192.0.2.7, email:x@y.z, DNS:*.example.org, IP:2001:db8::1");
  });
  const auto s = summarize_certificate(der);
  REQUIRE(s.has_value());
  CHECK(s->subject ==
        "C=US, ST=California, O=Google Inc, OU=Unit + OU=Second, CN=*.google.com, Email=a@b.c, serialNumber=1234, "
        "DC=example, L=Z\xc3\xbcrich");
  CHECK(s->issuer == "CN=Issuing CA, O=Org, with comma");
  CHECK(s->serial == "00:97:E6:47:09:8E:EA:C9:B4");  // the sign byte is part of the DER content
  CHECK(s->not_before == 1423764447 * kSecond);
  CHECK(s->not_after == 1739124447 * kSecond);
  CHECK(s->sans == std::vector<std::string>{"www.example.com", "192.0.2.7", "*.example.org", "2001:db8::1"});

  // The fingerprint is the SHA-1 of exactly these bytes.
  unsigned char digest[20];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(der.data(), der.size(), digest, &len, EVP_sha1(), nullptr) == 1);
  std::string hex;
  char buf[4];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, i == 0 ? "%02x" : ":%02x", digest[i]);
    hex += buf;
  }
  CHECK(s->fingerprint_sha1 == hex);
  CHECK(s->fingerprint_sha1.size() == 59);
}

TEST_CASE("summarize_certificate dates before 1970 and after 2038", "[proto][tls_certificate]") {
  const Bytes der = make_certificate([](X509* x) {
    ASN1_INTEGER_set(X509_get_serialNumber(x), 0x32);
    set_time(X509_getm_notBefore(x), "19691231000000Z");  // UTCTime 691231000000Z
    set_time(X509_getm_notAfter(x), "21060207062816Z");   // GeneralizedTime, past 2^32 s
  });
  const auto s = summarize_certificate(der);
  REQUIRE(s.has_value());
  CHECK(s->serial == "32");
  CHECK(s->subject.empty());
  CHECK(s->issuer.empty());
  CHECK(s->sans.empty());
  CHECK(s->not_before == -86400 * kSecond);
  CHECK(s->not_after == 4294967296LL * kSecond);

  const Bytes far = make_certificate([](X509* x) {
    set_time(X509_getm_notBefore(x), "16000101000000Z");
    set_time(X509_getm_notAfter(x), "99991231235959Z");
  });
  const auto f = summarize_certificate(far);
  REQUIRE(f.has_value());
  CHECK(f->not_before == std::numeric_limits<opensoc::TimestampNs>::min());
  CHECK(f->not_after == std::numeric_limits<opensoc::TimestampNs>::max());
}

TEST_CASE("summarize_certificate returns an error for bytes that are not a certificate", "[proto][tls_certificate]") {
  CHECK_FALSE(summarize_certificate({}).has_value());
  const Bytes junk = pattern(300, 4);
  const auto r = summarize_certificate(junk);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "certificate does not decode as X.509 DER");
  const Bytes der = make_certificate([](X509*) {});
  CHECK_FALSE(summarize_certificate(std::span(der.data(), der.size() / 2)).has_value());
}

// ---- real captures: tshark and suricata-verify as oracles ----

namespace {

// Directions of TCP streams, keyed "stream/src_port": the bytes the endpoint
// with that port sent (tshark follow,tcp,raw, one run for all the streams).
std::map<std::string, Bytes> follow_directions(const std::string& pcap, const std::vector<std::string>& streams) {
  std::string cmd = "tshark -n -r " + opensoc::test::shell_quote(pcap) + " -q";
  for (const auto& s : streams) cmd += " -z follow,tcp,raw," + s;
  const auto out = opensoc::test::run_command(cmd + " 2>/dev/null");
  std::map<std::string, Bytes> result;
  if (!out) return result;
  std::istringstream in(*out);
  std::string line;
  std::string stream;
  std::string node0_port;
  std::string node1_port;
  while (std::getline(in, line)) {
    if (line.rfind("Filter: tcp.stream eq ", 0) == 0) stream = line.substr(22);
    if (line.rfind("Node 0: ", 0) == 0) node0_port = line.substr(line.rfind(':') + 1);
    if (line.rfind("Node 1: ", 0) == 0) node1_port = line.substr(line.rfind(':') + 1);
    if (line.empty() || line[0] == '=' || line.find(':') != std::string::npos) continue;
    // Node 1's data is indented with a tab.
    const auto chunk = opensoc::proto::test::from_hex(line);
    Bytes& bytes = result[stream + "/" + (line[0] == '\t' ? node1_port : node0_port)];
    bytes.insert(bytes.end(), chunk.begin(), chunk.end());
  }
  return result;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// "2015-02-12 18:07:27 (UTC)" as tshark prints x509af.utcTime.
opensoc::TimestampNs tshark_time(const std::string& text) {
  std::tm tm{};
  REQUIRE(std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                      &tm.tm_min, &tm.tm_sec) == 6);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<opensoc::TimestampNs>(timegm(&tm)) * opensoc::kNsPerSecond;
}

struct CaptureCertificate {
  std::string pcap;
  X509Summary summary;
};

// Every server certificate in the capture: located in the reassembled server
// stream, then checked against tshark's fields for the packet carrying it.
std::vector<CaptureCertificate> check_capture(const std::string& pcap) {
  const auto rows = opensoc::proto::test::tshark_rows(
      pcap, "tls.handshake.type == 11",
      {"tcp.stream", "tcp.srcport", "tls.handshake.certificate", "x509af.serialNumber", "x509af.utcTime",
       "x509af.generalizedTime", "x509ce.dNSName"});
  std::vector<CaptureCertificate> out;
  std::vector<std::string> streams;
  for (const auto& row : rows) {
    REQUIRE(row.size() == 7);
    if (std::find(streams.begin(), streams.end(), row[0]) == streams.end()) streams.push_back(row[0]);
  }
  auto directions = follow_directions(pcap, streams);
  std::vector<std::string> seen_streams;
  for (const auto& row : rows) {
    if (std::find(seen_streams.begin(), seen_streams.end(), row[0]) != seen_streams.end()) continue;
    seen_streams.push_back(row[0]);
    INFO(pcap << " tcp.stream " << row[0]);
    const Bytes& server = directions[row[0] + "/" + row[1]];
    std::vector<std::uint8_t> scratch(kTlsCertificateScratchBytes);
    std::span<const std::uint8_t> leaf;
    REQUIRE(find_tls_certificate_message(server, scratch, leaf) == TlsCertificateStatus::ok);
    const Bytes expected_leaf = opensoc::proto::test::from_hex(split(row[2]).at(0));
    REQUIRE(Bytes(leaf.begin(), leaf.end()) == expected_leaf);

    const auto summary = summarize_certificate(leaf);
    REQUIRE(summary.has_value());
    std::string serial_hex;
    for (const char c : summary->serial) {
      if (c != ':') serial_hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    CHECK(serial_hex == split(row[3]).at(0));
    if (row[5].empty()) {  // the leaf's two dates are the first two UTCTimes
      const auto times = split(row[4]);
      REQUIRE(times.size() >= 2);
      CHECK(summary->not_before == tshark_time(times[0]));
      CHECK(summary->not_after == tshark_time(times[1]));
    }
    // The leaf comes first, so its dNSNames open tshark's list.
    const auto dns = split(row[6]);
    std::vector<std::string> leaf_dns;
    for (const auto& san : summary->sans) {
      if (san.find_first_not_of("0123456789.") != std::string::npos && san.find(':') == std::string::npos) {
        leaf_dns.push_back(san);
      }
    }
    REQUIRE(leaf_dns.size() <= dns.size());
    CHECK(std::equal(leaf_dns.begin(), leaf_dns.end(), dns.begin()));
    out.push_back({pcap, *summary});
  }
  return out;
}

}  // namespace

TEST_CASE("server certificates in corpus captures match tshark and suricata-verify", "[proto][tls_certificate][tshark]") {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) {
    WARN("tshark not installed: oracle comparison skipped");
    return;
  }
  namespace test = opensoc::proto::test;
  std::size_t total = 0;
  SECTION("tls-pre-1970: every EVE field suricata-verify checks") {
    const auto certs = check_capture(test::corpus_capture("tls/tls-pre-1970", "input.pcap"));
    REQUIRE(certs.size() == 1);
    const auto& s = certs[0].summary;
    CHECK(s.fingerprint_sha1 == "71:cd:fe:08:7f:3d:2a:18:32:69:38:fa:bd:64:7b:c6:cf:cc:44:8e");
    CHECK(s.issuer == "C=KR, ST=Kyunggido, L=Suwon, O=Samsung Electronics, OU=SW2 SISC, CN=ROOT CA SISC FKP2_PLUS");
    CHECK(s.subject == "OU=vd, CN=fkp.samsungcloudsolution.com");
    CHECK(s.serial == "32");
    CHECK(s.not_before == -86400 * kSecond);  // 1969-12-31T00:00:00
    CHECK(s.not_after == 2177367003LL * kSecond);  // 2038-12-31T00:10:03
  }
  SECTION("tls-cert-issuer: serial and issuer") {
    const auto certs = check_capture(test::corpus_capture("tls/tls-cert-issuer", "tls.pcap"));
    REQUIRE(certs.size() >= 4);
    for (const auto& c : certs) {
      CHECK(c.summary.serial == "00:97:E6:47:09:8E:EA:C9:B4");
      CHECK(c.summary.issuer == "C=FR, ST=IDF, L=Paris, O=Stamus, CN=SELKS");
    }
  }
  SECTION("tls-cert-noissuer: a certificate without issuer still parses") {
    const auto certs = check_capture(test::corpus_capture("tls/tls-cert-noissuer", "tls.pcap"));
    REQUIRE(certs.size() == 1);
    CHECK(certs[0].summary.issuer.empty());
    CHECK(certs[0].summary.subject.find("localhost") != std::string::npos);
  }
  SECTION("tls-subjectaltname: www.bing.com among the SANs") {
    const auto certs = check_capture(test::corpus_capture("tls/tls-subjectaltname", "input.pcap"));
    REQUIRE(certs.size() >= 5);
    std::size_t bing = 0;
    for (const auto& c : certs) {
      if (std::find(c.summary.sans.begin(), c.summary.sans.end(), "www.bing.com") != c.summary.sans.end()) ++bing;
    }
    CHECK(bing >= 1);
  }
  SECTION("other captures with server certificates") {
    for (const auto& [dir, file] : std::vector<std::pair<std::string, std::string>>{
             {"ethernet-eve", "test.pcap"},
             {"base64-decode-5885", "input.pcap"},
             {"bug-7264-tcp-3whs-ack-data-tls-01", "input.pcap"},
             {"lua/lua-tlslib-02", "input.pcap"}}) {
      total += check_capture(test::corpus_capture(dir, file)).size();
    }
    CHECK(total >= 5);
  }
}
