// TLS server certificate extraction and X.509 summary (see
// tls_certificate.hpp).
//
// Flow: the server's records are walked one handshake message at a time; the
// message header may itself span records, so its four bytes are gathered
// first. Messages before the Certificate (ServerHello, HelloRequest...) are
// skipped by length. Of the Certificate message only the list length, the
// leaf's length and the leaf are needed; they are handed out as a view into
// the stream when one record holds them, else gathered into scratch. The DER
// is then decoded by OpenSSL, except the serial, which is read from the DER
// so that it prints exactly as sent (Suricata and tshark show the raw content
// bytes, including a leading 00 sign byte). Runs on whichever thread calls it.
#include "proto/tls_certificate.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <limits>
#include <memory>

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "opensoc/core/byte_order.hpp"

namespace opensoc::proto {

namespace {

constexpr std::uint8_t kContentHandshake = 22;
constexpr std::uint8_t kHandshakeCertificate = 11;
constexpr std::uint8_t kHandshakeServerHelloDone = 14;
// Certificate body: certificate_list length (3), leaf length (3), leaf.
constexpr std::size_t kCertificatePrefixBytes = 6;

std::uint32_t load_u24(const std::uint8_t* p) noexcept {
  std::uint8_t b[3];
  std::memcpy(b, p, 3);
  return static_cast<std::uint32_t>(b[0]) << 16 | static_cast<std::uint32_t>(b[1]) << 8 | b[2];
}

// Checks the Certificate message's two leading lengths against the message
// length; returns the leaf length, or 0 when they do not add up.
std::size_t leaf_length(const std::uint8_t* prefix, std::size_t message_length) noexcept {
  const std::size_t list_length = load_u24(prefix);
  const std::size_t leaf = load_u24(prefix + 3);
  if (3 + list_length != message_length || leaf == 0 || leaf + 3 > list_length) return 0;
  return leaf;
}

}  // namespace

std::string_view to_string(TlsCertificateStatus status) noexcept {
  switch (status) {
    case TlsCertificateStatus::ok: return "ok";
    case TlsCertificateStatus::truncated: return "truncated";
    case TlsCertificateStatus::not_handshake: return "not_handshake";
    case TlsCertificateStatus::no_certificate: return "no_certificate";
    case TlsCertificateStatus::malformed_record: return "malformed_record";
    case TlsCertificateStatus::malformed_certificate: return "malformed_certificate";
    case TlsCertificateStatus::too_large: return "too_large";
  }
  return "unknown";
}

TlsCertificateStatus find_tls_certificate_message(std::span<const std::uint8_t> server_stream,
                                                  std::span<std::uint8_t> scratch,
                                                  std::span<const std::uint8_t>& leaf_der) noexcept {
  leaf_der = {};
  std::array<std::uint8_t, 4> header{};
  std::size_t header_have = 0;   // bytes of the current message header seen
  std::size_t skip_left = 0;     // body bytes of a non-Certificate message still to skip
  bool in_certificate = false;   // the header just read was the Certificate's
  std::size_t message_length = 0;
  std::size_t gathered = 0;      // Certificate body bytes copied into scratch
  std::size_t need = 0;          // 6 + leaf length, once known
  std::size_t pos = 0;
  for (bool first = true;; first = false) {
    if (server_stream.size() - pos < 5) return TlsCertificateStatus::truncated;
    const std::uint8_t* record = server_stream.data() + pos;
    if (record[0] != kContentHandshake) {
      return first ? TlsCertificateStatus::not_handshake : TlsCertificateStatus::no_certificate;
    }
    const std::size_t record_length = load_be16(record + 3);
    // RFC 5246 6.2.1: zero-length handshake fragments are not allowed.
    if (record_length == 0) return TlsCertificateStatus::malformed_record;
    const std::size_t available = std::min(record_length, server_stream.size() - pos - 5);
    const std::span<const std::uint8_t> fragment = server_stream.subspan(pos + 5, available);

    std::size_t off = 0;
    while (off < fragment.size()) {
      const std::size_t left = fragment.size() - off;
      if (header_have < 4) {
        const std::size_t n = std::min(4 - header_have, left);
        std::memcpy(header.data() + header_have, fragment.data() + off, n);
        header_have += n;
        off += n;
        if (header_have < 4) continue;
        message_length = load_u24(header.data() + 1);
        if (header[0] == kHandshakeCertificate) {
          if (message_length < kCertificatePrefixBytes) return TlsCertificateStatus::malformed_certificate;
          in_certificate = true;
        } else if (header[0] == kHandshakeServerHelloDone) {
          return TlsCertificateStatus::no_certificate;
        } else {
          skip_left = message_length;
          if (skip_left == 0) header_have = 0;
        }
        continue;
      }
      if (!in_certificate) {
        const std::size_t n = std::min(skip_left, left);
        off += n;
        skip_left -= n;
        if (skip_left == 0) header_have = 0;
        continue;
      }
      // Zero-copy: the whole leaf lies in this record.
      if (gathered == 0 && left >= kCertificatePrefixBytes) {
        const std::size_t leaf = leaf_length(fragment.data() + off, message_length);
        if (leaf == 0) return TlsCertificateStatus::malformed_certificate;
        if (left - kCertificatePrefixBytes >= leaf) {
          leaf_der = fragment.subspan(off + kCertificatePrefixBytes, leaf);
          return TlsCertificateStatus::ok;
        }
      }
      const std::size_t target = gathered < kCertificatePrefixBytes ? kCertificatePrefixBytes : need;
      if (target > scratch.size()) return TlsCertificateStatus::too_large;
      const std::size_t n = std::min(target - gathered, left);
      std::memcpy(scratch.data() + gathered, fragment.data() + off, n);
      gathered += n;
      off += n;
      if (gathered == kCertificatePrefixBytes && need == 0) {
        const std::size_t leaf = leaf_length(scratch.data(), message_length);
        if (leaf == 0) return TlsCertificateStatus::malformed_certificate;
        need = kCertificatePrefixBytes + leaf;
        if (need > scratch.size()) return TlsCertificateStatus::too_large;
      }
      if (need != 0 && gathered == need) {
        leaf_der = std::span<const std::uint8_t>(scratch.data() + kCertificatePrefixBytes, need - kCertificatePrefixBytes);
        return TlsCertificateStatus::ok;
      }
    }
    if (available < record_length) return TlsCertificateStatus::truncated;
    pos += 5 + record_length;
  }
}

namespace {

struct X509Deleter {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* names) const noexcept { GENERAL_NAMES_free(names); }
};

void append_hex(std::string& out, std::span<const std::uint8_t> bytes, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) out += ':';
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0x0f];
  }
}

