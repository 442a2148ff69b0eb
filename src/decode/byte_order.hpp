#pragma once
// The decoders' byte loads are the core ones (opensoc/core/byte_order.hpp).
// They do not check bounds: DecodeState::has() is the bounds check, and every
// caller proves the bytes are there before loading them.
#include "opensoc/core/byte_order.hpp"

namespace opensoc::decode::detail {

using opensoc::load_be16;
using opensoc::load_be32;
using opensoc::load_le32;

}  // namespace opensoc::decode::detail
