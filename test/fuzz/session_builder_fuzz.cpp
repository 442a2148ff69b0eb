// Fuzzes the whole session stage over an arbitrary capture: PcapFileSource
// (from memory) -> decode -> SessionBuilder, with every stream handler and
// datagram parser behind it, then a flush that ends every session. The sink
// renders each record as EVE and ECS JSON, so the renderers see hostile
// values too. Seeds: test/fuzz/seeds/session_builder/ (small corpus captures
// with DNS over UDP and TCP, HTTP, TLS, SSH, DHCP and QUIC).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "capture/pcap_file_source.hpp"
#include "decode/decode.hpp"
#include "session/ecs_json.hpp"
#include "session/eve_json.hpp"
#include "session/session_builder.hpp"

namespace {

struct RenderingSink final : opensoc::session::SessionSink {
  std::string line;
  void on_event(opensoc::ProtocolEvent& e) override {
    line.clear();
    opensoc::session::append_eve_event(line, e);
    opensoc::session::append_ecs_event(line, e);
  }
  void on_session(opensoc::SessionRecord& s) override {
    line.clear();
    opensoc::session::append_eve_flow(line, s);
    opensoc::session::append_ecs_session(line, s);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc;
  auto src = capture::PcapFileSource::open_memory(std::span<const std::uint8_t>(data, size), "fuzz-input");
  if (!src) return 0;
  session::SessionConfig config;
  config.flow.table_size = 1024;
  config.reassembly.max_buffered_total = 1 << 20;
  RenderingSink sink;
  session::SessionBuilder builder(config, 0, sink);
  PacketBatch batch;
  for (std::size_t rounds = 0; rounds <= size; ++rounds) {
    const std::uint32_t n = (*src)->next_batch(batch);
    if (n == 0) break;
    for (std::uint32_t i = 0; i < n; ++i) builder.on_packet(batch.packets[i], decode::decode_packet(batch.packets[i]));
    (*src)->release(batch);
  }
  builder.flush(FlowEndReason::shutdown);
  return 0;
}
