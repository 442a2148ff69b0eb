#include "store/pcap_format.hpp"

namespace opensoc::store {

void encode_global_header(std::uint8_t* out, LinkType link) noexcept {
  store_le32(out + 0, kPcapMagicNs);
  store_le16(out + 4, kPcapVersionMajor);
  store_le16(out + 6, kPcapVersionMinor);
  store_le32(out + 8, 0);   // thiszone: always 0 in practice
  store_le32(out + 12, 0);  // sigfigs: always 0 in practice
  store_le32(out + 16, kSegmentSnaplen);
  store_le32(out + 20, static_cast<std::uint32_t>(link));
}

bool decode_global_header(std::span<const std::uint8_t> file, GlobalHeader& out) noexcept {
  if (file.size() < kGlobalHeaderSize) return false;
  const std::uint8_t* p = file.data();
  if (load_le32(p) != kPcapMagicNs) return false;
  if (load_le16(p + 4) != kPcapVersionMajor || load_le16(p + 6) != kPcapVersionMinor) return false;
  const std::uint32_t snaplen = load_le32(p + 16);
  if (snaplen == 0 || snaplen > kSegmentSnaplen) return false;
  // The upper bits of the link field carry FCS flags in other writers'
  // files; ours never sets them, so anything there is not our segment.
  const std::uint32_t link = load_le32(p + 20);
  if (link > 0xffffu) return false;
  out.link = static_cast<LinkType>(link);
  out.snaplen = snaplen;
  return true;
}

const char* to_string(RecordStatus s) noexcept {
  switch (s) {
    case RecordStatus::ok: return "ok";
    case RecordStatus::end_of_data: return "end_of_data";
    case RecordStatus::uncommitted: return "uncommitted";
    case RecordStatus::bad_offset: return "bad_offset";
    case RecordStatus::short_header: return "short_header";
    case RecordStatus::bad_caplen: return "bad_caplen";
    case RecordStatus::bad_timestamp: return "bad_timestamp";
    case RecordStatus::short_data: return "short_data";
    case RecordStatus::wrong_length: return "wrong_length";
  }
  return "unknown";
}

RecordStatus check_record(std::span<const std::uint8_t> file, std::uint64_t offset, std::uint32_t snaplen,
                          RecordHeader& out) noexcept {
  const std::uint64_t size = file.size();
  if (offset < kGlobalHeaderSize || offset > size) return RecordStatus::bad_offset;
  if (offset == size) return RecordStatus::end_of_data;
  if (size - offset < kRecordHeaderSize) return RecordStatus::short_header;
  const std::uint8_t* p = file.data() + offset;
  RecordHeader h;
  h.ts_sec = load_le32(p);
  h.ts_nsec = load_le32(p + 4);
  h.caplen = load_le32(p + 8);
  h.wirelen = load_le32(p + 12);
  if (h.caplen == 0) {
    return (h.ts_sec | h.ts_nsec | h.wirelen) == 0 ? RecordStatus::end_of_data : RecordStatus::uncommitted;
  }
  if (h.caplen > snaplen || h.caplen > h.wirelen) return RecordStatus::bad_caplen;
  if (h.ts_nsec >= 1'000'000'000u) return RecordStatus::bad_timestamp;
  if (h.caplen > size - offset - kRecordHeaderSize) return RecordStatus::short_data;
  out = h;
  return RecordStatus::ok;
}

}  // namespace opensoc::store
