// Tests for the QUIC client Initial parser: the RFC 9001 Appendix A.2 sample
// packet, Initials sealed here (with an independent HKDF from OpenSSL's
// EVP_PKEY_HKDF) for the frame and header edge cases, hostile bytes (every
// truncation, flipped bits), then real captures compared with tshark and with
// the JA4 suricata-verify expects.
#include "proto/quic_initial.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "proto_test_support.hpp"

namespace {

using opensoc::proto::kQuicInitialScratchBytes;
using opensoc::proto::kQuicVersion1;
using opensoc::proto::kQuicVersion2;
using opensoc::proto::parse_quic_initial;
using opensoc::proto::QuicInitialInfo;
using opensoc::proto::QuicInitialStatus;
using opensoc::proto::test::from_hex;
using Bytes = std::vector<std::uint8_t>;

// RFC 9001 Appendix A.2: the client's Initial, protected, and the CRYPTO
// frame it carries (the rest of its payload is PADDING).
const std::string kRfcProtectedPacket =
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934";

const std::string kRfcCryptoFrame =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

// The 241-byte ClientHello inside kRfcCryptoFrame (after type, offset, length).
Bytes rfc_client_hello() {
  const Bytes frame = from_hex(kRfcCryptoFrame);
  return Bytes(frame.begin() + 4, frame.end());
}

struct Parsed {
  QuicInitialStatus status;
  QuicInitialInfo info;
  Bytes scratch;  // views in info point here: keep the struct where it is
};

// Exactly sized scratch so the sanitizers see an over-run.
void parse(const Bytes& datagram, Parsed& p, std::size_t scratch_size = 0) {
  p.scratch.assign(scratch_size != 0 ? scratch_size : opensoc::proto::quic_initial_scratch_bytes(datagram.size()), 0);
  p.status = parse_quic_initial(datagram, p.scratch, p.info);
}

// --- An independent Initial sealer (RFC 9001 5), for hand-made packets. ---

Bytes hkdf(int mode, const Bytes& key, const Bytes& salt, const Bytes& info, std::size_t length) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  Bytes out(length);
  std::size_t out_length = length;
  REQUIRE(ctx != nullptr);
  REQUIRE(EVP_PKEY_derive_init(ctx) == 1);
  REQUIRE(EVP_PKEY_CTX_hkdf_mode(ctx, mode) == 1);
  REQUIRE(EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1);
  REQUIRE(EVP_PKEY_CTX_set1_hkdf_key(ctx, key.data(), static_cast<int>(key.size())) == 1);
  if (!salt.empty()) REQUIRE(EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt.data(), static_cast<int>(salt.size())) == 1);
  if (!info.empty()) REQUIRE(EVP_PKEY_CTX_add1_hkdf_info(ctx, info.data(), static_cast<int>(info.size())) == 1);
  REQUIRE(EVP_PKEY_derive(ctx, out.data(), &out_length) == 1);
  EVP_PKEY_CTX_free(ctx);
  out.resize(out_length);
  return out;
}

Bytes expand_label(const Bytes& secret, const std::string& label, std::size_t length) {
  const std::string full = "tls13 " + label;
  Bytes info = {static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length),
                static_cast<std::uint8_t>(full.size())};
  info.insert(info.end(), full.begin(), full.end());
  info.push_back(0);
  return hkdf(EVP_PKEY_HKDEF_MODE_EXPAND_ONLY, secret, {}, info, length);
}

