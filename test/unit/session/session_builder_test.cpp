// SessionBuilder on real captures: the events it reports are checked against
// what tshark reads from the same packets (the independent oracle), and the
// sessions against the flow table's own counters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "capture/pcap_file_source.hpp"
#include "decode/decode.hpp"
#include "proto_test_support.hpp"
#include "session/session_builder.hpp"

namespace opensoc::session {
namespace {

struct Collected final : SessionSink {
  std::vector<ProtocolEvent> events;
  std::vector<SessionRecord> sessions;     // final (and interim) records
  std::vector<SessionRecord> provisional;  // shown at FIN/FIN or RST, before the linger ends
  void on_event(ProtocolEvent& e) override { events.push_back(e); }
  void on_session(SessionRecord& s) override { (s.provisional ? provisional : sessions).push_back(s); }

  template <typename T>
  std::vector<T> bodies() const {
    std::vector<T> out;
    for (const auto& e : events) {
      if (const auto* b = std::get_if<T>(&e.body)) out.push_back(*b);
    }
    return out;
  }
};

SessionConfig small_config() {
  SessionConfig c;
  c.flow.table_size = 4096;
  return c;
}

/// Every packet of `pcap` through decode and one builder, then a flush.
Collected run(const std::string& pcap, const SessionConfig& config = small_config()) {
  Collected out;
  SessionBuilder builder(config, 0, out);
  auto src = capture::PcapFileSource::open(pcap, 0);
  REQUIRE(src);
  PacketBatch batch;
  while (!(*src)->exhausted()) {
    const std::uint32_t n = (*src)->next_batch(batch);
    for (std::uint32_t i = 0; i < n; ++i) {
      const PacketView& p = batch.packets[i];
      builder.on_packet(p, decode::decode_packet(p));
    }
    (*src)->release(batch);
  }
  builder.flush(FlowEndReason::shutdown);
  return out;
}

std::string capture(const std::string& test, const std::string& file = "input.pcap") {
  return proto::test::corpus_capture(test, file);
}

}  // namespace

TEST_CASE("HTTP transactions of a pipelined session with a gap match tshark's requests", "[session_builder]") {
  const std::string pcap = capture("http-pipeline-files-with-gap");
  const auto rows = proto::test::tshark_rows(pcap, "http.request", {"http.host", "http.request.method", "http.request.uri"});
  REQUIRE(!rows.empty());
  const Collected c = run(pcap);
  const auto http = c.bodies<HttpEvent>();
  REQUIRE(http.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(http[i].host == rows[i][0]);
    CHECK(http[i].method == rows[i][1]);
    CHECK(http[i].uri == rows[i][2]);
  }
  REQUIRE(c.sessions.size() == 1);
  CHECK(c.sessions[0].app_protocol == AppProtocol::http);
  CHECK(c.sessions[0].event_count == http.size());
  CHECK(c.sessions[0].stream.gaps >= 1);  // the capture drops a segment on purpose
  CHECK(c.sessions[0].http_host == rows[0][0]);
}

TEST_CASE("DNS over UDP: every query and response is an event with tshark's names, ids and rcodes", "[session_builder]") {
  const std::string pcap = capture("dns/dns-udp-double-request-response", "dns-udp-double-request-response.pcap");
  const auto rows = proto::test::tshark_rows(pcap, "dns", {"dns.id", "dns.flags.response", "dns.qry.name", "dns.flags.rcode"});
  REQUIRE(!rows.empty());
  const Collected c = run(pcap);
  const auto dns = c.bodies<DnsEvent>();
  REQUIRE(dns.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(std::to_string(dns[i].id) == std::to_string(std::stoul(rows[i][0], nullptr, 0)));
    CHECK(dns[i].response == (rows[i][1] == "1" || rows[i][1] == "True"));
    REQUIRE(!dns[i].queries.empty());
    CHECK(dns[i].queries[0].name == rows[i][2]);
    if (dns[i].response) CHECK(std::to_string(dns[i].rcode) == rows[i][3]);
  }
  // Every message is its own transaction, numbered in order (Suricata 8).
  for (std::size_t i = 0; i < c.events.size(); ++i) CHECK(c.events[i].tx_id == i);
}

TEST_CASE("DNS over TCP: length-prefixed messages across segments are found by content", "[session_builder]") {
  const std::string pcap = capture("dns/dns-tcp-multirequest-buffer", "dns-tcp-multirequest-buffer.pcap");
  // tshark lists the messages of one segment in one row, comma separated:
  // 20 queries in one segment, then 20 single responses.
  const auto rows = proto::test::tshark_rows(pcap, "dns", {"dns.qry.name"});
  REQUIRE(!rows.empty());
  std::vector<std::string> names;
  for (const auto& r : rows) {
    std::string_view rest = r[0];
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      names.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  REQUIRE(names.size() == 40);
  const Collected c = run(pcap);
  const auto dns = c.bodies<DnsEvent>();
  REQUIRE(dns.size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    REQUIRE(!dns[i].queries.empty());
    CHECK(dns[i].queries[0].name == names[i]);
    CHECK(dns[i].response == (i >= 20));
  }
}

TEST_CASE("TLS through an HTTP CONNECT tunnel on port 8080 is detected by content", "[session_builder]") {
  const std::string pcap = capture("bug-2430", "backwards.pcap");
  const auto certs = proto::test::tshark_rows(pcap, "tls.handshake.type == 11", {"x509sat.printableString"});
  const Collected c = run(pcap);
  const auto http = c.bodies<HttpEvent>();
  const auto tls = c.bodies<TlsEvent>();
  REQUIRE(http.size() == 1);
  CHECK(http[0].method == "CONNECT");
  CHECK(http[0].status == 200);
  REQUIRE(tls.size() == 1);
  CHECK(tls[0].has_client_hello);
  CHECK(tls[0].has_server_hello);
  CHECK(tls[0].has_certificate);
  CHECK(tls[0].subject.find("CN=qagpublic.qg1.apps.qualys.com") != std::string::npos);
  REQUIRE(!certs.empty());
  REQUIRE(c.sessions.size() == 1);
  CHECK(c.sessions[0].app_protocol == AppProtocol::http);
}

TEST_CASE("SSH banners of both sides become one event", "[session_builder]") {
  const std::string pcap = capture("ssh-newkeys");
  const auto rows = proto::test::tshark_rows(pcap, "ssh.protocol", {"ssh.protocol"});
  REQUIRE(rows.size() >= 2);
  const Collected c = run(pcap);
  const auto ssh = c.bodies<SshEvent>();
  REQUIRE(ssh.size() == 1);
  // tshark lists them in packet order (here the server speaks first).
  std::vector<std::string> theirs = {rows[0][0], rows[1][0]};
  std::vector<std::string> ours = {"SSH-" + ssh[0].client_proto + "-" + ssh[0].client_software,
                                   "SSH-" + ssh[0].server_proto + "-" + ssh[0].server_software};
  std::sort(theirs.begin(), theirs.end());
  std::sort(ours.begin(), ours.end());
  CHECK(ours == theirs);
  // HASSH and HASSHServer from each side's KEXINIT, as tshark computes them.
  const auto h = proto::test::tshark_rows(pcap, "ssh.kex.hassh or ssh.kex.hasshserver",
                                          {"ssh.kex.hassh", "ssh.kex.hasshserver", "ssh.kex.hassh_algorithms"});
  std::string client_hassh, server_hassh, client_string;
  for (const auto& r : h) {
    if (!r[0].empty()) client_hassh = r[0], client_string = r[2];
    if (!r[1].empty()) server_hassh = r[1];
  }
  REQUIRE(!client_hassh.empty());
  REQUIRE(!server_hassh.empty());
  CHECK(ssh[0].client_hassh == client_hassh);
  CHECK(ssh[0].client_hassh_string == client_string);
  CHECK(ssh[0].server_hassh == server_hassh);
}

TEST_CASE("QUIC: a ClientHello spread over several Initial packets gives tshark's SNI", "[session_builder]") {
  for (const std::string test : {"quic-frag", "quic-frag-middle-gap", "quic-frag-unordered", "quic-frag-wait",
                                 "quic-ietf"}) {
    INFO(test);
    const std::string pcap = capture(test);
    const auto rows = proto::test::tshark_rows(pcap, "udp.dstport == 443 && tls.handshake.type == 1",
                                               {"tls.handshake.extensions_server_name"});
    REQUIRE(!rows.empty());
    const Collected c = run(pcap);
    const auto quic = c.bodies<QuicEvent>();
    REQUIRE(quic.size() == 1);
    CHECK(quic[0].sni == rows[0][0]);
    CHECK(quic[0].ja4.starts_with("q"));
    REQUIRE(c.sessions.size() == 1);
    CHECK(c.sessions[0].app_protocol == AppProtocol::quic);
    CHECK(c.sessions[0].tls_sni == rows[0][0]);
  }
}

TEST_CASE("A stream depth bound stops the parsers but not the session's counters", "[session_builder]") {
  const std::string pcap = capture("http-pipeline-files-with-gap");
  SessionConfig tight = small_config();
  tight.reassembly.max_depth = 200;  // less than the first request
  const Collected bounded = run(pcap, tight);
  const Collected full = run(pcap);
  REQUIRE(bounded.sessions.size() == 1);
  REQUIRE(full.sessions.size() == 1);
  CHECK(bounded.sessions[0].stream.truncated);
  CHECK(bounded.bodies<HttpEvent>().size() < full.bodies<HttpEvent>().size());
  CHECK(bounded.sessions[0].flow.src_packets == full.sessions[0].flow.src_packets);
  CHECK(bounded.sessions[0].flow.dst_bytes == full.sessions[0].flow.dst_bytes);
}

TEST_CASE("Whole-message buffers share the builder's budget: past it, parsers stop, counters stay", "[session_builder]") {
  const std::string pcap = capture("bug-2430", "backwards.pcap");  // TLS handshake with a 4 KB certificate
  SessionConfig tight = small_config();
  tight.reassembly.max_buffered_total = 600;  // less than the server's handshake flight
  Collected out;
  SessionBuilder builder(tight, 0, out);
  auto src = capture::PcapFileSource::open(pcap, 0);
  REQUIRE(src);
  PacketBatch batch;
  while (!(*src)->exhausted()) {
    const std::uint32_t n = (*src)->next_batch(batch);
    for (std::uint32_t i = 0; i < n; ++i) builder.on_packet(batch.packets[i], decode::decode_packet(batch.packets[i]));
    (*src)->release(batch);
  }
  builder.flush(FlowEndReason::shutdown);
  const SessionBuilderStats st = builder.stats();
  CHECK(st.buffer_overflows > 0);
  CHECK(st.reassembly_buffered == 0);  // every buffer given back when the session ended
  const auto tls = out.bodies<TlsEvent>();
  REQUIRE(tls.size() == 1);
  CHECK(!tls[0].has_certificate);  // the certificate did not fit the budget
  const Collected full = run(pcap);
  REQUIRE(out.sessions.size() == 1);
  CHECK(out.sessions[0].flow.dst_bytes == full.sessions[0].flow.dst_bytes);
}

TEST_CASE("A closed TCP session is shown at once, then finalised with the same id", "[session_builder]") {
  const std::string pcap = capture("bug-2430", "backwards.pcap");
  const Collected c = run(pcap);
  REQUIRE(c.sessions.size() == 1);
  REQUIRE(c.provisional.size() == 1);
  const SessionRecord& early = c.provisional[0];
  const SessionRecord& last = c.sessions[0];
  CHECK(early.session_id == last.session_id);
  CHECK(early.flow.tcp_state == TcpState::closed);
  CHECK((early.flow.end_reason == FlowEndReason::fin || early.flow.end_reason == FlowEndReason::rst));
  CHECK(early.flow.first_ts == last.flow.first_ts);
  CHECK(early.flow.src_packets <= last.flow.src_packets);
  CHECK(early.app_protocol == AppProtocol::http);
}

TEST_CASE("Session ids are stable across runs and events carry their session's id and endpoints", "[session_builder]") {
  const std::string pcap = capture("bug-2430", "backwards.pcap");
  const Collected a = run(pcap);
  const Collected b = run(pcap);
  REQUIRE(a.sessions.size() == 1);
  REQUIRE(b.sessions.size() == 1);
  CHECK(a.sessions[0].session_id == b.sessions[0].session_id);
  CHECK(a.sessions[0].session_id < (std::uint64_t{1} << 53));
  for (const auto& e : a.events) {
    CHECK(e.session_id == a.sessions[0].session_id);
    CHECK(e.endpoints.dst_port == 8080);
    CHECK(e.community_id == a.sessions[0].community_id);
    CHECK(e.session_start == a.sessions[0].flow.first_ts);
  }
  // Sequences are unique within the session.
  std::vector<std::uint32_t> seq;
  for (const auto& e : a.events) seq.push_back(e.sequence);
  std::sort(seq.begin(), seq.end());
  CHECK(std::adjacent_find(seq.begin(), seq.end()) == seq.end());
}

}  // namespace opensoc::session
