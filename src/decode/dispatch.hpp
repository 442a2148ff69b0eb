#pragma once
// The dispatcher: runs layer decoders one after another, looking each next
// protocol up in dense tables keyed by protocol number.
#include "decode/decode_state.hpp"

namespace opensoc::decode::detail {

/// Walks the frame from `first` until a decoder stops, a protocol has no
/// decoder, or kMaxDecodeSteps decoders have run (tunnel_too_deep).
/// Capture worker; no allocation, no recursion.
void run_decoders(DecodeState& s, NextLayer first) noexcept;

}  // namespace opensoc::decode::detail