void put_varint(Bytes& b, std::uint64_t v) {
  if (v < 0x40) {
    b.push_back(static_cast<std::uint8_t>(v));
  } else if (v < 0x4000) {
    b.push_back(static_cast<std::uint8_t>(0x40 | v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
  } else {
    REQUIRE(v < 0x40000000);
    for (int i = 3; i >= 0; --i) b.push_back(static_cast<std::uint8_t>((i == 3 ? 0x80 : 0) | (v >> (8 * i) & 0xff)));
  }
}

Bytes crypto_frame(std::uint64_t offset, const Bytes& data) {
  Bytes f = {0x06};
  put_varint(f, offset);
  put_varint(f, data.size());
  f.insert(f.end(), data.begin(), data.end());
  return f;
}

struct Seal {
  std::uint32_t version = kQuicVersion1;
  Bytes dcid = from_hex("8394c8f03e515708");
  Bytes scid = from_hex("c0ffee");
  Bytes token;
  std::uint32_t packet_number = 0;
  std::size_t pn_length = 2;
  std::size_t pad_to = 1200;  // datagram size the payload is padded towards
};

Bytes seal_client_initial(const Seal& s, Bytes frames) {
  const bool v2 = s.version == kQuicVersion2;
  const Bytes salt = from_hex(v2 ? "0dede3def700a6db819381be6e269dcbf9bd2ed9" : "38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
  const std::string prefix = v2 ? "quicv2 " : "quic ";
  const Bytes initial_secret = hkdf(EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY, s.dcid, salt, {}, 32);
  const Bytes client_secret = expand_label(initial_secret, "client in", 32);
  const Bytes key = expand_label(client_secret, prefix + "key", 16);
  const Bytes iv = expand_label(client_secret, prefix + "iv", 12);
  const Bytes hp = expand_label(client_secret, prefix + "hp", 16);

  const std::uint8_t type = v2 ? 1 : 0;
  Bytes header = {static_cast<std::uint8_t>(0xc0 | type << 4 | (s.pn_length - 1)),
                  static_cast<std::uint8_t>(s.version >> 24), static_cast<std::uint8_t>(s.version >> 16),
                  static_cast<std::uint8_t>(s.version >> 8), static_cast<std::uint8_t>(s.version)};
  header.push_back(static_cast<std::uint8_t>(s.dcid.size()));
  header.insert(header.end(), s.dcid.begin(), s.dcid.end());
  header.push_back(static_cast<std::uint8_t>(s.scid.size()));
  header.insert(header.end(), s.scid.begin(), s.scid.end());
  put_varint(header, s.token.size());
  header.insert(header.end(), s.token.begin(), s.token.end());
  // Pad so header + 2-byte Length + pn + payload + tag reaches pad_to, and the
  // sample always has its 16 bytes.
  const std::size_t fixed = header.size() + 2 + s.pn_length + 16;
  if (s.pad_to > fixed + frames.size()) frames.resize(s.pad_to - fixed, 0x00);
  if (frames.size() + s.pn_length < 4) frames.resize(4 - s.pn_length, 0x00);
  const std::size_t length = s.pn_length + frames.size() + 16;
  REQUIRE(length < 0x4000);
  header.push_back(static_cast<std::uint8_t>(0x40 | length >> 8));
  header.push_back(static_cast<std::uint8_t>(length));
  const std::size_t pn_offset = header.size();
  for (std::size_t i = 0; i < s.pn_length; ++i) {
    header.push_back(static_cast<std::uint8_t>(s.packet_number >> (8 * (s.pn_length - 1 - i))));
  }

  Bytes nonce = iv;
  for (std::size_t i = 0; i < 4; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(s.packet_number >> (8 * i));
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes ciphertext(frames.size());
  Bytes tag(16);
  int n = 0;
  REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), nonce.data()) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &n, header.data(), static_cast<int>(header.size())) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, ciphertext.data(), &n, frames.data(), static_cast<int>(frames.size())) == 1);
  REQUIRE(EVP_EncryptFinal_ex(ctx, tag.data(), &n) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag.data()) == 1);
  EVP_CIPHER_CTX_free(ctx);

  Bytes packet = header;
  packet.insert(packet.end(), ciphertext.begin(), ciphertext.end());
  packet.insert(packet.end(), tag.begin(), tag.end());

  ctx = EVP_CIPHER_CTX_new();
  Bytes mask(32);
  REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, hp.data(), nullptr) == 1);
  REQUIRE(EVP_CIPHER_CTX_set_padding(ctx, 0) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, mask.data(), &n, packet.data() + pn_offset + 4, 16) == 1);
  EVP_CIPHER_CTX_free(ctx);
  packet[0] ^= mask[0] & 0x0f;
  for (std::size_t i = 0; i < s.pn_length; ++i) packet[pn_offset + i] ^= mask[1 + i];
  return packet;
}

