// Per-packet session work on the indexer thread: find the packet's flow (the
// builder's own FlowTable), give TCP payload to that direction's reassembler
// and UDP payload to the datagram parsers, and turn what the handlers report
// into protocol events stamped with the session's identity.
#include "session/session_builder.hpp"

#include <algorithm>

#include "flow/community_id.hpp"
#include "flow/flow_hash.hpp"
#include "opensoc/core/ip_protocol.hpp"
#include "proto/dhcp_parser.hpp"
#include "proto/dns_parser.hpp"
#include "proto/quic_initial.hpp"
#include "session/app_detector.hpp"
#include "session/dns_event_builder.hpp"
#include "session/stream_buffer.hpp"

namespace opensoc::session {
namespace {

constexpr std::size_t kMaxSummaryNames = 16;
constexpr std::uint32_t kUdpDetectDatagrams = 4;  // unknown after this many: give up
constexpr std::uint32_t kQuicInitialsTried = 8;    // client datagrams searched for a ClientHello

IpAddress read_address(const std::uint8_t* frame, std::uint32_t offset, std::uint8_t version) {
  return version == 6 ? IpAddress::v6(frame + offset) : IpAddress::v4(frame + offset);
}

}  // namespace

/// One flow's session state. Also the EventEmitter its handlers report to.
struct SessionBuilder::Session final : EventEmitter {
  struct Direction final : StreamSink {
    Session* s = nullptr;
    int dir = 0;
    void on_stream_data(std::span<const std::uint8_t> data) override { s->on_stream(dir, data); }
    void on_stream_gap(std::uint64_t bytes) override { s->on_gap(dir, bytes); }
  };

  Session(SessionBuilder& b, ReassemblyBudget& budget)
      : owner(b), reasm{TcpReassembler(budget), TcpReassembler(budget)},
        detect{StreamBuffer(kDetectGiveUpBytes, b.config_.stream.budget),
               StreamBuffer(kDetectGiveUpBytes, b.config_.stream.budget)} {
    sides[0].s = this;
    sides[0].dir = kToServer;
    sides[1].s = this;
    sides[1].dir = kToClient;
  }

  ~Session() override {
    if (quic_crypto) owner.buffers_.used -= sizeof(proto::QuicCryptoStream);
  }

  void emit(ProtocolEventBody body, bool to_server, std::uint32_t tx_id) override {
    owner.deliver(*this, std::move(body), to_server, tx_id);
  }

  void end_quic(StreamBufferBudget& budget) {
    quic_done = true;
    if (quic_crypto) {
      quic_crypto.reset();
      budget.used -= sizeof(proto::QuicCryptoStream);
    }
  }

  void on_stream(int dir, std::span<const std::uint8_t> data) {
    stream.bytes_to_parsers[dir] += data.size();
    if (handler) {
      handler->on_data(dir, data, *this);
      if (handler->tunnel_started()) {
        // What follows the tunnel's set-up is another protocol (TLS through
        // a proxy, mostly): finish this one and detect afresh.
        handler->on_end(*this);
        handler.reset();
        detection_done = false;
      }
      return;
    }
    if (detection_done) return;
    const std::size_t held = detect[dir].view().size();
    detect[dir].append(data);  // may keep only a prefix: detection needs no more
    const AppProtocol p = detect_tcp_protocol(detect[0].view(), detect[1].view(), endpoints.dst_port,
                                              endpoints.src_port);
    if (p == AppProtocol::unknown) return;
    start_handler(p, dir, held, data);
  }

  void on_gap(int dir, std::uint64_t bytes) {
    ++stream.gaps;
    if (handler) {
      handler->on_gap(dir, bytes, *this);
    } else if (!detection_done) {
      // The first bytes are what detection needs; a hole there ends it.
      const AppProtocol p = detect_tcp_protocol(detect[0].view(), detect[1].view(), endpoints.dst_port,
                                                endpoints.src_port);
      start_handler(p == AppProtocol::unknown ? AppProtocol::failed : p, dir, detect[dir].view().size(), {});
      if (handler) handler->on_gap(dir, bytes, *this);
    }
  }

