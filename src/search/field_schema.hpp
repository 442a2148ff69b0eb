#pragma once
// FieldSchema: the searchable fields (ECS names), how each is indexed in
// Xapian (term prefix, value slot) and the short aliases analysts type. The
// one place both the document writer and the query compiler look up a field,
// so what is written and what is asked for cannot drift apart.
#include <cstdint>
#include <span>
#include <string_view>

namespace opensoc::search {

enum class FieldType : std::uint8_t {
  keyword,  ///< exact value (lower-cased term); `foo*` prefix wildcards
  text,     ///< exact value as keyword, plus its words as free-text terms
  domain,   ///< keyword + a term per label suffix (`*.example.com` is one term) + reversed form
  ip,       ///< address; terms per prefix length for CIDR queries
  number,   ///< numeric value slot (ranges, sort) + exact term
  time,     ///< nanoseconds since the epoch, value slot as 8 big-endian bytes
};

inline constexpr int kNoSlot = -1;

struct FieldSpec {
  std::string_view name;    ///< ECS name, as in records and queries
  FieldType type;
  std::string_view prefix;  ///< Xapian term prefix (upper case, unique)
  int slot;                 ///< value slot, kNoSlot if none
  bool facet;               ///< facets allowed (slot holds the display value)
};

/// Value slot 0 is every document's @timestamp (8 big-endian bytes, ns).
inline constexpr unsigned kTimestampSlot = 0;
/// Every document has exactly one of these kind terms.
inline constexpr std::string_view kSessionKindTerm = "KSESSION";
inline constexpr std::string_view kEventKindTerm = "KEVENT";
inline constexpr std::string_view kAlertKindTerm = "KALERT";
inline constexpr std::string_view kLogKindTerm = "KLOG";
/// Unique id term prefix (replace_document on interim session updates).
inline constexpr std::string_view kUniqueIdPrefix = "Q";
/// Free-text words carry no prefix.

std::span<const FieldSpec> field_specs() noexcept;
/// nullptr when `name` is not a field.
const FieldSpec* find_field(std::string_view name) noexcept;

/// Names outside the table that parsers make (cef.extensions.*, kv.*, SD
/// params, flattened JSON): indexed as keywords under this one spec, each term
/// being "XF:" + lower(name) + "=" + lower(value) (index_terms.hpp).
const FieldSpec& dynamic_field_spec() noexcept;
/// True for names under a parser's own root (cef., leef., kv., zeek.,
/// suricata., log.syslog., labels., netflow., json.).
bool has_dynamic_root(std::string_view name) noexcept;
/// Those roots, each ending with '.' (the console's field list shows them).
std::span<const std::string_view> dynamic_roots() noexcept;

/// An alias stands for the OR of up to four fields (`ip` = source.ip OR destination.ip).
struct FieldAlias {
  std::string_view alias;
  std::string_view fields[4];
};
std::span<const FieldAlias> field_aliases() noexcept;
/// nullptr when `name` is not an alias.
const FieldAlias* find_alias(std::string_view name) noexcept;

}  // namespace opensoc::search