std::string alpn_joined(const QuicInitialInfo& info) {
  std::string out;
  for (const auto a : info.alpn.view()) {
    if (!out.empty()) out += ',';
    out += std::string(a);
  }
  return out;
}

}  // namespace

TEST_CASE("parse_quic_initial decrypts the RFC 9001 A.2 client Initial to its ClientHello", "[proto][quic]") {
  const Bytes packet = from_hex(kRfcProtectedPacket);
  REQUIRE(packet.size() == 1200);
  Parsed p;
  parse(packet, p);
  REQUIRE(p.status == QuicInitialStatus::ok);
  CHECK(p.info.version == kQuicVersion1);
  CHECK(Bytes(p.info.dcid_view().begin(), p.info.dcid_view().end()) == from_hex("8394c8f03e515708"));
  CHECK(p.info.scid_length == 0);
  CHECK(p.info.token_length == 0);
  CHECK(p.info.packet_number == 2);
  CHECK(p.info.packet_offset == 0);
  REQUIRE(p.info.has_client_hello);
  CHECK(p.info.sni == "example.com");
  CHECK(alpn_joined(p.info) == "alpn");
  CHECK(p.info.hello.cipher_suites.view().size() == 2);
  CHECK(p.info.hello.cipher_suites.items[0] == 0x1301);
  // QUIC, TLS 1.3, SNI, 2 ciphers, 11 extensions, ALPN "alpn".
  CHECK(p.info.ja4.text().substr(0, 10) == "q13d0211an");

  // The plaintext is the published payload: the CRYPTO frame, then zeros
  // (PADDING) up to the tag.
  const Bytes frame = from_hex(kRfcCryptoFrame);
  const std::size_t plaintext_length = 1200 - 22 - 16;
  REQUIRE(std::equal(frame.begin(), frame.end(), p.scratch.begin()));
  CHECK(std::all_of(p.scratch.begin() + frame.size(), p.scratch.begin() + plaintext_length,
                    [](std::uint8_t b) { return b == 0; }));
  // And the ClientHello the TLS parser read is the published one, byte for byte.
  const Bytes hello = rfc_client_hello();
  const auto found = std::search(p.scratch.begin() + plaintext_length, p.scratch.end(), hello.begin(), hello.end());
  CHECK(found == p.scratch.begin() + plaintext_length + 5);
  CHECK(reinterpret_cast<const std::uint8_t*>(p.info.sni.data()) > p.scratch.data() + plaintext_length);
}

TEST_CASE("parse_quic_initial reports auth_failed for any flipped bit of the RFC packet", "[proto][quic]") {
  const Bytes original = from_hex(kRfcProtectedPacket);
  SECTION("ciphertext, tag, sample and protected header bits") {
    // Byte 0 low nibble, the packet number bytes, a payload byte, the sample, the tag.
    for (const std::size_t index : {std::size_t{0}, std::size_t{18}, std::size_t{21}, std::size_t{22}, std::size_t{30},
                                    std::size_t{600}, std::size_t{1183}, std::size_t{1199}}) {
      for (const std::uint8_t bit : {std::uint8_t{0x01}, std::uint8_t{0x02}, std::uint8_t{0x80}}) {
        if (index == 0 && bit == 0x80) continue;  // that makes it a short header
        Bytes packet = original;
        packet[index] ^= bit;
        Parsed p;
        parse(packet, p);
        INFO("byte " << index << " bit " << int(bit));
        CHECK(p.status == QuicInitialStatus::auth_failed);
        CHECK_FALSE(p.info.has_client_hello);
      }
    }
  }
  SECTION("the destination connection ID derives other keys") {
    Bytes packet = original;
    packet[6] ^= 0x01;
    Parsed p;
    parse(packet, p);
    CHECK(p.status == QuicInitialStatus::auth_failed);
  }
  SECTION("the version selects another salt") {
    Bytes packet = original;
    packet[1] = 0xff;
    packet[4] = 0x1d;  // draft-29
    Parsed p;
    parse(packet, p);
    CHECK(p.status == QuicInitialStatus::auth_failed);
    CHECK(p.info.version == 0xff00001d);
  }
}

