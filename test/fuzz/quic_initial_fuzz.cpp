// libFuzzer entry point for the QUIC client Initial parser. The first input
// byte picks the mode: even, the rest is one UDP payload as captured (header
// parsing, header protection, AEAD rejection); odd, the rest is the decrypted
// payload of an Initial, which the harness seals with the v1 client keys of a
// fixed connection ID so the frame walk, CRYPTO reassembly and the TLS parser
// behind the AEAD are reached too. The scratch buffer is sized exactly (an
// over-run is a sanitizer report, not a write into slack), and once more too
// small. Besides "no crash, no sanitizer report", it checks that the views
// returned lie inside the scratch buffer and that ok comes with a ClientHello
// and a JA4 of the fixed shape.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "proto/quic_initial.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

void check(bool condition) {
  if (!condition) std::abort();
}

bool inside(std::string_view v, const Bytes& buf) {
  if (v.empty()) return true;
  const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
  return !buf.empty() && p >= buf.data() && p + v.size() <= buf.data() + buf.size();
}

Bytes hkdf(int mode, const Bytes& key, const Bytes& salt, const Bytes& info, std::size_t length) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  Bytes out(length);
  std::size_t n = length;
  check(ctx != nullptr && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_CTX_hkdf_mode(ctx, mode) == 1 &&
        EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1 &&
        EVP_PKEY_CTX_set1_hkdf_key(ctx, key.data(), static_cast<int>(key.size())) == 1 &&
        (salt.empty() || EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt.data(), static_cast<int>(salt.size())) == 1) &&
        (info.empty() || EVP_PKEY_CTX_add1_hkdf_info(ctx, info.data(), static_cast<int>(info.size())) == 1) &&
        EVP_PKEY_derive(ctx, out.data(), &n) == 1);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

Bytes expand_label(const Bytes& secret, const std::string& label, std::size_t length) {
  const std::string full = "tls13 " + label;
  Bytes info = {0, static_cast<std::uint8_t>(length), static_cast<std::uint8_t>(full.size())};
  info.insert(info.end(), full.begin(), full.end());
  info.push_back(0);
  return hkdf(EVP_PKEY_HKDEF_MODE_EXPAND_ONLY, secret, {}, info, length);
}

struct Keys {
  Bytes key, iv, hp;
};

const Bytes kDcid = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

Keys client_keys() {
  const Bytes salt = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                      0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
  const Bytes initial = hkdf(EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY, kDcid, salt, {}, 32);
  const Bytes client = expand_label(initial, "client in", 32);
  return {expand_label(client, "quic key", 16), expand_label(client, "quic iv", 12), expand_label(client, "quic hp", 16)};
}

// A v1 client Initial, packet number 0 in one byte, carrying `frames`.
Bytes seal(const Keys& keys, Bytes frames) {
  if (frames.size() < 3) frames.resize(3, 0x00);  // the sample needs 4 bytes past the packet number
  frames.resize(std::min<std::size_t>(frames.size(), 0x3fff - 17));
  const std::size_t length = 1 + frames.size() + 16;
  Bytes packet = {0xc0, 0, 0, 0, 1, static_cast<std::uint8_t>(kDcid.size())};
  packet.insert(packet.end(), kDcid.begin(), kDcid.end());
  packet.insert(packet.end(), {0x00, 0x00, static_cast<std::uint8_t>(0x40 | length >> 8),
                               static_cast<std::uint8_t>(length), 0x00});
  const std::size_t pn_offset = packet.size() - 1;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes ciphertext(frames.size()), tag(16), mask(32);
  int n = 0;
  check(ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, keys.key.data(), keys.iv.data()) == 1 &&
        EVP_EncryptUpdate(ctx, nullptr, &n, packet.data(), static_cast<int>(packet.size())) == 1 &&
        EVP_EncryptUpdate(ctx, ciphertext.data(), &n, frames.data(), static_cast<int>(frames.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx, tag.data(), &n) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag.data()) == 1);
  EVP_CIPHER_CTX_free(ctx);
  packet.insert(packet.end(), ciphertext.begin(), ciphertext.end());
  packet.insert(packet.end(), tag.begin(), tag.end());
  ctx = EVP_CIPHER_CTX_new();
  check(ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, keys.hp.data(), nullptr) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
        EVP_EncryptUpdate(ctx, mask.data(), &n, packet.data() + pn_offset + 4, 16) == 1);
  EVP_CIPHER_CTX_free(ctx);
  packet[0] ^= mask[0] & 0x0f;
  packet[pn_offset] ^= mask[1];
  return packet;
}

void parse_and_check(const Bytes& datagram, std::size_t scratch_size, bool sealed) {
  using namespace opensoc::proto;
  Bytes scratch(scratch_size);
  QuicInitialInfo info;
  const QuicInitialStatus status = parse_quic_initial(datagram, scratch, info);
  check(to_string(status) != "unknown");
  check(info.dcid_length <= kQuicMaxConnectionIdBytes && info.scid_length <= kQuicMaxConnectionIdBytes);
  check(info.has_client_hello == (status == QuicInitialStatus::ok));
  // A packet sealed with the right keys never fails authentication.
  if (sealed && scratch_size >= quic_initial_scratch_bytes(datagram.size())) check(status != QuicInitialStatus::auth_failed);
  if (status == QuicInitialStatus::ok) {
    check(inside(info.sni, scratch));
    for (const auto alpn : info.alpn.view()) check(inside(alpn, scratch));
    check(info.ja4.text()[0] == 'q' && info.ja4.text()[10] == '_' && info.ja4.text()[23] == '_');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool sealed = (data[0] & 1) != 0;
  Bytes datagram(data + 1, data + size);
  if (sealed) {
    static const Keys keys = client_keys();  // derived once: the keys are a constant of the harness
    datagram = seal(keys, datagram);
  }
  parse_and_check(datagram, opensoc::proto::quic_initial_scratch_bytes(datagram.size()), sealed);
  parse_and_check(datagram, datagram.size(), sealed);
  return 0;
}
