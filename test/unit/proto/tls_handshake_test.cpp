// Tests for the TLS hello parser and the JA3/JA3S/JA4 fingerprints: hand-made
// hellos for the edge cases (record fragmentation, every truncation, hostile
// lengths, capacity overflow), then real captures compared with tshark and
// with the hashes suricata-verify expects.
#include "proto/tls_handshake.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "proto_test_support.hpp"

namespace {

using opensoc::proto::compute_ja3;
using opensoc::proto::compute_ja3s;
using opensoc::proto::compute_ja4;
using opensoc::proto::Ja4Transport;
using opensoc::proto::kTlsScratchBytes;
using opensoc::proto::parse_tls_client_hello;
using opensoc::proto::parse_tls_server_hello;
using opensoc::proto::TlsClientHello;
using opensoc::proto::TlsParseStatus;
using opensoc::proto::TlsServerHello;
using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

struct Ext {
  std::uint16_t type;
  Bytes data;
};

Ext ext_sni(const std::string& name) {
  Bytes d;
  put16(d, name.size() + 3);
  d.push_back(0);
  put16(d, name.size());
  d.insert(d.end(), name.begin(), name.end());
  return {0x0000, d};
}

Ext ext_alpn(const std::vector<std::string>& names) {
  Bytes list;
  for (const auto& n : names) {
    list.push_back(static_cast<std::uint8_t>(n.size()));
    list.insert(list.end(), n.begin(), n.end());
  }
  Bytes d;
  put16(d, list.size());
  d.insert(d.end(), list.begin(), list.end());
  return {0x0010, d};
}

Ext ext_u16_list(std::uint16_t type, const std::vector<std::uint16_t>& values) {
  Bytes d;
  put16(d, values.size() * 2);
  for (const auto v : values) put16(d, v);
  return {type, d};
}

Ext ext_versions(const std::vector<std::uint16_t>& values) {
  Bytes d{static_cast<std::uint8_t>(values.size() * 2)};
  for (const auto v : values) put16(d, v);
  return {0x002b, d};
}

Bytes extension_block(const std::vector<Ext>& exts) {
  Bytes block;
  for (const auto& e : exts) {
    put16(block, e.type);
    put16(block, e.data.size());
    block.insert(block.end(), e.data.begin(), e.data.end());
  }
  Bytes out;
  put16(out, block.size());
  out.insert(out.end(), block.begin(), block.end());
  return out;
}

Bytes client_hello_body(std::uint16_t version, const std::vector<std::uint16_t>& ciphers, const std::vector<Ext>& exts,
                        bool with_extensions = true) {
  Bytes b;
  put16(b, version);
  b.insert(b.end(), 32, 0x11);  // random
  b.push_back(32);              // session id
  b.insert(b.end(), 32, 0x22);
  put16(b, ciphers.size() * 2);
  for (const auto c : ciphers) put16(b, c);
  b.push_back(1);  // compression: null
  b.push_back(0);
  if (with_extensions) {
    const Bytes block = extension_block(exts);
    b.insert(b.end(), block.begin(), block.end());
  }
  return b;
}

Bytes handshake(std::uint8_t type, const Bytes& body) {
  Bytes m{type, static_cast<std::uint8_t>(body.size() >> 16), static_cast<std::uint8_t>(body.size() >> 8),
          static_cast<std::uint8_t>(body.size())};
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

// The message split into handshake records of at most `fragment` bytes.
Bytes records(const Bytes& message, std::size_t fragment, std::uint8_t content_type = 22) {
  Bytes out;
  for (std::size_t off = 0; off < message.size(); off += fragment) {
    const std::size_t n = std::min(fragment, message.size() - off);
    out.push_back(content_type);
    put16(out, 0x0301);
    put16(out, n);
    out.insert(out.end(), message.begin() + static_cast<std::ptrdiff_t>(off),
               message.begin() + static_cast<std::ptrdiff_t>(off + n));
  }
  return out;
}

// The hello's views point into `stream` or `scratch`, which it owns (moving a
// vector keeps its buffer, so the views survive the return).
struct ClientResult {
  TlsParseStatus status;
  TlsClientHello hello;
  Bytes stream;
  Bytes scratch;
};

// Parses an exactly sized copy so over-reads show under the sanitizers.
ClientResult parse_client(const Bytes& stream, std::size_t scratch_size = kTlsScratchBytes) {
  ClientResult r{TlsParseStatus::truncated, {}, stream, Bytes(scratch_size)};
  r.status = parse_tls_client_hello(r.stream, r.scratch, r.hello);
  return r;
}

template <typename T, typename F>
std::string join(std::span<const T> values, F&& fmt) {
  std::string s;
  for (const T& v : values) {
    if (!s.empty()) s += ',';
    s += fmt(v);
  }
  return s;
}

std::string hex16(std::uint32_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}
std::string dec(std::uint32_t v) { return std::to_string(v); }

// Everything the parser extracted, as one comparable string.
std::string describe(const TlsClientHello& h) {
  std::string s = hex16(h.record_version) + " " + hex16(h.legacy_version);
  s += " c=" + join(h.cipher_suites.view(), hex16);
  s += " e=" + join(h.extensions.view(), dec);
  s += " g=" + join(h.supported_groups.view(), hex16);
  s += " pf=" + join(h.ec_point_formats.view(), [](std::uint8_t v) { return dec(v); });
  s += " sa=" + join(h.signature_algorithms.view(), hex16);
  s += " sv=" + join(h.supported_versions.view(), hex16);
  s += " alpn=" + join(h.alpn.view(), [](std::string_view v) { return std::string(v); });
  s += " sni=" + std::string(h.has_server_name ? "1:" : "0:") + std::string(h.server_name);
  return s;
}

// A Chrome-like hello whose JA4 is known (browserleaks.com, with the GREASE
// values Chrome adds put back in).
Bytes chrome_like_hello() {
  const std::vector<std::uint16_t> ciphers{0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                           0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  const std::vector<std::uint16_t> sigalgs{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  std::vector<Ext> exts{
      {0x1a1a, {}},
      {0x002d, {0x01, 0x01}},
      {0x0033, {0x00, 0x00}},
      ext_alpn({"h2", "http/1.1"}),
      {0xfe0d, {0x00}},
      {0x0017, {}},
      {0x44cd, {0x00}},
      ext_sni("example.com"),
      {0x000b, {0x01, 0x00}},
      ext_u16_list(0x000a, {0x2a2a, 0x11ec, 0x001d, 0x0017, 0x0018}),
      ext_versions({0x5a5a, 0x0304, 0x0303}),
      {0xff01, {0x00}},
      {0x0023, {}},
      {0x0012, {}},
      {0x0005, {0x01, 0x00, 0x00, 0x00, 0x00}},
      ext_u16_list(0x000d, sigalgs),
      {0x001b, {0x02, 0x00, 0x02}},
      {0x4a4a, {0x00}},
  };
  return handshake(1, client_hello_body(0x0303, ciphers, exts));
}

}  // namespace

TEST_CASE("parse_tls_client_hello reads every field of a hand-made hello", "[proto][tls]") {
  const auto r = parse_client(records(chrome_like_hello(), 1 << 14));
  REQUIRE(r.status == TlsParseStatus::ok);
  const auto& h = r.hello;
  CHECK(h.record_version == 0x0301);
  CHECK(h.legacy_version == 0x0303);
  CHECK(h.cipher_suites.count == 16);
  CHECK(h.cipher_suites.items[0] == 0x3a3a);
  CHECK(h.extensions.count == 18);
  CHECK(h.has_server_name);
  CHECK(h.server_name == "example.com");
  CHECK(h.has_alpn);
  REQUIRE(h.alpn.count == 2);
  CHECK(h.alpn.items[0] == "h2");
  CHECK(h.alpn.items[1] == "http/1.1");
  CHECK(describe(h) ==
        "0x0301 0x0303 c=0x3a3a,0x1301,0x1302,0x1303,0xc02b,0xc02f,0xc02c,0xc030,0xcca9,0xcca8,0xc013,0xc014,"
        "0x009c,0x009d,0x002f,0x0035 e=6682,45,51,16,65037,23,17613,0,11,10,43,65281,35,18,5,13,27,19018 "
        "g=0x2a2a,0x11ec,0x001d,0x0017,0x0018 pf=0 sa=0x0403,0x0804,0x0401,0x0503,0x0805,0x0501,0x0806,0x0601 "
        "sv=0x5a5a,0x0304,0x0303 alpn=h2,http/1.1 sni=1:example.com");
  // The view points into the caller's stream, not a copy.
  CHECK(h.alpn.items[0].data() != nullptr);
}

TEST_CASE("JA3 and JA4 of a hand-made hello leave GREASE out", "[proto][tls]") {
  const auto r = parse_client(records(chrome_like_hello(), 1 << 14));
  REQUIRE(r.status == TlsParseStatus::ok);
  const auto ja3 = compute_ja3(r.hello);
  CHECK(ja3.complete);
  CHECK(ja3.text() ==
        "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
        "45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0");
  // md5 of the text above; browserleaks.com reports the same ja3_hash.
  CHECK(ja3.md5() == "98487aa16281980e7d1120d399efb6a4");
  const auto ja4 = compute_ja4(r.hello);
  CHECK(ja4.complete);
  CHECK(ja4.text() == "t13d1516h2_8daaf6152771_d8a2da3f94cd");
  CHECK(compute_ja4(r.hello, Ja4Transport::quic).text() == "q13d1516h2_8daaf6152771_d8a2da3f94cd");
}

TEST_CASE("JA4 covers absent SNI, ALPN, extensions and odd ALPN bytes", "[proto][tls]") {
  SECTION("no extensions at all") {
    const auto r = parse_client(records(handshake(1, client_hello_body(0x0301, {0x002f, 0x0035}, {}, false)), 512));
    REQUIRE(r.status == TlsParseStatus::ok);
    CHECK(compute_ja4(r.hello).text() == "t10i020000_f54dd463d39b_000000000000");
    CHECK(compute_ja3(r.hello).text() == "769,47-53,,,");
  }
  SECTION("no ciphers, no signature algorithms") {
    const auto r = parse_client(records(handshake(1, client_hello_body(0x0302, {}, {{0x0017, {}}})), 512));
    REQUIRE(r.status == TlsParseStatus::ok);
    // sha256("0017") truncated; no underscore when there are no signature algorithms.
    CHECK(compute_ja4(r.hello).text() == "t11i000100_000000000000_1ca028f07214");
  }
  SECTION("non-alphanumeric ALPN uses the hex form") {
    const auto r = parse_client(
        records(handshake(1, client_hello_body(0x0303, {0x1301}, {ext_alpn({std::string("\xab\x01h\xcd", 4)})})), 512));
    REQUIRE(r.status == TlsParseStatus::ok);
    CHECK(compute_ja4(r.hello).text().substr(0, 10) == "t12i0101ad");
  }
  SECTION("single-character ALPN") {
    const auto r = parse_client(records(handshake(1, client_hello_body(0x0303, {0x1301}, {ext_alpn({"h"})})), 512));
    REQUIRE(r.status == TlsParseStatus::ok);
    CHECK(compute_ja4(r.hello).text().substr(0, 10) == "t12i0101hh");
  }
}

TEST_CASE("a hello split over records of any size parses the same", "[proto][tls]") {
  const Bytes message = chrome_like_hello();
  const std::string expected = describe(parse_client(records(message, 1 << 14)).hello);
  for (const std::size_t fragment : {1, 2, 3, 4, 5, 7, 64, 100, 255}) {
    INFO("fragment " << fragment);
    const auto r = parse_client(records(message, fragment));
    REQUIRE(r.status == TlsParseStatus::ok);
    CHECK(describe(r.hello) == expected);
    CHECK(compute_ja4(r.hello).text() == "t13d1516h2_8daaf6152771_d8a2da3f94cd");
  }
  SECTION("a scratch buffer too small for a spanning message is reported") {
    CHECK(parse_client(records(message, 100), 200).status == TlsParseStatus::too_large);
    CHECK(parse_client(records(message, 100), 0).status == TlsParseStatus::too_large);
    // Inside one record no scratch is needed.
    CHECK(parse_client(records(message, 1 << 14), 0).status == TlsParseStatus::ok);
  }
  SECTION("ChangeCipherSpec records before the hello are skipped") {
    Bytes stream{20, 3, 3, 0, 1, 1, 20, 3, 3, 0, 1, 1};
    const Bytes hello = records(message, 100);
    stream.insert(stream.end(), hello.begin(), hello.end());
    const auto r = parse_client(stream);
    REQUIRE(r.status == TlsParseStatus::ok);
    CHECK(describe(r.hello) == expected);
    for (std::size_t n = 0; n < stream.size(); ++n) {
      REQUIRE(parse_client(Bytes(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n))).status ==
              TlsParseStatus::truncated);
    }
    CHECK(parse_client(Bytes{20, 3, 3, 0, 2, 1, 1}).status == TlsParseStatus::malformed_record);
    CHECK(parse_client(Bytes{20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 1, 0}).status == TlsParseStatus::not_handshake);
  }
  SECTION("bytes after the hello are ignored") {
    Bytes stream = records(message, 100);
    const Bytes more = records(handshake(2, {1, 2, 3}), 10);
    stream.insert(stream.end(), more.begin(), more.end());
    const auto r = parse_client(stream);
    REQUIRE(r.status == TlsParseStatus::ok);
    CHECK(describe(r.hello) == expected);
  }
}

TEST_CASE("every truncation of a hello is reported as truncated", "[proto][tls]") {
  const Bytes message = chrome_like_hello();
  for (const std::size_t fragment : {std::size_t{1} << 14, std::size_t{3}, std::size_t{77}}) {
    const Bytes stream = records(message, fragment);
    for (std::size_t n = 0; n < stream.size(); ++n) {
      const Bytes prefix(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n));
      const auto r = parse_client(prefix);
      INFO("fragment " << fragment << " prefix " << n);
      REQUIRE(r.status == TlsParseStatus::truncated);
    }
    CHECK(parse_client(stream).status == TlsParseStatus::ok);
  }
}

TEST_CASE("hostile lengths and record layouts are rejected with a status", "[proto][tls]") {
  const Bytes good_body = client_hello_body(0x0303, {0x1301, 0x1302}, {ext_sni("a.example"), ext_alpn({"h2"})});
  auto status_of_body = [](const Bytes& body) { return parse_client(records(handshake(1, body), 1 << 14)).status; };
  REQUIRE(status_of_body(good_body) == TlsParseStatus::ok);

  SECTION("record layer") {
    const Bytes stream = records(handshake(1, good_body), 1 << 14);
    Bytes app = stream;
    app[0] = 23;
    CHECK(parse_client(app).status == TlsParseStatus::not_handshake);
    Bytes v2 = stream;
    v2[0] = 0x80;
    CHECK(parse_client(v2).status == TlsParseStatus::sslv2_record);
    Bytes empty_record{22, 3, 1, 0, 0};
    CHECK(parse_client(empty_record).status == TlsParseStatus::malformed_record);
    // An alert between two fragments of the hello.
    Bytes split = records(handshake(1, good_body), 10);
    split[15] = 21;
    CHECK(parse_client(split).status == TlsParseStatus::malformed_record);
    TlsServerHello server;
    Bytes scratch(kTlsScratchBytes);
    CHECK(parse_tls_server_hello(stream, scratch, server) == TlsParseStatus::unexpected_message);
    CHECK(parse_tls_server_hello(records(handshake(1, good_body), 2), scratch, server) ==
          TlsParseStatus::unexpected_message);
  }
  SECTION("a message length past the end of a complete record") {
    Bytes stream = records(handshake(1, good_body), 1 << 14);
    stream[6] = 0xff;  // 24-bit length now ~16 MiB
    CHECK(parse_client(stream).status == TlsParseStatus::too_large);
    // Same with a small length mismatch: the message continues in a record that never comes.
    Bytes short_by_one = records(handshake(1, good_body), 1 << 14);
    short_by_one[8] = static_cast<std::uint8_t>(short_by_one[8] + 1);
    CHECK(parse_client(short_by_one).status == TlsParseStatus::truncated);
  }
  SECTION("inside the hello") {
    Bytes odd_ciphers = client_hello_body(0x0303, {0x1301}, {});
    odd_ciphers[2 + 32 + 1 + 32 + 1] = 3;  // cipher_suites length 3
    CHECK(status_of_body(odd_ciphers) == TlsParseStatus::malformed_hello);

    Bytes long_session = good_body;
    long_session[34] = 0xff;
    CHECK(status_of_body(long_session) == TlsParseStatus::malformed_hello);

    Bytes trailing = good_body;
    trailing.push_back(0);
    CHECK(status_of_body(trailing) == TlsParseStatus::malformed_hello);

    Bytes cut_extension = good_body;
    cut_extension.pop_back();
    CHECK(status_of_body(cut_extension) == TlsParseStatus::malformed_hello);

    // Truncating the body to end right after compression is a valid hello without extensions.
    const Bytes no_ext(good_body.begin(), good_body.begin() + 2 + 32 + 1 + 32 + 2 + 4 + 2);
    CHECK(status_of_body(no_ext) == TlsParseStatus::ok);
    const Bytes one_byte_ext(good_body.begin(), good_body.begin() + 2 + 32 + 1 + 32 + 2 + 4 + 3);
    CHECK(status_of_body(one_byte_ext) == TlsParseStatus::malformed_hello);
  }
  SECTION("inside extensions") {
    auto with = [](Ext e) { return client_hello_body(0x0303, {0x1301}, {std::move(e)}); };
    CHECK(status_of_body(with({0x0000, {0x00, 0x05, 0x00, 0x00, 0x09}})) == TlsParseStatus::malformed_hello);
    CHECK(status_of_body(with({0x0000, {0x00, 0x01, 0x00}})) == TlsParseStatus::malformed_hello);
    CHECK(status_of_body(with({0x0010, {0x00, 0x03, 0x05, 'h', '2'}})) == TlsParseStatus::malformed_hello);
    CHECK(status_of_body(with({0x000a, {0x00, 0x03, 0x00, 0x17, 0x00}})) == TlsParseStatus::malformed_hello);
    CHECK(status_of_body(with({0x000d, {0x00, 0x04, 0x04, 0x03}})) == TlsParseStatus::malformed_hello);
    CHECK(status_of_body(with({0x000b, {0x02, 0x00}})) == TlsParseStatus::malformed_hello);
    CHECK(status_of_body(with({0x002b, {0x03, 0x03, 0x04, 0x03}})) == TlsParseStatus::malformed_hello);
    CHECK(status_of_body(with({0x002b, {}})) == TlsParseStatus::malformed_hello);
    // Unknown extensions are opaque, whatever they hold.
    CHECK(status_of_body(with({0x7777, {0xff, 0xff}})) == TlsParseStatus::ok);
    // An empty server_name (what servers echo) marks SNI present with no name.
    const auto r = parse_client(records(handshake(1, with({0x0000, {}})), 512));
    REQUIRE(r.status == TlsParseStatus::ok);
    CHECK(r.hello.has_server_name);
    CHECK(r.hello.server_name.empty());
  }
}

TEST_CASE("lists past their capacity are counted and mark fingerprints incomplete", "[proto][tls]") {
  std::vector<std::uint16_t> ciphers;
  for (std::uint16_t i = 0; i < 300; ++i) ciphers.push_back(static_cast<std::uint16_t>(0x0100 + i));
  std::vector<Ext> exts;
  for (std::uint16_t i = 0; i < 70; ++i) exts.push_back({static_cast<std::uint16_t>(0x1000 + i), {}});
  const auto r = parse_client(records(handshake(1, client_hello_body(0x0303, ciphers, exts)), 1000));
  REQUIRE(r.status == TlsParseStatus::ok);
  CHECK(r.hello.cipher_suites.count == opensoc::proto::kTlsMaxCipherSuites);
  CHECK(r.hello.cipher_suites.dropped == 300 - opensoc::proto::kTlsMaxCipherSuites);
  CHECK(r.hello.extensions.count == opensoc::proto::kTlsMaxExtensions);
  CHECK(r.hello.extensions.dropped == 70 - opensoc::proto::kTlsMaxExtensions);
  CHECK_FALSE(compute_ja3(r.hello).complete);
  const auto ja4 = compute_ja4(r.hello);
  CHECK_FALSE(ja4.complete);
  CHECK(ja4.text().substr(0, 10) == "t12i997000");  // 300 ciphers shown as 99; dropped values still count
}

TEST_CASE("parse_tls_server_hello reads version, cipher, extensions and JA3S", "[proto][tls]") {
  Bytes body;
  put16(body, 0x0303);
  body.insert(body.end(), 32, 0x33);
  body.push_back(0);  // empty session id
  put16(body, 0x1301);
  body.push_back(0);
  Bytes versions;
  put16(versions, 0x0304);
  const Bytes ext = extension_block({{0x002b, versions}, {0x0033, {0x00, 0x1d, 0x00, 0x00}}, ext_alpn({"h2"})});
  body.insert(body.end(), ext.begin(), ext.end());
  Bytes scratch(kTlsScratchBytes);
  for (const std::size_t fragment : {std::size_t{1} << 14, std::size_t{5}}) {
    TlsServerHello h;
    const Bytes stream = records(handshake(2, body), fragment);  // h's views point into it
    REQUIRE(parse_tls_server_hello(stream, scratch, h) == TlsParseStatus::ok);
    CHECK(h.legacy_version == 0x0303);
    CHECK(h.selected_version == 0x0304);
    CHECK(h.cipher_suite == 0x1301);
    CHECK(h.alpn == "h2");
    CHECK(join(h.extensions.view(), dec) == "43,51,16");
    const auto ja3s = compute_ja3s(h);
    CHECK(ja3s.text() == "771,4865,43-51-16");
    CHECK(ja3s.md5() == "b5d161dc269619705eba4f0e4a32116c");
  }
  SECTION("a selected version of the wrong size is malformed") {
    Bytes bad = body;
    const Bytes bad_ext = extension_block({{0x002b, {0x03}}});
    bad.resize(2 + 32 + 1 + 3);
    bad.insert(bad.end(), bad_ext.begin(), bad_ext.end());
    TlsServerHello h;
    CHECK(parse_tls_server_hello(records(handshake(2, bad), 512), scratch, h) == TlsParseStatus::malformed_hello);
  }
  SECTION("every truncation is reported as truncated") {
    const Bytes stream = records(handshake(2, body), 9);
    for (std::size_t n = 0; n < stream.size(); ++n) {
      TlsServerHello h;
      const Bytes prefix(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n));
      REQUIRE(parse_tls_server_hello(prefix, scratch, h) == TlsParseStatus::truncated);
    }
  }
}

