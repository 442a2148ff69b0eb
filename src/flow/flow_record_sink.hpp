#pragma once
// FlowRecordSink: where a FlowTable hands the records of finished (and
// long-running) flows.
#include "opensoc/core/flow_record.hpp"

namespace opensoc::flow {

/// Receives flow records from one FlowTable.
///
/// Threading: called on the worker thread that owns the table, from inside
/// FlowTable::on_packet, advance and flush; never concurrently for one table.
/// Lifetime: `record` is valid only during the call; copy what must outlive it
/// (typically into an SPSC ring). Must not block and must not call back into
/// the table that is emitting.
class FlowRecordSink {
 public:
  virtual ~FlowRecordSink() = default;
  virtual void on_flow(const FlowRecord& record) noexcept = 0;
};

}  // namespace opensoc::flow
