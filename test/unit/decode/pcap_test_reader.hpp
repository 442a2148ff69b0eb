#pragma once
// A minimal classic-pcap reader for the decode tests (the capture module owns
// the real one). Reads the whole file into memory; both byte orders and both
// microsecond and nanosecond magics. pcapng is not supported.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "opensoc/core/packet_view.hpp"

namespace opensoc::decode::test {

struct PcapRecord {
  std::uint32_t offset;  // of the frame bytes in PcapFile::bytes
  std::uint32_t caplen;
  std::uint32_t wirelen;
};

struct PcapFile {
  std::vector<std::uint8_t> bytes;
  std::uint32_t linktype = 0;
  std::vector<PcapRecord> records;
  bool truncated = false;  // the last record ran past the end of the file

  [[nodiscard]] PacketView view(const PcapRecord& r) const {
    PacketView v;
    v.data = bytes.data() + r.offset;
    v.caplen = r.caplen;
    v.wirelen = r.wirelen;
    v.link = static_cast<LinkType>(linktype);
    return v;
  }

  static std::optional<PcapFile> read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    PcapFile f;
    f.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (f.bytes.size() < 24) return std::nullopt;
    const std::uint32_t magic = f.u32(0, false);
    bool swap;
    if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
      swap = false;
    } else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
      swap = true;
    } else {
      return std::nullopt;
    }
    f.linktype = f.u32(20, swap) & 0x0fffffff;  // upper bits: FCS length flags
    std::size_t off = 24;
    while (off + 16 <= f.bytes.size()) {
      const std::uint32_t incl = f.u32(off + 8, swap);
      const std::uint32_t orig = f.u32(off + 12, swap);
      off += 16;
      if (incl > f.bytes.size() - off) {
        f.truncated = true;
        break;
      }
      f.records.push_back({static_cast<std::uint32_t>(off), incl, orig});
      off += incl;
    }
    return f;
  }

 private:
  [[nodiscard]] std::uint32_t u32(std::size_t at, bool swap) const {
    std::uint32_t v;
    std::memcpy(&v, bytes.data() + at, 4);
    return swap ? __builtin_bswap32(v) : v;
  }
};

/// The shared corpus: $OPENSOC_CORPUS, else ../shared/corpus beside the
/// source tree (OPENSOC_SOURCE_ROOT is set by the build), else nullopt.
inline std::optional<std::filesystem::path> corpus_dir() {
  if (const char* env = std::getenv("OPENSOC_CORPUS"); env != nullptr && *env != '\0') {
    return std::filesystem::path(env);
  }
#ifdef OPENSOC_SOURCE_ROOT
  const std::filesystem::path beside = std::filesystem::path(OPENSOC_SOURCE_ROOT) / ".." / "shared" / "corpus";
  if (std::filesystem::is_directory(beside)) return beside;
#endif
  return std::nullopt;
}

}  // namespace opensoc::decode::test
