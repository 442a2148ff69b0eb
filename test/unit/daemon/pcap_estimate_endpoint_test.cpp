// GET /api/v1/pcap/estimate against a real stored capture (segment files
// written by SegmentWriters, indexed into LMDB by the SegmentIndexer): the
// estimate must equal the packets and bytes GET /api/v1/pcap streams for
// the same parameters, reject what /api/v1/pcap rejects, and report a
// partial count when its budget runs out.
#include "daemon/pcap_estimate_endpoint.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <map>
#include <string>

#include "../flow/test_packets.hpp"
#include "daemon/pcap_endpoint.hpp"
#include "index/segment_indexer.hpp"
#include "store/pcap_format.hpp"
#include "store/segment_writer.hpp"
#include "support/temp_dir.hpp"
#include "telemetry/logger.hpp"

using namespace opensoc;
using flow::test::PacketSpec;

namespace {

constexpr TimestampNs kT0 = 1'764'237'600LL * kNsPerSecond;  // 2025-11-27T10:00:00Z
constexpr TimestampNs kMs = 1'000'000;

// 300 packets over two workers and several segments, three conversations.
struct StoredCapture {
  test::TempDir tmp;
  store::StoreConfig cfg;
  telemetry::Logger log{telemetry::LogLevel::error};
  std::unique_ptr<index::PacketIndex> index;

  StoredCapture() {
    cfg.max_segment_bytes = store::kGlobalHeaderSize + store::kMaxRecordSize;  // many small segments
    cfg.max_segment_age_s = 3600;
    cfg.sync_on_close = false;
    cfg.min_free_bytes = 0;
    cfg.default_window_s = 3600;
    index::PacketIndex::Options o;
    o.map_size = 256ULL << 20;
    o.no_sync = true;
    auto ix = index::PacketIndex::open(tmp.path() + "/index", o);
    if (!ix) FAIL(ix.error().message);
    index = std::move(*ix);
    std::vector<std::unique_ptr<store::SegmentWriter>> writers;
    for (std::uint16_t w = 0; w < 2; ++w) {
      auto r = store::SegmentWriter::open(cfg, tmp.path(), w);
      if (!r) FAIL(r.error().message);
      writers.push_back(std::move(*r));
    }
    for (int i = 0; i < 300; ++i) {
      PacketSpec s;
      s.src = i % 3 == 0 ? "10.0.0.1" : i % 3 == 1 ? "10.0.0.2" : "192.168.1.9";
      s.dst = "10.9.9.9";
      s.sport = static_cast<std::uint16_t>(40000 + i % 3);
      s.dport = i % 3 == 2 ? 53 : 443;
      s.proto = i % 3 == 2 ? 17 : 6;
      s.ts = kT0 + i * kMs;
      s.payload = static_cast<std::uint32_t>(i % 50);
      flow::test::TestPacket p = flow::test::make_packet(s);
      for (std::uint32_t k = 0; k < s.payload; ++k) p.frame.push_back(static_cast<std::uint8_t>(i + k));
      p.wirelen = static_cast<std::uint32_t>(p.frame.size());
      REQUIRE(writers[static_cast<std::size_t>(i % 2)]->append(p.view()).stored());
    }
    for (auto& w : writers) REQUIRE(w->close());
    index::IndexerOptions io;
    io.store = cfg;
    io.data_dir = tmp.path();
    index::SegmentIndexer indexer(io, *index, log, nullptr);
    REQUIRE(indexer.reconcile());
    REQUIRE(indexer.catch_up());
  }

  [[nodiscard]] slice::SliceOptions options() const {
    slice::SliceOptions o;
    o.store = cfg;
    o.data_dir = tmp.path();
    return o;
  }
};

api::Request get(std::multimap<std::string, std::string> params) {
  api::Request r;
  r.method = "GET";
  r.query = std::move(params);
  return r;
}

struct Downloaded {
  std::uint64_t bytes = 0;
  std::string packets_trailer;
};

// What GET /api/v1/pcap sends for the same request.
Downloaded download(const StoredCapture& c, const api::Request& req) {
  api::Response r = daemon::serve_pcap_request(req, *c.index, c.options());
  REQUIRE(r.status == 200);
  REQUIRE(r.stream);
  Downloaded d;
  std::string piece;
  bool more = true;
  while (more) {
    piece.clear();
    more = r.stream->next(piece);
    d.bytes += piece.size();
  }
  for (const auto& [name, value] : r.stream->trailers())
    if (name == "X-Opensoc-Packets") d.packets_trailer = value;
  return d;
}

struct Estimate {
  std::uint64_t packets = 0, bytes = 0, segments = 0;
  std::string start, end, truncated;
  double took_ms = -1;
  bool complete = false;
};

Estimate parse(const api::Response& r) {
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  Estimate e;
  std::string_view s, en, t;
  REQUIRE(doc["packets"].get(e.packets) == simdjson::SUCCESS);
  REQUIRE(doc["bytes"].get(e.bytes) == simdjson::SUCCESS);
  REQUIRE(doc["segments"].get(e.segments) == simdjson::SUCCESS);
  REQUIRE(doc["start"].get(s) == simdjson::SUCCESS);
  REQUIRE(doc["end"].get(en) == simdjson::SUCCESS);
  REQUIRE(doc["truncated"].get(t) == simdjson::SUCCESS);
  REQUIRE(doc["took_ms"].get(e.took_ms) == simdjson::SUCCESS);
  REQUIRE(doc["complete"].get(e.complete) == simdjson::SUCCESS);
  e.start = s;
  e.end = en;
  e.truncated = t;
  return e;
}

}  // namespace

