#pragma once
// Index terms: the vocabulary the document writer (fill_document, run on the
// search writer thread) and the query compiler (any thread) share, so what is
// written and what is asked for are built by the same functions. Pure
// functions, no state; safe on any thread.
//
// Term scheme. Every field term is the field's prefix (FieldSpec::prefix),
// then a kind marker, then ':', then the value. Field prefixes are upper case
// and values lower case, and the ':' always follows the marker, so no term of
// one field can be mistaken for a term of another whose prefix extends it
// ("XSP:80" vs "XSPK:80"). Markers (reserved after every field prefix):
//   ""          exact value          XDQN:www.example.com   XSIP:10.1.2.3
//   "S"         domain suffix        XDQNS:.example.com     XDQNS:.com
//   "R"         reversed domain      XDQNR:moc.elpmaxe.www
//   "/4/<n>"    IPv4 network, n in {0,8,16,24}: hex of the n/8 network bytes
//   "/6/<n>"    IPv6 network, n in {0,16,32,48,64}   XSIP/4/24:0a0102
// Numbers: exact term "XSP:443" (integral values only), slot
// Xapian::sortable_serialise(value). Times: slot only, 8 big-endian bytes of
// ns (pre-1970 instants are clamped to 0 so the bytes sort as the times do).
// Free-text words (text fields, domain labels) are unprefixed lower-case
// alnum runs of 2..64 bytes. Kind terms KSESSION/KEVENT/KALERT and the unique id term
// "Q<id>" are as in field_schema.hpp. Every term is capped at kMaxTermBytes
// (a longer value is cut, so it over-matches on its first bytes, never
// misses); Xapian's own limit is 245.
//
// Value slots (for the executor's facets and sorts):
//   keyword/text/domain/ip fields with a slot: the display value of the FIRST
//     value of that field (as given; domains lower-cased without the trailing
//     dot; addresses in canonical text).
//   number fields: Xapian::sortable_serialise(first value) even when
//     FieldSpec::facet is true, so ranges work: facet code must decode with
//     Xapian::sortable_unserialise.
//   time fields and @timestamp (slot 0): timestamp_slot_value().
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/time.hpp"
#include "search/field_schema.hpp"
#include "search/search_document.hpp"

namespace Xapian {
class Document;
}

namespace opensoc::search {

inline constexpr std::size_t kMaxTermBytes = 240;
inline constexpr std::size_t kMinWordBytes = 2;
inline constexpr std::size_t kMaxWordBytes = 64;

/// Fills `doc` (a fresh Xapian::Document) from `in`: kind term, unique id
/// term, @timestamp slot, every value's terms and slots per the scheme above,
/// and `in.json` as the document data. Values with a null FieldSpec, empty
/// values, and numbers/times given to a field of another type are skipped.
/// Allocates; run on the writer thread, not a packet core.
void fill_document(const SearchDocument& in, Xapian::Document& doc);

/// 8 big-endian bytes of `ns`; negative instants are stored as 0.
std::string timestamp_slot_value(TimestampNs ns);

/// ASCII lower-case (other bytes unchanged).
std::string lower_ascii(std::string_view s);

/// The value as indexed for `field`: lower-cased; domains lose one trailing
/// dot; addresses that parse become canonical text (RFC 5952 for IPv6).
std::string normalize_value(const FieldSpec& field, std::string_view value);

/// prefix + marker + ':' + value, cut at kMaxTermBytes. `value` must already
/// be normalized.
std::string field_term(const FieldSpec& field, std::string_view normalized_value);
/// A dynamic (parser-made, outside the schema) field's term:
/// "XF:" + lower(name) + "=" + lower(value), capped like every term.
std::string dynamic_field_term(std::string_view name, std::string_view value);
/// "field:*" for a dynamic field.
std::string dynamic_exists_term(std::string_view name);
/// "E:" + the field's prefix: on every document that has the field at all,
/// so `field:*` is one term, not a wildcard over every value.
std::string field_exists_term(const FieldSpec& field);
/// `dot_suffix` starts at a label boundary: ".example.com".
std::string domain_suffix_term(const FieldSpec& field, std::string_view dot_suffix);
/// `reversed_name` is the normalized name reversed byte-wise.
std::string domain_reversed_term(const FieldSpec& field, std::string_view reversed_name);
/// Network term of `network` at `bits` (one of ip_indexed_prefix_lengths(),
/// excluding the full length, which is the exact term). Bits past `bits`
/// are ignored.
std::string ip_network_term(const FieldSpec& field, const IpAddress& network, unsigned bits);
/// Network lengths with a term of their own, ascending, the last being the
/// full address (32 or 128: the exact term).
std::span<const unsigned> ip_indexed_prefix_lengths(unsigned version) noexcept;
/// Exact term for a number, nullopt when `value` is not integral (or beyond
/// +-2^63): those are found through the slot only.
std::optional<std::string> number_term(const FieldSpec& field, double value);
/// Free-text words of `text`: lower-cased ASCII alnum runs of
/// kMinWordBytes..kMaxWordBytes (shorter and longer runs are dropped).
std::vector<std::string> text_words(std::string_view text);

}  // namespace opensoc::search