// ---- real captures, tshark as the oracle -------------------------------------

namespace {

struct Capture {
  const char* test;
  const char* file;
};

constexpr Capture kTlsCaptures[] = {
    {"bug-2430", "backwards.pcap"},
    {"bug-5758", "input.pcap"},
    {"community-id-ipv4", "input.pcap"},
    {"ethernet-eve", "test.pcap"},
    {"ja4-cl-handshake", "input.pcap"},
    {"ja4-rules", "input.pcap"},
    {"ja4-tls", "input.pcap"},
    {"tls-alpn-log-detect-02", "input.pcap"},
    {"tls-duplicate-hello", "input.pcap"},
    {"tls/tls-bypass-missing-event", "tor_bl.pcap"},
    {"tls/tls-cert-issuer", "tls.pcap"},
    {"tls/tls-client-hello-frag-01", "dump_mtu300.pcap"},
    {"tls/tls-glupteba", "input.pcap"},
    {"tls/tls-subjectaltname", "input.pcap"},
    {"tls/tls13-draft14", "tls13_draft14.pcap"},
    {"tls/tls13-draft19", "tls13_draft19.pcap"},
    {"tls/tls13-draft23", "tls13_draft23.pcap"},
};

std::string first_item(const std::string& aggregated) { return aggregated.substr(0, aggregated.find(',')); }

// The stream bytes that start with the hello: the reassembled PDU when the
// hello spans segments, else the packet's own payload.
Bytes hello_stream(const std::vector<std::string>& row) {
  return opensoc::proto::test::from_hex(row[0].empty() ? row[1] : first_item(row[0]));
}

}  // namespace

