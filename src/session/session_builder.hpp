#pragma once
// SessionBuilder: turns one capture worker's packet stream into sessions and
// protocol events. It keeps its own FlowTable (the same code and settings as
// the worker's, so its flows are the worker's flows), and beside each flow the
// session state: TCP reassembly per direction, protocol detection by content,
// and the protocol's stream handler or datagram parser. When the table ends a
// flow (or reports a long one), the session record leaves with what its
// payload said.
//
// Threading: one builder per worker stream, used by one thread only (the
// indexer thread, which reads the packets back from the store), so capture
// cores never pay for reassembly or parsing.
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>

#include "flow/flow_config.hpp"
#include "flow/flow_record_sink.hpp"
#include "flow/flow_table.hpp"
#include "opensoc/core/decoded_packet.hpp"
#include "opensoc/core/packet_view.hpp"
#include "opensoc/core/protocol_event.hpp"
#include "session/stream_buffer.hpp"
#include "session/stream_handler.hpp"
#include "session/tcp_reassembler.hpp"

namespace opensoc::proto {
struct DnsMessage;
}

namespace opensoc::session {

struct SessionConfig {
  flow::FlowConfig flow;
  ReassemblyLimits reassembly;
  StreamHandlerLimits stream;
  std::uint16_t community_id_seed = 0;
  std::uint32_t max_events_per_session = 10000;  ///< beyond: counted, not emitted
};

/// Where sessions and events go (the search index, the exporters).
class SessionSink {
 public:
  virtual ~SessionSink() = default;
  /// Non-const: a later stage (enrichment) may add to the record before it
  /// is rendered; the builder does not read it afterwards.
  virtual void on_event(ProtocolEvent& event) = 0;
  /// Final records (end_reason != active) and interim ones of long flows.
  virtual void on_session(SessionRecord& session) = 0;
};

struct SessionBuilderStats {
  std::uint64_t packets = 0;
  std::uint64_t sessions = 0;          ///< final session records
  std::uint64_t interim_sessions = 0;  ///< interim records of long flows
  std::uint64_t events = 0;
  std::uint64_t events_over_cap = 0;   ///< not emitted: max_events_per_session reached
  std::uint64_t detect_failed = 0;     ///< TCP sessions with payload that matched no protocol
  std::uint64_t datagram_parse_errors = 0;
  std::uint64_t streams_truncated = 0; ///< sessions whose reassembly hit a bound
  std::uint64_t events_by_protocol[8] = {};  ///< indexed by AppProtocol
  ReassemblyBudget::Counters reassembly{};
  std::uint64_t reassembly_buffered = 0;  ///< out-of-order TCP bytes + whole-message buffers held now
  std::uint64_t buffer_overflows = 0;     ///< whole-message buffers cut short by the shared budget
};

/// What the session layer knows about the packet just handled, for a stage
/// that inspects packets in their session's context (signature rules).
/// Valid until the next call into the builder.
struct LastPacket {
  bool valid = false;        ///< false: not part of a flow (non-IP, invalid)
  bool to_server = true;     ///< sent by the session's initiator
  bool established = false;  ///< TCP: handshake seen completing (or both sides seen mid-stream); UDP: both sides sent
  bool new_session = false;  ///< this packet opened the session
  std::uint64_t pcap_cnt = 0;  ///< 1-based ordinal of this packet in the worker's stream (EVE pcap_cnt)
  AppProtocol app = AppProtocol::unknown;
  std::uint64_t session_id = 0;
  const Endpoints* endpoints = nullptr;  ///< the session's orientation
  const std::string* community_id = nullptr;
  TimestampNs session_start = 0;
  std::span<const std::uint8_t> payload;  ///< L4 payload of this packet (empty for later fragments)
};

class SessionBuilder final : private flow::FlowRecordSink {
 public:
  SessionBuilder(const SessionConfig& config, std::uint16_t worker, SessionSink& sink);
  ~SessionBuilder() override;
  SessionBuilder(const SessionBuilder&) = delete;
  SessionBuilder& operator=(const SessionBuilder&) = delete;

  /// The next packet of this worker's stream, in capture order.
  void on_packet(const PacketView& pkt, const DecodedPacket& d);
  /// Expires idle flows as of `now` (packet time).
  void advance(TimestampNs now);
  /// Ends every open session with `reason`.
  void flush(FlowEndReason reason);

  [[nodiscard]] SessionBuilderStats stats() const;
  [[nodiscard]] TimestampNs last_packet_ts() const { return last_ts_; }
  [[nodiscard]] const LastPacket& last_packet() const noexcept { return last_packet_; }

  struct Session;

 private:
  void on_flow(const FlowRecord& record) noexcept override;
  Session& session_for(const flow::FlowTable::PacketFlow& pf, const PacketView& pkt, const DecodedPacket& d);
  void note_handshake(Session& s, int direction, const DecodedPacket& d);
  void on_tcp(Session& s, int direction, const DecodedPacket& d, std::span<const std::uint8_t> payload);
  void on_udp(Session& s, int direction, std::span<const std::uint8_t> payload);
  void deliver(Session& s, ProtocolEventBody body, bool to_server, std::uint32_t tx_id);
  void finish_session(Session& s, const FlowRecord& record, bool final, bool provisional = false);

  SessionConfig config_;
  std::uint16_t worker_;
  SessionSink& sink_;
  ReassemblyBudget budget_;
  StreamBufferBudget buffers_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;  // by the table's flow_id
  flow::FlowTable flows_;  // after sessions_: its records reach sessions_ while it is torn down
  std::unique_ptr<proto::DnsMessage> dns_;  // one parse target for every datagram
  std::vector<std::uint8_t> quic_scratch_;
  TimestampNs now_ = 0;     // time of the packet being handled (events' @timestamp)
  TimestampNs last_ts_ = 0;
  TimestampNs last_advance_ = 0;
  std::uint64_t pcap_cnt_ = 0;
  LastPacket last_packet_;
  SessionBuilderStats stats_;
};

}  // namespace opensoc::session