// A minimal DER walker, for the one field OpenSSL would re-encode (the serial).
class DerReader {
 public:
  explicit DerReader(std::span<const std::uint8_t> data) noexcept : data_(data) {}

  // Reads one TLV; `value` is its content.
  bool next(std::uint8_t& tag, std::span<const std::uint8_t>& value) noexcept {
    if (data_.size() - pos_ < 2) return false;
    tag = data_[pos_];
    std::size_t length = data_[pos_ + 1];
    std::size_t at = pos_ + 2;
    if (length & 0x80) {
      const std::size_t count = length & 0x7f;
      if (count == 0 || count > 4 || data_.size() - at < count) return false;
      length = 0;
      for (std::size_t i = 0; i < count; ++i) length = length << 8 | data_[at + i];
      at += count;
    }
    if (data_.size() - at < length) return false;
    value = data_.subspan(at, length);
    pos_ = at + length;
    return true;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
// serialNumber INTEGER, ... } ... }
bool raw_serial(std::span<const std::uint8_t> der, std::span<const std::uint8_t>& serial) noexcept {
  std::uint8_t tag = 0;
  std::span<const std::uint8_t> certificate;
  std::span<const std::uint8_t> tbs;
  if (!DerReader(der).next(tag, certificate) || tag != 0x30) return false;
  if (!DerReader(certificate).next(tag, tbs) || tag != 0x30) return false;
  DerReader fields(tbs);
  if (!fields.next(tag, serial)) return false;
  if (tag == 0xa0 && !fields.next(tag, serial)) return false;
  return tag == 0x02 && !serial.empty();
}

// Suricata's names for the common attribute types (the x509-parser crate's
// abbreviations); anything else gets OpenSSL's short name or its OID.
std::string attribute_name(const ASN1_OBJECT* object) {
  const int nid = OBJ_obj2nid(object);
  switch (nid) {
    case NID_commonName: return "CN";
    case NID_countryName: return "C";
    case NID_localityName: return "L";
    case NID_stateOrProvinceName: return "ST";
    case NID_organizationName: return "O";
    case NID_organizationalUnitName: return "OU";
    case NID_domainComponent: return "DC";
    case NID_pkcs9_emailAddress: return "Email";
    default: break;
  }
  if (nid != NID_undef) {
    if (const char* sn = OBJ_nid2sn(nid)) return sn;
  }
  std::array<char, 128> text{};
  const int n = OBJ_obj2txt(text.data(), static_cast<int>(text.size()), object, 1);
  if (n <= 0) return "?";
  return std::string(text.data(), std::min<std::size_t>(static_cast<std::size_t>(n), text.size() - 1));
}

std::string attribute_value(const ASN1_STRING* value) {
  switch (ASN1_STRING_type(value)) {
    case V_ASN1_UTF8STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_T61STRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_UNIVERSALSTRING:
    case V_ASN1_NUMERICSTRING:
    case V_ASN1_VISIBLESTRING: {
      unsigned char* utf8 = nullptr;
      const int n = ASN1_STRING_to_UTF8(&utf8, value);
      if (n >= 0) {
        std::string text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
        OPENSSL_free(utf8);
        return text;
      }
      ERR_clear_error();
      break;
    }
    default: break;
  }
  std::string hex;
  append_hex(hex, {ASN1_STRING_get0_data(value), static_cast<std::size_t>(ASN1_STRING_length(value))}, false);
  return hex;
}

std::string format_name(const X509_NAME* name) {
  std::string out;
  if (name == nullptr) return out;
  int previous_set = -1;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const int set = X509_NAME_ENTRY_set(entry);
    if (i != 0) out += set == previous_set ? " + " : ", ";
    previous_set = set;
    out += attribute_name(X509_NAME_ENTRY_get_object(entry));
    out += '=';
    out += attribute_value(X509_NAME_ENTRY_get_data(entry));
  }
  return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil), valid far beyond time_t's 32-bit range.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool time_ns(const ASN1_TIME* time, TimestampNs& out) noexcept {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return false;
  const std::int64_t days = days_from_civil(std::int64_t{tm.tm_year} + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                            static_cast<unsigned>(tm.tm_mday));
  const std::int64_t seconds = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  constexpr std::int64_t kMax = std::numeric_limits<TimestampNs>::max() / kNsPerSecond;
  if (seconds > kMax) out = std::numeric_limits<TimestampNs>::max();
  else if (seconds < -kMax) out = std::numeric_limits<TimestampNs>::min();
  else out = seconds * kNsPerSecond;
  return true;
}