TEST_CASE("ClientHello fields and JA3 agree with tshark on corpus captures", "[proto][tls][corpus]") {
  std::size_t compared = 0;
  for (const auto& cap : kTlsCaptures) {
    const std::string pcap = opensoc::proto::test::corpus_capture(cap.test, cap.file);
    const auto rows = opensoc::proto::test::tshark_rows(
        pcap, "tcp && tls.handshake.type == 1",
        {"tcp.reassembled.data", "tcp.payload", "tls.handshake.version", "tls.handshake.extensions_server_name",
         "tls.handshake.extensions_alpn_str", "tls.handshake.ciphersuite", "tls.handshake.extension.type",
         "tls.handshake.extensions.supported_version", "tls.handshake.extensions_supported_group",
         "tls.handshake.extensions_ec_point_format", "tls.handshake.ja3_full", "tls.handshake.ja3", "_ws.col.Protocol"});
    INFO(pcap);
    REQUIRE(!rows.empty());
    for (const auto& row : rows) {
      REQUIRE(row.size() == 13);
      const auto r = parse_client(hello_stream(row));
      if (row[12] == "SSLv2") {  // an SSLv2-format ClientHello (tls-glupteba): reported, not parsed
        CHECK(r.status == TlsParseStatus::sslv2_record);
        continue;
      }
      REQUIRE(r.status == TlsParseStatus::ok);
      const auto& h = r.hello;
      CHECK(hex16(h.legacy_version) == row[2]);
      CHECK(std::string(h.server_name) == row[3]);
      CHECK(join(h.alpn.view(), [](std::string_view v) { return std::string(v); }) == row[4]);
      CHECK(join(h.cipher_suites.view(), hex16) == row[5]);
      CHECK(join(h.extensions.view(), dec) == row[6]);
      CHECK(join(h.supported_versions.view(), hex16) == row[7]);
      CHECK(join(h.supported_groups.view(), hex16) == row[8]);
      CHECK(join(h.ec_point_formats.view(), [](std::uint8_t v) { return dec(v); }) == row[9]);
      const auto ja3 = compute_ja3(h);
      CHECK(ja3.complete);
      CHECK(std::string(ja3.text()) == row[10]);
      CHECK(std::string(ja3.md5()) == row[11]);
      ++compared;
    }
  }
  CHECK(compared >= 60);
}