TEST_CASE("pcap estimate equals the packets and bytes of the real slice", "[daemon][pcap][estimate]") {
  StoredCapture c;
  const std::string start = "2025-11-27T09:59:00Z";
  const std::string end = "2025-11-27T10:01:00Z";
  struct Case {
    const char* name;
    std::multimap<std::string, std::string> params;
    std::uint64_t packets;
  };
  const Case cases[] = {
      {"everything", {{"start", start}, {"end", end}}, 300},
      {"one host", {{"host", "10.0.0.1"}, {"start", start}, {"end", end}}, 100},
      {"udp", {{"proto", "udp"}, {"start", start}, {"end", end}}, 100},
      {"tcp to 443 as query text", {{"query", "tcp and port 443"}, {"start", start}, {"end", end}}, 200},
      {"limit", {{"host", "10.0.0.0/24"}, {"limit", "17"}, {"start", start}, {"end", end}}, 17},
      {"nothing", {{"host", "172.16.0.1"}, {"start", start}, {"end", end}}, 0},
  };
  for (const Case& k : cases) {
    SECTION(k.name) {
      const api::Request req = get(k.params);
      const Downloaded d = download(c, req);
      const Estimate e = parse(daemon::serve_pcap_estimate(req, *c.index, c.options()));
      CHECK(e.complete);
      CHECK(e.packets == k.packets);
      CHECK(std::to_string(e.packets) == d.packets_trailer);
      CHECK(e.bytes == d.bytes);
      CHECK(e.bytes >= store::kGlobalHeaderSize);
      CHECK(e.start == "2025-11-27T09:59:00.000000000Z");
      CHECK(e.end == "2025-11-27T10:01:00.000000000Z");
      CHECK(e.took_ms >= 0);
      if (k.packets > 0) CHECK(e.segments > 0);
      CHECK(e.truncated == (std::string(k.name) == "limit" ? "limit" : "no"));
    }
  }
}

TEST_CASE("pcap estimate in small pieces counts the same as in large ones", "[daemon][pcap][estimate]") {
  StoredCapture c;
  const api::Request req = get({{"start", "2025-11-27T09:59:00Z"}, {"end", "2025-11-27T10:01:00Z"}});
  daemon::EstimateOptions small;
  small.piece_bytes = 100;
  const Estimate a = parse(daemon::serve_pcap_estimate(req, *c.index, c.options(), small));
  const Estimate b = parse(daemon::serve_pcap_estimate(req, *c.index, c.options()));
  CHECK(a.complete);
  CHECK(a.packets == 300);
  CHECK(a.packets == b.packets);
  CHECK(a.bytes == b.bytes);
}

TEST_CASE("pcap estimate stops at its budget and says it is incomplete", "[daemon][pcap][estimate]") {
  StoredCapture c;
  const api::Request req = get({{"start", "2025-11-27T09:59:00Z"}, {"end", "2025-11-27T10:01:00Z"}});
  daemon::EstimateOptions none;
  none.budget = std::chrono::milliseconds(0);
  none.piece_bytes = 1;
  const Estimate e = parse(daemon::serve_pcap_estimate(req, *c.index, c.options(), none));
  CHECK_FALSE(e.complete);
  CHECK(e.packets < 300);
  CHECK(e.bytes < download(c, req).bytes);
}

TEST_CASE("pcap estimate rejects bad parameters as /api/v1/pcap does, naming them", "[daemon][pcap][estimate]") {
  StoredCapture c;
  struct Case {
    const char* name;
    std::multimap<std::string, std::string> params;
    const char* parameter;
  };
  const Case cases[] = {
      {"bad port", {{"port", "http"}}, "port"},
      {"unknown parameter", {{"colour", "red"}}, "colour"},
      {"bad host", {{"host", "10.0.0.300"}}, "host"},
      {"bad query", {{"query", "host and"}}, "query"},
  };
  for (const Case& k : cases) {
    SECTION(k.name) {
      const api::Request req = get(k.params);
      const api::Response e = daemon::serve_pcap_estimate(req, *c.index, c.options());
      const api::Response p = daemon::serve_pcap_request(req, *c.index, c.options());
      CHECK(e.status == 400);
      CHECK(e.body == p.body);
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      REQUIRE(parser.parse(e.body).get(doc) == simdjson::SUCCESS);
      std::string_view parameter;
      REQUIRE(doc["error"]["parameter"].get(parameter) == simdjson::SUCCESS);
      CHECK(parameter == k.parameter);
    }
  }
}
