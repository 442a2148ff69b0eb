#pragma once
// The on-disk format of a segment: classic pcap, version 2.4, little-endian,
// nanosecond timestamps (magic a1b23c4d), snaplen 262144, one link type per
// file. This file owns the byte layout and the one record check that the
// writer's recovery, the reader and the fuzz harness all share, so they agree
// on what a valid record is.
#include <cstdint>
#include <cstring>
#include <span>

#include "opensoc/core/byte_order.hpp"
#include "opensoc/core/packet_view.hpp"

namespace opensoc::store {

inline constexpr std::uint32_t kPcapMagicNs = 0xa1b23c4du;
inline constexpr std::uint16_t kPcapVersionMajor = 2;
inline constexpr std::uint16_t kPcapVersionMinor = 4;
inline constexpr std::uint32_t kSegmentSnaplen = 262144;
inline constexpr std::uint64_t kGlobalHeaderSize = 24;
inline constexpr std::uint64_t kRecordHeaderSize = 16;
/// The largest record a segment holds: header plus a snaplen-sized frame.
inline constexpr std::uint64_t kMaxRecordSize = kRecordHeaderSize + kSegmentSnaplen;

// Little-endian loads and stores (segment bytes have no alignment, and the
// format is little-endian whatever the host): the core ones.
using opensoc::load_le16;
using opensoc::load_le32;
using opensoc::store_le16;
using opensoc::store_le32;

/// Writes the 24-byte global header of a segment holding `link` frames.
void encode_global_header(std::uint8_t* out, LinkType link) noexcept;

/// What a segment's global header says.
struct GlobalHeader {
  LinkType link = LinkType::ethernet;
  std::uint32_t snaplen = 0;
};

/// Checks the first 24 bytes of `file` are a segment header as this module
/// writes it (magic, version, a snaplen in (0, 262144], a 16-bit link type).
/// False for anything else, including other pcap flavours.
bool decode_global_header(std::span<const std::uint8_t> file, GlobalHeader& out) noexcept;

/// The fields of a record header.
struct RecordHeader {
  std::uint32_t ts_sec = 0;
  std::uint32_t ts_nsec = 0;
  std::uint32_t caplen = 0;
  std::uint32_t wirelen = 0;
  [[nodiscard]] TimestampNs ts() const noexcept {
    return static_cast<TimestampNs>(ts_sec) * kNsPerSecond + static_cast<TimestampNs>(ts_nsec);
  }
};

/// Why a record at some offset was or was not accepted.
enum class RecordStatus : std::uint8_t {
  ok,
  end_of_data,     ///< offset == file size, or an all-zero header (the preallocated tail)
  uncommitted,     ///< a header with caplen 0 but other bytes set: a record torn mid-commit
  bad_offset,      ///< offset inside the global header or past the end of the file
  short_header,    ///< fewer than 16 bytes left for the header
  bad_caplen,      ///< caplen > snaplen or caplen > wirelen
  bad_timestamp,   ///< nanoseconds field >= 10^9
  short_data,      ///< the frame runs past the end of the file (torn by truncation)
  wrong_length,    ///< a well-formed record, but not the length the caller's location says
};

/// Returns a short stable name for logs and reports ("ok", "short_data", ...).
const char* to_string(RecordStatus s) noexcept;

/// The one record check. Looks at the record starting at `offset` in `file`
/// (a whole segment, global header included) and, when it is a complete
/// well-formed record, fills `out` and returns ok. Never reads outside
/// `file`. The writer never stores caplen 0 and writes caplen last, so a
/// header whose caplen is 0 ends the records either way.
RecordStatus check_record(std::span<const std::uint8_t> file, std::uint64_t offset, std::uint32_t snaplen,
                          RecordHeader& out) noexcept;

}  // namespace opensoc::store