void collect_sans(X509* certificate, std::vector<std::string>& sans) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    int type = 0;
    const ASN1_STRING* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(name, &type));
    if (value == nullptr) continue;
    const unsigned char* data = ASN1_STRING_get0_data(value);
    const int length = ASN1_STRING_length(value);
    if (type == GEN_DNS) {
      sans.emplace_back(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
    } else if (type == GEN_IPADD && (length == 4 || length == 16)) {
      std::array<char, INET6_ADDRSTRLEN> text{};
      if (inet_ntop(length == 4 ? AF_INET : AF_INET6, data, text.data(), static_cast<socklen_t>(text.size()))) {
        sans.emplace_back(text.data());
      }
    }
  }
}

}  // namespace

Result<X509Summary> summarize_certificate(std::span<const std::uint8_t> der) {
  if (der.empty() || der.size() > static_cast<std::size_t>(std::numeric_limits<long>::max())) {
    return Error{"empty certificate"};
  }
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Deleter> certificate(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!certificate) {
    ERR_clear_error();
    return Error{"certificate does not decode as X.509 DER"};
  }
  X509Summary summary;
  summary.subject = format_name(X509_get_subject_name(certificate.get()));
  summary.issuer = format_name(X509_get_issuer_name(certificate.get()));

  std::span<const std::uint8_t> serial;
  if (raw_serial(der, serial)) append_hex(summary.serial, serial, true);

  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  if (EVP_Digest(der.data(), der.size(), digest.data(), &digest_length, EVP_sha1(), nullptr) != 1) {
    ERR_clear_error();
    return Error{"SHA-1 digest failed"};
  }
  append_hex(summary.fingerprint_sha1, {digest.data(), digest_length}, false);

  if (!time_ns(X509_get0_notBefore(certificate.get()), summary.not_before) ||
      !time_ns(X509_get0_notAfter(certificate.get()), summary.not_after)) {
    ERR_clear_error();
    return Error{"certificate validity date unreadable"};
  }
  collect_sans(certificate.get(), summary.sans);
  ERR_clear_error();
  return summary;
}

}  // namespace opensoc::proto