  /// `current` is the data that completed detection on `current_dir`; of
  /// that direction's buffer only the first `held` bytes came before it (the
  /// buffer may hold a cut copy of `current`, which is replayed whole).
  void start_handler(AppProtocol p, int current_dir, std::size_t held, std::span<const std::uint8_t> current) {
    detection_done = true;
    if (app == AppProtocol::unknown || app == AppProtocol::failed) app = p;
    switch (p) {
      case AppProtocol::http: handler = make_http_stream(); break;
      case AppProtocol::tls: handler = make_tls_stream(owner.config_.stream); break;
      case AppProtocol::ssh: handler = make_ssh_stream(owner.config_.stream); break;
      case AppProtocol::dns: handler = make_dns_tcp_stream(owner.config_.stream); break;
      default: ++owner.stats_.detect_failed; break;
    }
    if (handler) {
      // Replay what detection held, the client's bytes first, as they were sent.
      for (const int dir : {kToServer, kToClient}) {
        std::span<const std::uint8_t> before = detect[dir].view();
        if (dir == current_dir) before = before.first(std::min(held, before.size()));
        if (!before.empty()) handler->on_data(dir, before, *this);
        if (dir == current_dir && !current.empty() && handler) handler->on_data(dir, current, *this);
      }
    }
    detect[0].release();
    detect[1].release();
  }

  /// No more bytes wanted from `dir`: skip its reassembly entirely.
  [[nodiscard]] bool direction_finished(int dir) const {
    if (reasm[dir].stopped()) return true;
    if (!detection_done) return false;
    return !handler || handler->done(dir);
  }

  void end_streams() {
    for (const int dir : {kToServer, kToClient}) {
      if (!direction_finished(dir)) reasm[dir].flush(sides[dir]);
      if (reasm[dir].stopped()) stream.truncated = true;
    }
    if (handler) handler->on_end(*this);
  }