TEST_CASE("parse_quic_initial never reads past a truncated datagram", "[proto][quic]") {
  const Bytes original = from_hex(kRfcProtectedPacket);
  for (std::size_t size = 0; size < original.size(); ++size) {
    const Bytes packet(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(size));
    Parsed p;
    parse(packet, p);
    INFO("size " << size << " status " << to_string(p.status));
    if (size == 0) {
      CHECK(p.status == QuicInitialStatus::not_long_header);
    } else {
      // Every cut falls inside the header or inside the Length the header declares.
      CHECK(p.status == QuicInitialStatus::truncated);
    }
  }
}

TEST_CASE("parse_quic_initial classifies headers it does not decrypt", "[proto][quic]") {
  Parsed p;
  SECTION("short header") {
    parse(from_hex("40" "8394c8f03e515708" "00112233445566778899aabbccddeeff00112233"), p);
    CHECK(p.status == QuicInitialStatus::not_long_header);
  }
  SECTION("version negotiation") {
    parse(from_hex("c0" "00000000" "08" "8394c8f03e515708" "00" "00000001"), p);
    CHECK(p.status == QuicInitialStatus::version_negotiation);
  }
  SECTION("unknown version keeps the connection IDs") {
    parse(from_hex("c0" "51303530" "04" "01020304" "02" "0506" "00" "1234"), p);
    CHECK(p.status == QuicInitialStatus::unsupported_version);
    CHECK(p.info.version == 0x51303530);
    CHECK(Bytes(p.info.dcid_view().begin(), p.info.dcid_view().end()) == Bytes{1, 2, 3, 4});
    CHECK(Bytes(p.info.scid_view().begin(), p.info.scid_view().end()) == Bytes{5, 6});
  }
  SECTION("connection ID longer than 20 bytes") {
    parse(from_hex("c0" "00000001" "15" "000102030405060708090a0b0c0d0e0f1011121314" "00" "00" "4100"), p);
    CHECK(p.status == QuicInitialStatus::malformed);
  }
  SECTION("Retry") {
    parse(from_hex("f0" "00000001" "00" "04" "01020304" "aabbccdd" "00112233445566778899aabbccddeeff"), p);
    CHECK(p.status == QuicInitialStatus::not_initial);
  }
  SECTION("Length too short to hold a sample") {
    parse(from_hex("c0" "00000001" "01" "aa" "00" "00" "13" "00112233445566778899aabbccddeeff001122"), p);
    CHECK(p.status == QuicInitialStatus::malformed);
  }
  SECTION("token longer than the datagram") {
    parse(from_hex("c0" "00000001" "01" "aa" "00" "7fff" "00"), p);
    CHECK(p.status == QuicInitialStatus::truncated);
  }
  SECTION("scratch one byte short") {
    const Bytes packet = from_hex(kRfcProtectedPacket);
    parse(packet, p, 2 * (1200 - 18) + 4);
    CHECK(p.status == QuicInitialStatus::scratch_too_small);
    parse(packet, p, 2 * (1200 - 18) + 5);
    CHECK(p.status == QuicInitialStatus::ok);
  }
}

TEST_CASE("parse_quic_initial reassembles CRYPTO frames in any order around ACK and PING", "[proto][quic]") {
  const Bytes hello = rfc_client_hello();
  auto part = [&](std::size_t from, std::size_t to) {
    return crypto_frame(from, Bytes(hello.begin() + static_cast<std::ptrdiff_t>(from),
                                    hello.begin() + static_cast<std::ptrdiff_t>(to)));
  };
  Bytes frames;
  auto append = [&](const Bytes& b) { frames.insert(frames.end(), b.begin(), b.end()); };
  append(from_hex("01"));                      // PING
  append(part(150, 241));
  append(from_hex("0000"));                    // PADDING
  append(from_hex("02" "05" "4010" "02" "01" "00" "01" "01" "00"));  // ACK, two extra ranges
  append(part(0, 10));
  append(from_hex("03" "00" "00" "00" "00" "01" "02" "03"));  // ACK with ECN counts
  append(part(60, 160));                       // overlaps the first part
  append(part(10, 60));

  Parsed p;
  SECTION("v1, 2-byte packet number, with a token") {
    Seal s;
    s.token = from_hex("0102030405");
    s.packet_number = 0x1234;
    parse(seal_client_initial(s, frames), p);
    REQUIRE(p.status == QuicInitialStatus::ok);
    CHECK(p.info.packet_number == 0x1234);
    CHECK(p.info.token_length == 5);
    CHECK(Bytes(p.info.scid_view().begin(), p.info.scid_view().end()) == from_hex("c0ffee"));
  }
  SECTION("v2, 4-byte packet number") {
    Seal s;
    s.version = kQuicVersion2;
    s.pn_length = 4;
    s.packet_number = 0x01020304;
    parse(seal_client_initial(s, frames), p);
    REQUIRE(p.status == QuicInitialStatus::ok);
    CHECK(p.info.version == kQuicVersion2);
    CHECK(p.info.packet_number == 0x01020304);
  }
  CHECK(p.info.sni == "example.com");
  CHECK(alpn_joined(p.info) == "alpn");
}

