#pragma once
// RecordHook: a stage that sees what the session stage produces before it is
// rendered (packets in their session's context, protocol events, session
// records), adds to the records (enrichment, threat matches) and makes its
// own outputs (alerts) through the session stage's StageOutputs. The session
// module knows only this interface; detection lives in src/detect.
//
// Threading: every call on the indexer thread, in packet order.
#include <string>

#include "opensoc/core/protocol_event.hpp"
#include "opensoc/core/time.hpp"
#include "search/search_document.hpp"
#include "session/session_builder.hpp"

namespace opensoc::session {

/// Where a hook's own records go: the same EVE export and search index the
/// sessions use, so alerts sit beside the sessions they point at.
class StageOutputs {
 public:
  virtual ~StageOutputs() = default;
  virtual void write_eve_line(const std::string& line) = 0;
  virtual void index_document(search::SearchDocument doc) = 0;
};

class RecordHook {
 public:
  virtual ~RecordHook() = default;
  /// Called once before any record, with the outputs to use.
  virtual void bind(StageOutputs& outputs) noexcept = 0;
  /// The packet just given to `worker`'s builder (`p.valid` checked by the caller).
  virtual void on_packet(std::uint16_t worker, const LastPacket& p, TimestampNs ts) noexcept = 0;
  virtual void on_event(ProtocolEvent& event) noexcept = 0;
  virtual void on_session(SessionRecord& session) noexcept = 0;
  /// End of an indexer pass: time-driven work, table swaps after a reload.
  virtual void on_pass_end(TimestampNs wall_now, TimestampNs packet_now) noexcept = 0;
  /// The stream ended: make everything durable.
  virtual void finish() noexcept = 0;
};

}  // namespace opensoc::session