  SessionBuilder& owner;
  std::uint64_t session_id = 0;
  std::string community_id;
  Endpoints endpoints;
  TimestampNs first_ts = 0;
  AppProtocol app = AppProtocol::unknown;
  bool detection_done = false;
  std::uint32_t udp_datagrams = 0;
  std::uint32_t next_sequence = 0;
  std::uint32_t events = 0;
  StreamSummary stream;
  TcpReassembler reasm[2];
  Direction sides[2];
  StreamBuffer detect[2];
  std::unique_ptr<StreamHandler> handler;
  std::uint32_t next_dns_tx = 0;  // one transaction per DNS message
  std::uint32_t dhcp_tx = 0;
  bool quic_done = false;
  std::uint32_t quic_packets = 0;
  std::unique_ptr<proto::QuicCryptoStream> quic_crypto;  // a ClientHello across Initials
  bool shown_closed = false;  // a provisional record went out at FIN/FIN or RST
  bool seen[2] = {false, false};  // a packet went this way
  bool syn = false, syn_ack = false, established = false;
  SessionRecord summary;  // the name/host/sni fields, filled as events pass
};

SessionBuilder::SessionBuilder(const SessionConfig& config, std::uint16_t worker, SessionSink& sink)
    : config_(config),
      worker_(worker),
      sink_(sink),
      flows_(config.flow, worker, *this),
      dns_(std::make_unique<proto::DnsMessage>()),
      quic_scratch_(4096) {
  budget_.limits = config.reassembly;
  // Whole-message buffers (handshakes, banners, detection) share the same
  // total as out-of-order TCP data, in a budget of their own.
  buffers_.cap = config.reassembly.max_buffered_total;
  config_.stream.budget = &buffers_;
}

SessionBuilder::~SessionBuilder() = default;

SessionBuilder::Session& SessionBuilder::session_for(const flow::FlowTable::PacketFlow& pf, const PacketView& pkt,
                                                     const DecodedPacket& d) {
  auto [it, inserted] = sessions_.try_emplace(pf.flow_id);
  last_packet_.new_session = inserted;
  if (inserted) {
    it->second = std::make_unique<Session>(*this, budget_);
    Session& s = *it->second;
    s.first_ts = pkt.ts;
    const IpAddress a = read_address(pkt.data, d.src_ip_offset, d.ip_version);
    const IpAddress b = read_address(pkt.data, d.dst_ip_offset, d.ip_version);
    const bool ports = has_transport_ports(d.l4_proto);
    s.endpoints.ip_proto = d.l4_proto;
    s.endpoints.vlan = d.vlan_count > 0 ? d.vlan[0] : 0;
    if (pf.from_source) {
      s.endpoints.src_ip = a;
      s.endpoints.dst_ip = b;
      if (ports) {
        s.endpoints.src_port = d.src_port;
        s.endpoints.dst_port = d.dst_port;
      }
    } else {
      s.endpoints.src_ip = b;
      s.endpoints.dst_ip = a;
      if (ports) {
        s.endpoints.src_port = d.dst_port;
        s.endpoints.dst_port = d.src_port;
      }
    }
    // Stable across restarts and re-indexing (same flow, same first packet
    // => same id), so a re-indexed session replaces its earlier document.
    const std::uint64_t h =
        flow::hash_flow_key(pf.key, static_cast<std::uint64_t>(pkt.ts) * 0x9e3779b97f4a7c15ULL ^ worker_);
    s.session_id = (h & ((std::uint64_t{1} << 53) - 1)) | 1;
    s.community_id = flow::community_id_text(flow::community_id_digest(pf.key, config_.community_id_seed));
  }
  return *it->second;
}

void SessionBuilder::on_packet(const PacketView& pkt, const DecodedPacket& d) {
  ++pcap_cnt_;
  ++stats_.packets;
  now_ = pkt.ts;
  last_ts_ = std::max(last_ts_, pkt.ts);
  // Expiry runs on packet time, as on the worker: once per second of it.
  if (pkt.ts - last_advance_ >= kNsPerSecond || pkt.ts < last_advance_) {
    flows_.advance(pkt.ts);
    last_advance_ = pkt.ts;
  }
  flows_.on_packet(pkt, d);
  last_packet_.valid = false;
  const flow::FlowTable::PacketFlow pf = flows_.last_packet_flow();
  if (!pf.valid) return;
  Session& s = session_for(pf, pkt, d);
  const int dir = pf.from_source ? kToServer : kToClient;
  note_handshake(s, dir, d);
  last_packet_.valid = true;
  last_packet_.to_server = dir == kToServer;
  last_packet_.established = s.established;
  last_packet_.app = s.app;
  last_packet_.session_id = s.session_id;
  last_packet_.endpoints = &s.endpoints;
  last_packet_.community_id = &s.community_id;
  last_packet_.session_start = s.first_ts;
  last_packet_.payload = {};
  last_packet_.pcap_cnt = pcap_cnt_;
  if (d.later_fragment || d.payload_offset > pkt.caplen) return;
  const std::uint32_t avail = pkt.caplen - d.payload_offset;
  const std::span<const std::uint8_t> payload(pkt.data + d.payload_offset, std::min(d.payload_len, avail));
  last_packet_.payload = payload;
  if (d.has(kLayerTcp)) {
    on_tcp(s, dir, d, payload);
    // The table keeps a closed flow for tcp_closed_s before its record
    // leaves; show the session now (searchable in seconds), once.
    if ((d.tcp_flags & (kTcpFin | kTcpRst)) != 0 && !s.shown_closed) {
      if (const auto rec = flows_.last_packet_closed_record()) {
        s.shown_closed = true;
        finish_session(s, *rec, false, true);
      }
    }
  } else if (d.has(kLayerUdp)) {
    on_udp(s, dir, payload);
  }
  // This very packet may have told the protocol (a lone DNS query): rules
  // see it as that protocol, as Suricata does.
  last_packet_.app = s.app;
}

void SessionBuilder::note_handshake(Session& s, int dir, const DecodedPacket& d) {
  s.seen[dir] = true;
  if (s.established) return;
  if (d.has(kLayerTcp)) {
    const std::uint8_t f = d.tcp_flags;
    if (dir == kToServer && (f & kTcpSyn) != 0 && (f & kTcpAck) == 0) s.syn = true;
    if (dir == kToClient && (f & kTcpSyn) != 0 && (f & kTcpAck) != 0) s.syn_ack = true;
    // The client's ACK of the SYN-ACK completes the handshake (Suricata's
    // "established"); a flow picked up mid-stream counts once both sides spoke.
    if (s.syn_ack && dir == kToServer && (f & kTcpAck) != 0 && (f & kTcpSyn) == 0) s.established = true;
    if (!s.syn && !s.syn_ack && s.seen[0] && s.seen[1]) s.established = true;
  } else {
    s.established = s.seen[0] && s.seen[1];
  }
}

void SessionBuilder::on_tcp(Session& s, int dir, const DecodedPacket& d, std::span<const std::uint8_t> payload) {
  const bool mine = !s.direction_finished(dir);
  const bool peer = !s.direction_finished(1 - dir);
  if (!mine && !peer) return;  // the common case of a bulk transfer after its handshake
  const std::uint8_t f = d.tcp_flags;
  // A SYN with a new sequence number before any data (a SYN flood or a
  // spoofed SYN, then the real handshake on the same 5-tuple): the stream
  // starts again from the real ISN.
  if (mine && (f & kTcpSyn) != 0 && s.reasm[dir].started() && s.reasm[dir].delivered() == 0 &&
      s.reasm[dir].buffered() == 0) {
    s.reasm[dir] = TcpReassembler(budget_);
  }
  if (mine) s.reasm[dir].on_segment(d.tcp_seq, (f & kTcpSyn) != 0, (f & kTcpFin) != 0, (f & kTcpRst) != 0, payload,
                                    s.sides[dir]);
  if (peer && (f & kTcpAck) != 0 && !s.direction_finished(1 - dir)) {
    s.reasm[1 - dir].on_peer_ack(d.tcp_ack, s.sides[1 - dir]);
  }
}

void SessionBuilder::on_udp(Session& s, int dir, std::span<const std::uint8_t> payload) {
  if (payload.empty()) return;
  if (!s.detection_done) {
    const AppProtocol p = detect_udp_protocol(payload, dir == kToServer ? s.endpoints.src_port : s.endpoints.dst_port,
                                              dir == kToServer ? s.endpoints.dst_port : s.endpoints.src_port);
    if (p == AppProtocol::unknown) {
      if (++s.udp_datagrams >= kUdpDetectDatagrams) s.detection_done = true;
      return;
    }
    s.detection_done = true;
    s.app = p;
  }
  switch (s.app) {
    case AppProtocol::dns: {
      const auto st = proto::parse_dns(payload, *dns_);
      if (st != proto::DnsParseStatus::ok && dns_->question_count == 0) {
        ++stats_.datagram_parse_errors;
        return;
      }
      DnsEvent ev = make_dns_event(*dns_, st);
      const std::uint32_t tx = s.next_dns_tx++;
      // A query goes to the server whichever side started the flow.
      const bool to_server = !ev.response;
      deliver(s, std::move(ev), to_server, tx);
      break;
    }
    case AppProtocol::dhcp: {
      proto::DhcpMessage m;
      if (proto::parse_dhcp(payload, m) != proto::DhcpParseStatus::ok) {
        ++stats_.datagram_parse_errors;
        return;
      }
      DhcpEvent ev;
      ev.message_type = m.message_type;
      ev.transaction_id = m.xid;
      if (m.htype == 1 && m.hlen == 6) ev.client_mac.assign(proto::format_hardware_address(m.chaddr).view());
      ev.hostname.assign(m.hostname);
      if (m.yiaddr != 0) ev.assigned_ip.assign(proto::format_ipv4(m.yiaddr).view());
      if (m.ciaddr != 0) ev.client_ip.assign(proto::format_ipv4(m.ciaddr).view());
      if (m.has_requested_ip) ev.requested_ip.assign(proto::format_ipv4(m.requested_ip).view());
      deliver(s, std::move(ev), m.op == 1, s.dhcp_tx++);
      break;
    }
    case AppProtocol::quic: {
      if (s.quic_done || dir != kToServer) return;
      proto::QuicInitialInfo info;
      quic_scratch_.resize(std::max(quic_scratch_.size(), proto::quic_initial_scratch_bytes(payload.size())));
      auto st = s.quic_crypto ? proto::parse_quic_initial(payload, quic_scratch_, info, *s.quic_crypto)
                              : proto::parse_quic_initial(payload, quic_scratch_, info);
      if (st == proto::QuicInitialStatus::client_hello_incomplete && !s.quic_crypto &&
          buffers_.used + sizeof(proto::QuicCryptoStream) <= buffers_.cap) {
        // The hello continues in the next Initial(s): keep this
        // connection's CRYPTO stream, charged to the buffer budget.
        s.quic_crypto = std::make_unique<proto::QuicCryptoStream>();
        buffers_.used += sizeof(proto::QuicCryptoStream);
        st = proto::parse_quic_initial(payload, quic_scratch_, info, *s.quic_crypto);
      }
      if (st != proto::QuicInitialStatus::ok) {
        if (++s.quic_packets >= kQuicInitialsTried) s.end_quic(buffers_);
        return;
      }
      QuicEvent ev;
      ev.version = info.version;
      ev.sni.assign(info.sni);
      for (const std::string_view a : info.alpn.view()) ev.alpn_offered.emplace_back(a);
      ev.ja4.assign(info.ja4.text());
      s.end_quic(buffers_);
      deliver(s, std::move(ev), true, 0);
      break;
    }
    default: break;
  }
}

void SessionBuilder::deliver(Session& s, ProtocolEventBody body, bool to_server, std::uint32_t tx_id) {
  if (s.events >= config_.max_events_per_session) {
    ++stats_.events_over_cap;
    return;
  }
  ++s.events;
  ++stats_.events;
  const AppProtocol p = event_protocol(body);
  ++stats_.events_by_protocol[static_cast<std::size_t>(p)];
  if (s.app == AppProtocol::unknown || s.app == AppProtocol::failed) s.app = p;

  SessionRecord& sum = s.summary;
  if (const auto* dns = std::get_if<DnsEvent>(&body)) {
    for (const DnsQuestionEntry& q : dns->queries) {
      if (sum.dns_names.size() < kMaxSummaryNames &&
          std::find(sum.dns_names.begin(), sum.dns_names.end(), q.name) == sum.dns_names.end()) {
        sum.dns_names.push_back(q.name);
      }
    }
  } else if (const auto* http = std::get_if<HttpEvent>(&body)) {
    if (sum.http_host.empty()) sum.http_host = http->host;
    if (sum.http_user_agent.empty()) sum.http_user_agent = http->user_agent;
  } else if (const auto* tls = std::get_if<TlsEvent>(&body)) {
    if (sum.tls_sni.empty()) sum.tls_sni = tls->sni;
    if (sum.tls_ja3.empty()) sum.tls_ja3 = tls->ja3;
    if (sum.tls_ja4.empty()) sum.tls_ja4 = tls->ja4;
  } else if (const auto* ssh = std::get_if<SshEvent>(&body)) {
    sum.ssh_client = ssh->client_software;
    sum.ssh_server = ssh->server_software;
  } else if (const auto* quic = std::get_if<QuicEvent>(&body)) {
    if (sum.tls_sni.empty()) sum.tls_sni = quic->sni;
    if (sum.tls_ja4.empty()) sum.tls_ja4 = quic->ja4;
  }

  ProtocolEvent ev;
  ev.session_id = s.session_id;
  ev.sequence = s.next_sequence++;
  ev.tx_id = tx_id;
  ev.ts = now_;
  ev.session_start = s.first_ts;
  ev.endpoints = s.endpoints;
  ev.to_server = to_server;
  ev.community_id = s.community_id;
  ev.pcap_cnt = pcap_cnt_;
  ev.body = std::move(body);
  sink_.on_event(ev);
}

void SessionBuilder::finish_session(Session& s, const FlowRecord& record, bool final, bool provisional) {
  if (final) s.end_streams();
  SessionRecord out = s.summary;
  out.session_id = s.session_id;
  out.provisional = provisional;
  out.flow = record;
  out.community_id = s.community_id;
  out.app_protocol = s.app;
  out.event_count = s.events;
  out.stream = s.stream;
  if (s.reasm[0].stopped() || s.reasm[1].stopped()) out.stream.truncated = true;
  if (final) {
    ++stats_.sessions;
    if (out.stream.truncated) ++stats_.streams_truncated;
  } else if (!provisional) {
    ++stats_.interim_sessions;
  }
  sink_.on_session(out);
}

void SessionBuilder::on_flow(const FlowRecord& record) noexcept {
  const auto it = sessions_.find(record.flow_id);
  if (it == sessions_.end()) return;
  const bool final = record.end_reason != FlowEndReason::active;
  const TimestampNs saved = now_;
  if (final) now_ = std::max(now_, record.last_ts);
  finish_session(*it->second, record, final);
  now_ = saved;
  if (final) sessions_.erase(it);
}

void SessionBuilder::advance(TimestampNs now) { flows_.advance(now); }

void SessionBuilder::flush(FlowEndReason reason) { flows_.flush(reason); }

SessionBuilderStats SessionBuilder::stats() const {
  SessionBuilderStats s = stats_;
  s.reassembly = budget_.counters;
  s.reassembly_buffered = budget_.buffered + buffers_.used;
  s.buffer_overflows = buffers_.overflows;
  return s;
}

}  // namespace opensoc::session
