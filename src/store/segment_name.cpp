#include "store/segment_name.hpp"

#include <charconv>
#include <cstdio>

namespace opensoc::store {

namespace {

constexpr std::string_view kClosedSuffix = ".pcap";
constexpr std::string_view kOpenSuffix = ".pcap.open";
constexpr std::string_view kCorruptSuffix = ".pcap.corrupt";

std::string stem(TimestampNs first_ts, std::uint64_t sequence) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%019lld-%08llu", static_cast<long long>(first_ts),
                              static_cast<unsigned long long>(sequence));
  return std::string(buf, static_cast<std::size_t>(n));
}

// Parses all of `s` as a decimal number; no sign, no spaces.
template <typename T>
std::optional<T> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string worker_directory(const StoreConfig& config, const std::string& data_dir, std::uint16_t worker) {
  return data_dir + "/" + config.packets_subdir + "/w" + std::to_string(worker);
}

std::string closed_segment_name(TimestampNs first_ts, std::uint64_t sequence) {
  return stem(first_ts, sequence) + std::string(kClosedSuffix);
}

std::string open_segment_name(TimestampNs first_ts, std::uint64_t sequence) {
  return "." + stem(first_ts, sequence) + std::string(kOpenSuffix);
}

std::string corrupt_segment_name(TimestampNs first_ts, std::uint64_t sequence) {
  return "." + stem(first_ts, sequence) + std::string(kCorruptSuffix);
}

std::optional<SegmentName> parse_segment_name(std::string_view name) {
  SegmentName out;
  if (name.size() > 1 && name.front() == '.' && name.ends_with(kOpenSuffix)) {
    out.state = SegmentState::open;
    name = name.substr(1, name.size() - 1 - kOpenSuffix.size());
  } else if (name.size() > 1 && name.front() == '.' && name.ends_with(kCorruptSuffix)) {
    out.state = SegmentState::corrupt;
    name = name.substr(1, name.size() - 1 - kCorruptSuffix.size());
  } else if (name.ends_with(kClosedSuffix) && !name.starts_with('.')) {
    name.remove_suffix(kClosedSuffix.size());
  } else {
    return std::nullopt;
  }
  const auto dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto ts = parse_decimal<TimestampNs>(name.substr(0, dash));
  const auto seq = parse_decimal<std::uint64_t>(name.substr(dash + 1));
  if (!ts || !seq || *seq > kMaxSegmentSequence) return std::nullopt;
  out.first_ts = *ts;
  out.sequence = *seq;
  return out;
}

std::optional<std::uint16_t> parse_worker_directory(std::string_view name) {
  if (name.size() < 2 || name.front() != 'w') return std::nullopt;
  // Only the spelling worker_directory() makes: "w01" is not worker 1's.
  if (name.size() > 2 && name[1] == '0') return std::nullopt;
  return parse_decimal<std::uint16_t>(name.substr(1));
}

}  // namespace opensoc::store