TEST_CASE("ServerHello fields and JA3S agree with tshark on corpus captures", "[proto][tls][corpus]") {
  std::size_t compared = 0;
  for (const auto& cap : kTlsCaptures) {
    const std::string pcap = opensoc::proto::test::corpus_capture(cap.test, cap.file);
    const auto rows = opensoc::proto::test::tshark_rows(
        pcap, "tcp && tls.handshake.type == 2",
        {"tcp.reassembled.data", "tcp.payload", "tls.handshake.version", "tls.handshake.ciphersuite",
         "tls.handshake.extensions.supported_version", "tls.handshake.ja3s_full", "tls.handshake.ja3s",
         "tls.handshake.extension.type", "tls.handshake.extensions_alpn_str"});
    INFO(pcap);
    REQUIRE(!rows.empty());
    for (const auto& row : rows) {
      REQUIRE(row.size() == 9);
      Bytes scratch(kTlsScratchBytes);
      TlsServerHello h;
      const Bytes stream = hello_stream(row);
      REQUIRE(parse_tls_server_hello(stream, scratch, h) == TlsParseStatus::ok);
      if (std::string(cap.test) == "tls/tls13-draft14") {
        // tshark 4.0 reads this draft-14 ServerHello (version 0x0304, no
        // session id) with the final layout and gets cipher 0xacad; by the
        // bytes it is 0xc02b with one key_share extension.
        CHECK(h.cipher_suite == 0xc02b);
        CHECK(std::string(compute_ja3s(h).text()) == "772,49195,40");
        continue;
      }
      CHECK(hex16(h.legacy_version) == row[2]);
      CHECK(hex16(h.cipher_suite) == row[3]);
      CHECK((h.selected_version == 0 ? std::string() : hex16(h.selected_version)) == row[4]);
      const auto ja3s = compute_ja3s(h);
      CHECK(std::string(ja3s.text()) == row[5]);
      CHECK(std::string(ja3s.md5()) == row[6]);
      CHECK(join(h.extensions.view(), dec) == row[7]);
      CHECK(std::string(h.alpn) == row[8]);
      ++compared;
    }
  }
  CHECK(compared >= 60);
}

