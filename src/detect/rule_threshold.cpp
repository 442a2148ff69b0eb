// ThresholdTable: counters for `threshold:` per (sid, tracked address). Run by
// whichever thread owns the RuleScratch holding it (a detection worker).
// Linear probing over a short neighbourhood keeps a lookup to a few cache
// lines; when the neighbourhood is full the entry seen longest ago goes,
// since a stale window would have been reset by its next match anyway.
#include "detect/rule_threshold.hpp"

#include <bit>
#include <cstring>

namespace opensoc::detect {
namespace {

constexpr std::size_t kProbe = 8;

std::uint64_t mix(std::uint64_t h) noexcept {
  // splitmix64 finaliser: the sid and address words are far from uniform.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

std::uint64_t slot_hash(std::uint32_t sid, const IpAddress& a) noexcept {
  std::uint64_t w0 = 0, w1 = 0;
  std::memcpy(&w0, a.bytes.data(), 8);
  std::memcpy(&w1, a.bytes.data() + 8, 8);
  return mix(mix(w0 ^ (std::uint64_t{sid} << 8 | a.version)) ^ w1);
}

}  // namespace

ThresholdTable::ThresholdTable(std::size_t capacity) {
  std::size_t n = std::bit_ceil(capacity < 16 ? std::size_t{16} : capacity);
  slots_.resize(n);
  mask_ = n - 1;
}

ThresholdTable::Slot& ThresholdTable::find_or_claim(std::uint32_t sid, const IpAddress& a, TimestampNs ts,
                                                    bool& fresh) noexcept {
  const std::size_t base = static_cast<std::size_t>(slot_hash(sid, a)) & mask_;
  Slot* free_slot = nullptr;
  Slot* stalest = nullptr;
  for (std::size_t i = 0; i < kProbe; ++i) {
    Slot& s = slots_[(base + i) & mask_];
    if (!s.used) {
      if (free_slot == nullptr) free_slot = &s;
      continue;
    }
    if (s.sid == sid && s.address == a) {
      fresh = false;
      return s;
    }
    if (stalest == nullptr || s.last_seen < stalest->last_seen) stalest = &s;
  }
  Slot* s = free_slot;
  if (s == nullptr) {
    s = stalest;
    ++evictions_;
  }
  *s = Slot{a, sid, 0, ts, ts, true};
  fresh = true;
  return *s;
}

bool ThresholdTable::allow(std::uint32_t sid, const ThresholdSpec& spec, const IpAddress& tracked,
                           TimestampNs ts) noexcept {
  bool fresh = false;
  Slot& s = find_or_claim(sid, tracked, ts, fresh);
  s.last_seen = ts;
  const TimestampNs window = static_cast<TimestampNs>(spec.seconds) * kNsPerSecond;
  const bool in_window = !fresh && ts - s.window_start < window;
  if (!in_window) {
    // A new window opens with this match as its first.
    s.window_start = ts;
    s.count = 1;
  } else if (s.count < UINT32_MAX) {
    ++s.count;
  }
  switch (spec.type) {
    case ThresholdSpec::Type::limit:
      return s.count <= spec.count;
    case ThresholdSpec::Type::threshold:
      // Every count-th match inside the window; the count restarts but the
      // window does not (Suricata's TYPE_THRESHOLD).
      if (s.count >= spec.count) {
        s.count = 0;
        return true;
      }
      return false;
    case ThresholdSpec::Type::both:
      return s.count == spec.count;
  }
  return false;
}

}  // namespace opensoc::detect
