#pragma once
// The capture tests' TempDir is the shared one (test/support/temp_dir.hpp).
#include "support/temp_dir.hpp"

namespace opensoc::capture::test {
using opensoc::test::TempDir;
}  // namespace opensoc::capture::test
