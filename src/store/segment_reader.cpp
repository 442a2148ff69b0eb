#include "store/segment_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace opensoc::store {

Result<SegmentReader> SegmentReader::open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open segment " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("stat segment " + path);
  auto mapped = Mapping::map(fd.get(), static_cast<std::size_t>(st.st_size), false, path);
  if (!mapped) return mapped.error();
  const std::span<const std::uint8_t> bytes(mapped->data(), mapped->size());
  GlobalHeader header;
  if (!decode_global_header(bytes, header)) {
    return Error{"segment " + path + ": not a segment (pcap 2.4 little-endian, nanosecond, snaplen <= 262144)"};
  }
  return SegmentReader(std::move(*mapped), bytes, header);
}

Result<SegmentReader> SegmentReader::open_memory(std::span<const std::uint8_t> bytes) {
  GlobalHeader header;
  if (!decode_global_header(bytes, header)) return Error{"not a segment (bad or short pcap header)"};
  return SegmentReader(Mapping{}, bytes, header);
}

RecordStatus SegmentReader::read_at(std::uint64_t offset, StoredRecord& out) const noexcept {
  RecordHeader h;
  const RecordStatus s = check_record(bytes_, offset, header_.snaplen, h);
  if (s != RecordStatus::ok) return s;
  out.packet.data = bytes_.data() + offset + kRecordHeaderSize;
  out.packet.caplen = h.caplen;
  out.packet.wirelen = h.wirelen;
  out.packet.ts = h.ts();
  out.packet.link = header_.link;
  out.packet.port = 0;
  out.packet.queue = 0;
  out.offset = offset;
  out.length = static_cast<std::uint32_t>(kRecordHeaderSize + h.caplen);
  return RecordStatus::ok;
}

RecordStatus SegmentReader::read(const RecordLocation& loc, StoredRecord& out) const noexcept {
  StoredRecord rec;
  const RecordStatus s = read_at(loc.offset, rec);
  if (s != RecordStatus::ok) return s;
  if (rec.length != loc.length) return RecordStatus::wrong_length;
  out = rec;
  return RecordStatus::ok;
}

}  // namespace opensoc::store
