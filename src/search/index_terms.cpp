// Index terms: turns a SearchDocument into Xapian terms and value slots, and
// offers the same term builders to the query compiler. The term scheme is
// documented in index_terms.hpp. Called on the search writer thread (fill_document)
// and by whichever thread compiles a query (the builders); no shared state.
#include "search/index_terms.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include <xapian.h>

namespace opensoc::search {
namespace {

constexpr std::array<unsigned, 5> kV4Lengths{0, 8, 16, 24, 32};
constexpr std::array<unsigned, 6> kV6Lengths{0, 16, 32, 48, 64, 128};

bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string make_term(std::string_view prefix, std::string_view marker, std::string_view value) {
  std::string t;
  t.reserve(prefix.size() + marker.size() + 1 + value.size());
  t.append(prefix).append(marker).push_back(':');
  t.append(value);
  if (t.size() > kMaxTermBytes) t.resize(kMaxTermBytes);
  return t;
}

// Display value for a facet slot: set once, from the first value of a field.
void set_slot_once(Xapian::Document& doc, const FieldSpec& f, const std::string& v) {
  if (f.slot == kNoSlot) return;
  const auto slot = static_cast<Xapian::valueno>(f.slot);
  if (doc.get_value(slot).empty()) doc.add_value(slot, v);
}

void add_words(Xapian::Document& doc, std::string_view text) {
  for (const std::string& w : text_words(text)) doc.add_term(w);
}

void index_domain(Xapian::Document& doc, const FieldSpec& f, const std::string& name) {
  doc.add_boolean_term(field_term(f, name));
  // One suffix term per label boundary, so `*.example.com` is a single term.
  for (std::size_t i = 1; i + 1 < name.size(); ++i) {
    if (name[i] == '.') doc.add_boolean_term(domain_suffix_term(f, std::string_view(name).substr(i)));
  }
  doc.add_boolean_term(domain_reversed_term(f, std::string(name.rbegin(), name.rend())));
  add_words(doc, name);
}

void index_ip(Xapian::Document& doc, const FieldSpec& f, const IpAddress& a) {
  doc.add_boolean_term(field_term(f, a.to_string()));
  const auto lengths = ip_indexed_prefix_lengths(a.version);
  for (std::size_t i = 0; i + 1 < lengths.size(); ++i) doc.add_boolean_term(ip_network_term(f, a, lengths[i]));
}

void index_number(Xapian::Document& doc, const FieldSpec& f, double v) {
  if (!std::isfinite(v)) return;
  if (auto t = number_term(f, v)) doc.add_boolean_term(*t);
  if (f.slot == kNoSlot) return;
  const auto slot = static_cast<Xapian::valueno>(f.slot);
  if (doc.get_value(slot).empty()) doc.add_value(slot, Xapian::sortable_serialise(v));
}

void index_value(Xapian::Document& doc, const FieldSpec& f, const std::string& raw) {
  if (raw.empty()) return;
  switch (f.type) {
    case FieldType::keyword:
      doc.add_boolean_term(field_term(f, normalize_value(f, raw)));
      set_slot_once(doc, f, raw);
      return;
    case FieldType::text:
      doc.add_boolean_term(field_term(f, normalize_value(f, raw)));
      add_words(doc, raw);
      set_slot_once(doc, f, raw);
      return;
    case FieldType::domain: {
      const std::string name = normalize_value(f, raw);
      if (name.empty()) return;
      index_domain(doc, f, name);
      set_slot_once(doc, f, name);
      return;
    }
    case FieldType::ip:
      if (auto a = IpAddress::parse(raw)) {
        index_ip(doc, f, *a);
        set_slot_once(doc, f, a->to_string());
      } else {
        // Not an address (a zone id, garbage from the wire): still findable as typed.
        doc.add_boolean_term(field_term(f, lower_ascii(raw)));
        set_slot_once(doc, f, raw);
      }
      return;
    case FieldType::number: {
      // A number given as text: index it if it reads as one, else drop it.
      char* end = nullptr;
      const std::string s(raw);
      const double v = std::strtod(s.c_str(), &end);
      if (end == s.c_str() + s.size()) index_number(doc, f, v);
      return;
    }
    case FieldType::time:
      return;  // times come through SearchDocument::times
  }
}

std::string_view kind_term(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::session: return kSessionKindTerm;
    case DocumentKind::event: return kEventKindTerm;
    case DocumentKind::alert: return kAlertKindTerm;
    case DocumentKind::log: return kLogKindTerm;
  }
  return kEventKindTerm;
}

}  // namespace

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string normalize_value(const FieldSpec& field, std::string_view value) {
  switch (field.type) {
    case FieldType::domain: {
      std::string n = lower_ascii(value);
      if (!n.empty() && n.back() == '.') n.pop_back();
      return n;
    }
    case FieldType::ip:
      if (auto a = IpAddress::parse(value)) return a->to_string();
      return lower_ascii(value);
    default:
      return lower_ascii(value);
  }
}