TEST_CASE("parse_quic_initial reports a ClientHello missing bytes as incomplete or absent", "[proto][quic]") {
  const Bytes hello = rfc_client_hello();
  const Bytes head(hello.begin(), hello.begin() + 100);
  const Bytes tail(hello.begin() + 100, hello.end());
  Parsed p;
  SECTION("only the first part") {
    parse(seal_client_initial(Seal{}, crypto_frame(0, head)), p);
    CHECK(p.status == QuicInitialStatus::client_hello_incomplete);
  }
  SECTION("a gap in the middle") {
    Bytes frames = crypto_frame(0, Bytes(head.begin(), head.begin() + 50));
    const Bytes rest = crypto_frame(60, Bytes(hello.begin() + 60, hello.end()));
    frames.insert(frames.end(), rest.begin(), rest.end());
    parse(seal_client_initial(Seal{}, frames), p);
    CHECK(p.status == QuicInitialStatus::client_hello_incomplete);
  }
  SECTION("only the second part") {
    parse(seal_client_initial(Seal{}, crypto_frame(100, tail)), p);
    CHECK(p.status == QuicInitialStatus::no_crypto);
  }
  SECTION("ACK only") {
    parse(seal_client_initial(Seal{}, from_hex("02" "00" "00" "00" "00")), p);
    CHECK(p.status == QuicInitialStatus::no_crypto);
  }
  SECTION("a CRYPTO frame whose offset is near 2^62") {
    parse(seal_client_initial(Seal{}, from_hex("06" "fffffffffffffff0" "04" "01020304")), p);
    CHECK(p.status == QuicInitialStatus::no_crypto);
  }
  SECTION("a CRYPTO length past the payload") {
    Seal s;
    s.pad_to = 0;
    parse(seal_client_initial(s, from_hex("06" "00" "4100" "01000004")), p);
    CHECK(p.status == QuicInitialStatus::malformed_frame);
  }
  SECTION("an ACK cut short") {
    Seal s;
    s.pad_to = 0;
    parse(seal_client_initial(s, from_hex("02" "00" "00" "3f")), p);
    CHECK(p.status == QuicInitialStatus::malformed_frame);
  }
  SECTION("frames after CONNECTION_CLOSE are not read") {
    Bytes frames = crypto_frame(0, head);
    frames.push_back(0x1c);
    const Bytes rest = crypto_frame(100, tail);
    frames.insert(frames.end(), rest.begin(), rest.end());
    parse(seal_client_initial(Seal{}, frames), p);
    CHECK(p.status == QuicInitialStatus::client_hello_incomplete);
  }
  SECTION("a ServerHello in the CRYPTO stream") {
    parse(seal_client_initial(Seal{}, crypto_frame(0, from_hex("020000020303"))), p);
    CHECK(p.status == QuicInitialStatus::malformed_client_hello);
  }
  CHECK_FALSE(p.info.has_client_hello);
}

