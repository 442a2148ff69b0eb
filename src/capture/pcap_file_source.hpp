#pragma once
/// PcapFileSource: replays a pcap or pcapng file as a PacketSource, for
/// `opensocd ingest`, golden tests and fuzzing. The file is mapped read-only
/// and every PacketView points straight into the mapping (zero copy), so a
/// batch is filled by walking record headers and nothing else.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "capture/packet_source.hpp"
#include "opensoc/core/counter.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::capture {

/// Which container the file turned out to be (decided by its magic at open).
enum class FileFormat : std::uint8_t {
  pcap,     ///< classic libpcap, µs or ns timestamps, either byte order
  pcapng,   ///< pcapng, any number of sections and interfaces
};

class PcapFileSource final : public PacketSource {
 public:
  /// Largest captured length accepted in one record; anything larger is
  /// treated as a corrupt file (it is libpcap's and Wireshark's limit too).
  static constexpr std::uint32_t kMaxCaplen = 262144;

  /// Maps `path` and checks its file header. Fails (naming the file) when it
  /// cannot be opened or mapped, is empty, or is not pcap/pcapng (the message
  /// quotes the magic seen). `port_index` goes into every PacketView::port.
  /// Control plane; blocks on the open/mmap syscalls.
  static Result<std::unique_ptr<PcapFileSource>> open(const std::string& path,
                                                      std::uint16_t port_index = 0);

  /// Same over bytes already in memory (fuzzing, tests). Does not copy: the
  /// caller keeps `bytes` alive and unchanged for the life of the source.
  /// `name` is used in stats labels and error messages, like a path.
  static Result<std::unique_ptr<PcapFileSource>> open_memory(std::span<const std::uint8_t> bytes,
                                                             const std::string& name,
                                                             std::uint16_t port_index = 0);

  ~PcapFileSource() override;
  PcapFileSource(const PcapFileSource&) = delete;
  PcapFileSource& operator=(const PcapFileSource&) = delete;

  /// Fills `batch` with up to PacketBatch::kCapacity frames in file order.
  /// Views are valid until the next call: a streamed pcap reuses its buffer
  /// (views of a mapped pcapng file or of open_memory bytes happen to live
  /// as long as the source). Returns 0 at end of input, after which
  /// exhausted() is true and error() says why if the file was damaged. Owner
  /// thread only; no allocation except when a pcapng interface block is met;
  /// blocks on read(2) of the file (one call per ~1 MiB) or page faults.
  std::uint32_t next_batch(PacketBatch& batch) noexcept override;

  /// Nothing to give back (the mapping lives as long as the source); resets
  /// batch.count. Owner thread only.
  void release(PacketBatch& batch) noexcept override;

  /// True after the last frame was handed out, or reading stopped at damage.
  /// Any thread.
  [[nodiscard]] bool exhausted() const noexcept override;

  /// Any thread. nic_* and mbuf_failures are always 0 for a file.
  [[nodiscard]] SourceStats stats() const noexcept override;

  /// "file:<basename>". Any thread (immutable after open).
  [[nodiscard]] const std::string& name() const noexcept override;

  /// Why reading stopped early: file, byte offset and what was wrong. Empty
  /// when the file ended cleanly or is not finished. Owner thread only (it is
  /// written by next_batch), or any thread once exhausted() is true.
  [[nodiscard]] const std::string& error() const noexcept;

  /// Container format found at open. Any thread.
  [[nodiscard]] FileFormat format() const noexcept { return format_; }

 private:
  // How one pcapng interface's timestamps become nanoseconds.
  struct Interface {
    LinkType link = LinkType::ethernet;
    std::uint32_t snaplen = 0;          // 0 = unlimited
    std::uint64_t units_per_second = 1'000'000;
    std::uint64_t ns_per_unit = 1'000;  // 0 when units do not divide a second into whole ns
    std::int64_t offset_seconds = 0;    // if_tsoffset
  };

  enum class Stop : std::uint8_t { eof, torn, corrupt };

  PcapFileSource(const std::uint8_t* data, std::size_t size, void* map_base, std::size_t map_len,
                 std::string path, std::uint16_t port_index);

  static Result<std::unique_ptr<PcapFileSource>> from_bytes(std::unique_ptr<PcapFileSource> src);
  Result<void> read_file_header();

  template <bool kSwapped>
  std::uint32_t next_pcap(PacketBatch& batch) noexcept;
  std::uint32_t next_pcapng(PacketBatch& batch) noexcept;

  // pcapng block handlers: return false when reading must stop (finish() called).
  bool read_section_header(std::size_t at) noexcept;
  bool read_interface(const std::uint8_t* body, std::size_t body_len, std::size_t at) noexcept;

  [[nodiscard]] TimestampNs pcapng_ts(const Interface& itf, std::uint64_t ticks) const noexcept;
  void populate_ahead() noexcept;
  static bool is_classic_pcap_magic(const std::uint8_t* p) noexcept;
  // Streamed pcap: moves the unread tail [pos, size_) to the buffer start and
  // reads until the buffer is full or the file ends; pos becomes 0.
  void refill(std::size_t& pos) noexcept;
  // Big enough for the largest record (kMaxCaplen + header) many times over,
  // small enough to stay in the L2/L3 cache while the worker decodes it.
  static constexpr std::size_t kStreamBufferLen = std::size_t{1} << 20;
  static constexpr std::size_t kPopulateWindow = std::size_t{32} << 20;
  void finish(Stop why, std::size_t offset, const char* what) noexcept;

  // The mapping (or the caller's bytes for open_memory).
  const std::uint8_t* data_;
  std::size_t size_;
  void* map_base_;        // nullptr when the bytes are not ours
  std::size_t map_len_;

  std::string path_;
  std::string name_;
  std::string error_;
  std::uint16_t port_;
  FileFormat format_ = FileFormat::pcap;

  // Reader state, owner thread only.
  std::uint32_t (PcapFileSource::*next_)(PacketBatch&) noexcept = nullptr;
  std::size_t pos_ = 0;                 // offset of the next record/block
  LinkType pcap_link_ = LinkType::ethernet;
  std::uint32_t pcap_frac_ns_ = 1'000;  // ns per unit of the pcap fraction field
  bool ng_swapped_ = false;             // byte order of the current pcapng section
  std::vector<Interface> interfaces_;   // of the current pcapng section
  TimestampNs last_ts_ = 0;             // for SPBs, which carry no timestamp
  std::size_t populated_ = 0;           // the mapping is populated up to here

  // Streaming (classic pcap from a path): data_ is stream_buf_, size_ the
  // bytes in it, file_base_ the file offset of its first byte.
  int stream_fd_ = -1;
  std::unique_ptr<std::uint8_t[]> stream_buf_;
  std::size_t file_base_ = 0;
  bool stream_eof_ = false;
  int stream_read_errno_ = 0;

  std::atomic<bool> exhausted_{false};
  Counter packets_;
  Counter bytes_;
  Counter truncated_records_;
};

}  // namespace opensoc::capture