TEST_CASE("JA3 and JA4 match the hashes suricata-verify expects", "[proto][tls][corpus]") {
  struct Expected {
    const char* test;
    const char* file;
    std::vector<std::string> ja3;  // in capture order; empty when the test gives none
    std::vector<std::string> ja4;
  };
  const Expected cases[] = {
      {"ja4-tls", "input.pcap", {}, {"t12i1810s1_27d4652c4487_06a4338d0495"}},
      {"ja4-rules", "input.pcap", {}, {"t13d1516h2_8daaf6152771_e5627efa2ab1"}},
      {"ja4-tls-quic", "input.pcap", {}, {"t13d1516h2_8daaf6152771_e5627efa2ab1"}},
      {"tls/tls13-draft14", "tls13_draft14.pcap", {"65825469c473e48f3ee2571129256ab0"}, {}},
      {"tls/tls13-draft19",
       "tls13_draft19.pcap",
       {"0e870cb29dd59424064948532781a7f6", "30e5035b2d6787e7b319f75c36c438fe", "e6ae7b5efb58894bd43d6fa73420d267"},
       {}},
      {"tls/tls13-draft23", "tls13_draft23.pcap", {"0558cf38ebac58d332d7f39308fcd006"}, {}},
  };
  for (const auto& c : cases) {
    const std::string pcap = opensoc::proto::test::corpus_capture(c.test, c.file);
    INFO(pcap);
    const auto rows =
        opensoc::proto::test::tshark_rows(pcap, "tcp && tls.handshake.type == 1", {"tcp.reassembled.data", "tcp.payload"});
    const std::size_t expected_count = std::max(c.ja3.size(), c.ja4.size());
    REQUIRE(rows.size() == expected_count);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto r = parse_client(hello_stream(rows[i]));
      REQUIRE(r.status == TlsParseStatus::ok);
      if (!c.ja3.empty()) CHECK(std::string(compute_ja3(r.hello).md5()) == c.ja3[i]);
      if (!c.ja4.empty()) CHECK(std::string(compute_ja4(r.hello).text()) == c.ja4[i]);
    }
  }
}