TEST_CASE("parse_quic_initial skips a coalesced Handshake packet before the Initial", "[proto][quic]") {
  // A Handshake packet (type 2) with a 3-byte Length-covered body, then the
  // RFC Initial; then the Initial followed by a short-header packet.
  Bytes datagram = from_hex("e0" "00000001" "00" "00" "03" "aabbcc");
  const Bytes initial = from_hex(kRfcProtectedPacket);
  datagram.insert(datagram.end(), initial.begin(), initial.end());
  Parsed p;
  parse(datagram, p);
  REQUIRE(p.status == QuicInitialStatus::ok);
  CHECK(p.info.packet_offset == 11);
  CHECK(p.info.sni == "example.com");

  Bytes trailing = initial;
  trailing.insert(trailing.end(), {0x40, 0x01, 0x02, 0x03});
  parse(trailing, p);
  CHECK(p.status == QuicInitialStatus::ok);

  parse(from_hex("e0" "00000001" "00" "00" "03" "aabbcc" "40010203"), p);
  CHECK(p.status == QuicInitialStatus::not_initial);
}

TEST_CASE("parse_quic_initial agrees with tshark on the client Initials of real captures", "[proto][quic][corpus]") {
  struct Capture {
    std::string test;
    std::size_t expected_ok;  // Initials that carry a whole ClientHello
  };
  const std::vector<Capture> captures = {
      {"quic-ietf", 1},       {"quic-initial-not-first", 3}, {"ja4-tls-quic", 1},        {"quic-v2", 1},
      {"quic-frag", 0},       {"quic-frag-middle-gap", 0},   {"quic-frag-unordered", 0}, {"quic-frag-wait", 0},
      {"quic-retry", 0},
  };
  for (const auto& capture : captures) {
    const std::string pcap = opensoc::proto::test::corpus_capture(capture.test, "input.pcap");
    INFO(capture.test);
    // The ClientHello as tshark reassembles it (once per capture: it does not
    // dissect retransmitted CRYPTO data again).
    const auto hellos = opensoc::proto::test::tshark_rows(
        pcap, "udp.dstport == 443 && tls.handshake.type == 1",
        {"tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str"});
    REQUIRE(!hellos.empty());
    REQUIRE(hellos[0].size() == 2);
    const auto rows = opensoc::proto::test::tshark_rows(pcap, "udp.dstport == 443 && quic.header_form == 1",
                                                        {"frame.number", "udp.payload", "quic.version", "quic.dcid",
                                                         "_ws.col.Info", "quic.token_length"});
    REQUIRE(!rows.empty());
    std::size_t ok = 0;
    std::string original_dcid;
    for (const auto& row : rows) {
      REQUIRE(row.size() == 6);
      INFO("frame " << row[0] << ": " << row[4]);
      Parsed p;
      parse(from_hex(row[1]), p);
      INFO("status " << to_string(p.status));
      // tshark lists one version per coalesced packet; the first is the Initial's.
      CHECK(row[2].substr(0, 10) == [&] {
        char text[11];
        std::snprintf(text, sizeof text, "0x%08x", p.info.version);
        return std::string(text);
      }());
      if (row[4].rfind("Initial", 0) != 0) {
        CHECK(p.status == QuicInitialStatus::not_initial);  // the client's Handshake packets
        continue;
      }
      // A Retry's token comes with the connection ID the keys derive from.
      if (original_dcid.empty() || row[5].substr(0, row[5].find(',')) != "0") original_dcid = row[3];
      if (row[3] != original_dcid) {
        // Once the server has answered, the client addresses the server's
        // connection ID but keeps the keys of the original one: a datagram
        // alone cannot be opened.
        CHECK(p.status == QuicInitialStatus::auth_failed);
        continue;
      }
      CHECK((p.status == QuicInitialStatus::ok || p.status == QuicInitialStatus::client_hello_incomplete ||
             p.status == QuicInitialStatus::no_crypto));
      std::string dcid;
      for (const auto b : p.info.dcid_view()) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", b);
        dcid += hex;
      }
      CHECK(row[3].substr(0, dcid.size()) == dcid);
      CHECK(row[5].substr(0, row[5].find(',')) == std::to_string(p.info.token_length));
      if (p.status == QuicInitialStatus::ok) {
        ++ok;
        CHECK(std::string(p.info.sni) == hellos[0][0]);
        CHECK(alpn_joined(p.info) == hellos[0][1]);
        if (capture.test == "ja4-tls-quic") {
          // suricata-verify ja4-tls-quic/test.yaml
          CHECK(p.info.ja4.text() == "q13d0310h3_55b375c5d22e_cd85d2d88918");
        }
      }
    }
    CHECK(ok == capture.expected_ok);
  }
}
