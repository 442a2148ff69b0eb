// make_big_pcap: builds a large benchmark capture by looping real captures.
//
//   make_big_pcap OUT.pcap TARGET_MB INPUT.pcap...
//
// Each pass over the inputs rewrites the innermost IPv4/IPv6 addresses (the
// pass number is added into the second and third address bytes, both
// directions alike) so flows of different passes are distinct flows, and
// shifts timestamps so that time only moves forward. Output is a classic
// microsecond pcap (link type Ethernet), readable by tcpdump and tshark. Only
// Ethernet inputs are used. Checksums are left as they were: no tool in the
// benchmark validates them.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "capture/pcap_file_source.hpp"
#include "decode/decode.hpp"

namespace {
struct Frame {
  std::vector<std::uint8_t> bytes;
  std::uint32_t wirelen;
  opensoc::TimestampNs ts;
  std::uint32_t src_off, dst_off;
  std::uint8_t ip_version;
};

void put32(std::FILE* f, std::uint32_t v) { std::fwrite(&v, 4, 1, f); }
void put16(std::FILE* f, std::uint16_t v) { std::fwrite(&v, 2, 1, f); }
}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: make_big_pcap OUT.pcap TARGET_MB INPUT.pcap...\n");
    return 2;
  }
  const std::uint64_t target = std::stoull(argv[2]) * 1'000'000ull;
  std::vector<Frame> frames;
  opensoc::TimestampNs first = 0, last = 0;
  for (int i = 3; i < argc; ++i) {
    auto src = opensoc::capture::PcapFileSource::open(argv[i]);
    if (!src) {
      std::fprintf(stderr, "%s\n", src.error().message.c_str());
      return 1;
    }
    opensoc::PacketBatch b;
    std::vector<Frame> file_frames;
    opensoc::TimestampNs file_first = 0;
    while (std::uint32_t n = (*src)->next_batch(b)) {
      for (std::uint32_t k = 0; k < n; ++k) {
        const auto& p = b.packets[k];
        if (p.link != opensoc::LinkType::ethernet) continue;
        const auto d = opensoc::decode::decode_packet(p);
        if (file_first == 0) file_first = p.ts;
        Frame f{std::vector<std::uint8_t>(p.data, p.data + p.caplen), p.wirelen, p.ts - file_first,
                d.src_ip_offset, d.dst_ip_offset, d.ip_version};
        file_frames.push_back(std::move(f));
      }
      (*src)->release(b);
    }
    // Inputs are laid end to end in time, 1 ms apart.
    for (auto& f : file_frames) {
      f.ts += last + 1'000'000;
      frames.push_back(std::move(f));
    }
    if (!frames.empty()) last = frames.back().ts;
  }
  if (frames.empty()) {
    std::fprintf(stderr, "no Ethernet frames in the inputs\n");
    return 1;
  }
  const opensoc::TimestampNs span = last - first + 1'000'000;
  std::FILE* out = std::fopen(argv[1], "wb");
  if (out == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  std::setvbuf(out, nullptr, _IOFBF, 1 << 22);
  put32(out, 0xa1b2c3d4);
  put16(out, 2);
  put16(out, 4);
  put32(out, 0);
  put32(out, 0);
  put32(out, 262144);
  put32(out, 1);
  const opensoc::TimestampNs base = 1'764'000'000ll * 1'000'000'000ll;  // late 2025
  std::uint64_t written = 24, packets = 0;
  for (std::uint32_t pass = 0; written < target; ++pass) {
    for (const auto& f : frames) {
      std::vector<std::uint8_t> bytes = f.bytes;
      if (f.ip_version != 0) {
        for (std::uint32_t off : {f.src_off, f.dst_off}) {
          if (off + 3 <= bytes.size()) {
            bytes[off + 1] = static_cast<std::uint8_t>(bytes[off + 1] + (pass >> 8));
            bytes[off + 2] = static_cast<std::uint8_t>(bytes[off + 2] + pass);
          }
        }
      }
      const opensoc::TimestampNs ts = base + static_cast<opensoc::TimestampNs>(pass) * span + f.ts;
      put32(out, static_cast<std::uint32_t>(ts / 1'000'000'000));
      put32(out, static_cast<std::uint32_t>((ts % 1'000'000'000) / 1000));
      put32(out, static_cast<std::uint32_t>(bytes.size()));
      put32(out, f.wirelen);
      std::fwrite(bytes.data(), 1, bytes.size(), out);
      written += 16 + bytes.size();
      ++packets;
    }
  }
  if (std::fclose(out) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  std::printf("%s: %llu packets, %llu bytes\n", argv[1], static_cast<unsigned long long>(packets),
              static_cast<unsigned long long>(written));
  return 0;
}