std::string field_term(const FieldSpec& field, std::string_view normalized_value) {
  return make_term(field.prefix, "", normalized_value);
}

std::string domain_suffix_term(const FieldSpec& field, std::string_view dot_suffix) {
  return make_term(field.prefix, "S", dot_suffix);
}

std::string domain_reversed_term(const FieldSpec& field, std::string_view reversed_name) {
  return make_term(field.prefix, "R", reversed_name);
}

std::string ip_network_term(const FieldSpec& field, const IpAddress& network, unsigned bits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string marker = network.version == 6 ? "/6/" : "/4/";
  marker += std::to_string(bits);
  std::string hex;
  const std::size_t n = std::min<std::size_t>(bits / 8, network.bytes.size());
  for (std::size_t i = 0; i < n; ++i) {
    hex.push_back(kHex[network.bytes[i] >> 4]);
    hex.push_back(kHex[network.bytes[i] & 0xF]);
  }
  return make_term(field.prefix, marker, hex);
}

std::span<const unsigned> ip_indexed_prefix_lengths(unsigned version) noexcept {
  if (version == 6) return kV6Lengths;
  return kV4Lengths;
}

std::optional<std::string> number_term(const FieldSpec& field, double value) {
  // 2^63: beyond it the int64 conversion is undefined.
  constexpr double kLimit = 9223372036854775808.0;
  if (!std::isfinite(value) || std::trunc(value) != value || value >= kLimit || value < -kLimit) return std::nullopt;
  return make_term(field.prefix, "", std::to_string(static_cast<std::int64_t>(value)));
}

std::vector<std::string> text_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_alnum(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && is_alnum(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t len = i - start;
    if (len >= kMinWordBytes && len <= kMaxWordBytes) words.push_back(lower_ascii(text.substr(start, len)));
  }
  return words;
}

std::string timestamp_slot_value(TimestampNs ns) {
  const auto u = static_cast<std::uint64_t>(ns < 0 ? 0 : ns);
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((u >> (56 - 8 * i)) & 0xFF);
  return out;
}

std::string field_exists_term(const FieldSpec& field) { return "E:" + std::string(field.prefix); }

std::string dynamic_field_term(std::string_view name, std::string_view value) {
  std::string v = lower_ascii(name);
  v.push_back('=');
  v += lower_ascii(value);
  return make_term(dynamic_field_spec().prefix, "", v);
}

std::string dynamic_exists_term(std::string_view name) {
  std::string t = "E:XF:" + lower_ascii(name);
  if (t.size() > kMaxTermBytes) t.resize(kMaxTermBytes);
  return t;
}

void fill_document(const SearchDocument& in, Xapian::Document& doc) {
  doc.add_boolean_term(std::string(kind_term(in.kind)));
  if (!in.unique_id.empty()) {
    std::string id_term(kUniqueIdPrefix);
    id_term += in.unique_id;
    if (id_term.size() > kMaxTermBytes) id_term.resize(kMaxTermBytes);
    doc.add_boolean_term(id_term);
  }
  doc.add_value(kTimestampSlot, timestamp_slot_value(in.ts));
  for (const auto& [field, value] : in.values) {
    if (field == nullptr) continue;
    index_value(doc, *field, value);
    doc.add_boolean_term(field_exists_term(*field));
  }
  for (const auto& [field, value] : in.numbers) {
    if (field == nullptr || field->type != FieldType::number) continue;
    index_number(doc, *field, value);
    doc.add_boolean_term(field_exists_term(*field));
  }
  for (const auto& [field, value] : in.times) {
    if (field == nullptr || field->type != FieldType::time || field->slot == kNoSlot) continue;
    if (field->slot == static_cast<int>(kTimestampSlot)) continue;  // in.ts owns @timestamp
    const auto slot = static_cast<Xapian::valueno>(field->slot);
    if (doc.get_value(slot).empty()) doc.add_value(slot, timestamp_slot_value(value));
  }
  for (const auto& [name, value] : in.dynamic_values) {
    if (name.empty() || value.empty()) continue;
    doc.add_boolean_term(dynamic_field_term(name, value));
    doc.add_boolean_term(dynamic_exists_term(name));
  }
  doc.set_data(in.json);
}

}  // namespace opensoc::search
