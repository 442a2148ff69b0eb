#pragma once
/// PacketObserver: a later stage that sees every stored packet once, in each
/// capture worker's order, on the indexer thread (the session builder). The
/// indexer calls it; it never knows what the observer does with the packets.
///
/// Threading: every call on the indexer thread, never concurrently.
#include <cstdint>

#include "opensoc/core/decoded_packet.hpp"
#include "opensoc/core/packet_view.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc {

class PacketObserver {
 public:
  virtual ~PacketObserver() = default;
  /// One packet of `worker`'s stream, already decoded; valid during the call.
  virtual void on_packet(std::uint16_t worker, const PacketView& pkt, const DecodedPacket& d) noexcept = 0;
  /// End of an indexer pass (after its LMDB commit, if any). `wall_now`
  /// drives commits and idle expiry; `caught_up` says no record was left unread.
  virtual void on_pass_end(TimestampNs wall_now, bool caught_up) noexcept = 0;
  /// Retention removed every packet older than `oldest_kept` (packet time).
  virtual void on_retention(TimestampNs oldest_kept) noexcept = 0;
  /// The stream ended (ingest done, daemon stopping): finish every open
  /// session and make everything durable.
  virtual Result<void> finish() noexcept = 0;
};

}  // namespace opensoc
