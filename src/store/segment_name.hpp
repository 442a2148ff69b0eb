#pragma once
// Segment identity and file names. A segment of worker W with sequence S
// whose first packet has time T lives at
//   <data_dir>/<packets_subdir>/wW/TTTTTTTTTTTTTTTTTTT-SSSSSSSS.pcap        (closed)
//   <data_dir>/<packets_subdir>/wW/.TTTTTTTTTTTTTTTTTTT-SSSSSSSS.pcap.open  (being written)
//   <data_dir>/<packets_subdir>/wW/.TTTTTTTTTTTTTTTTTTT-SSSSSSSS.pcap.corrupt
//       (set aside by recovery: an open segment whose header was unreadable)
// T is zero-padded to 19 digits so that names sort by time; S to 8 (more
// when it grows). Readers and tshark globs (*.pcap) only ever see closed,
// complete files; the hidden name is renamed when the segment is finished.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "opensoc/core/time.hpp"
#include "store/store_config.hpp"

namespace opensoc::store {

/// 64-bit segment id, unique per data directory: worker in the top 16 bits,
/// the worker's segment sequence number in the low 48.
using SegmentId = std::uint64_t;

inline constexpr std::uint64_t kMaxSegmentSequence = (1ULL << 48) - 1;

[[nodiscard]] constexpr SegmentId make_segment_id(std::uint16_t worker, std::uint64_t sequence) noexcept {
  return (static_cast<std::uint64_t>(worker) << 48) | (sequence & kMaxSegmentSequence);
}
[[nodiscard]] constexpr std::uint16_t segment_worker(SegmentId id) noexcept {
  return static_cast<std::uint16_t>(id >> 48);
}
[[nodiscard]] constexpr std::uint64_t segment_sequence(SegmentId id) noexcept { return id & kMaxSegmentSequence; }

/// <data_dir>/<packets_subdir>/w<worker>
std::string worker_directory(const StoreConfig& config, const std::string& data_dir, std::uint16_t worker);

/// "TTTTTTTTTTTTTTTTTTT-SSSSSSSS.pcap" (first_ts must be >= 0).
std::string closed_segment_name(TimestampNs first_ts, std::uint64_t sequence);
/// ".TTTTTTTTTTTTTTTTTTT-SSSSSSSS.pcap.open"
std::string open_segment_name(TimestampNs first_ts, std::uint64_t sequence);

/// ".TTTTTTTTTTTTTTTTTTT-SSSSSSSS.pcap.corrupt"
std::string corrupt_segment_name(TimestampNs first_ts, std::uint64_t sequence);

enum class SegmentState : std::uint8_t { closed, open, corrupt };

/// What a segment's file name says.
struct SegmentName {
  TimestampNs first_ts = 0;
  std::uint64_t sequence = 0;
  SegmentState state = SegmentState::closed;
};

/// Parses any of the three forms; nullopt for any other file name.
std::optional<SegmentName> parse_segment_name(std::string_view file_name);

/// Parses "w<worker>"; nullopt for any other directory name.
std::optional<std::uint16_t> parse_worker_directory(std::string_view dir_name);

}  // namespace opensoc::store
