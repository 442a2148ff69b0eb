#pragma once
// How a loader takes in one indicator it built: count it (and whether it has
// already expired) in the load report and keep it, or record why it was
// refused. Shared by the CSV, API JSON and STIX loaders so that they count
// alike. Runs on whichever thread loads a feed.
#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "intel/intel_load_report.hpp"
#include "opensoc/core/enrichment.hpp"
#include "opensoc/core/result.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::intel {

/// Counts `ind` as loaded (and as expired when it expires at or before
/// `now`, wall clock) and appends it to `out`.
inline void take_indicator(Indicator ind, TimestampNs now, IntelLoadReport& report, std::vector<Indicator>& out) {
  if (ind.expires != 0 && ind.expires <= now) ++report.expired;
  ++report.loaded;
  out.push_back(std::move(ind));
}

/// take_indicator, or a rejection at `origin`:`line` (0: no line) with the
/// error's message.
inline void take_or_reject(Result<Indicator> ind, TimestampNs now, std::string_view origin, std::size_t line,
                           IntelLoadReport& report, std::vector<Indicator>& out) {
  if (!ind) {
    report.reject(origin, line, ind.error().message);
    return;
  }
  take_indicator(std::move(*ind), now, report, out);
}

}  // namespace opensoc::intel
