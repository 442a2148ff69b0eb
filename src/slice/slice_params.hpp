#pragma once
// GET /api/v1/pcap parameters -> SliceQuery. Runs on the API thread; pure.
#include <map>
#include <string>

#include "opensoc/core/time.hpp"
#include "slice/slice_query.hpp"

namespace opensoc::slice {

/// GET parameters: host, src, dst (address or CIDR, v4 or v6), port, sport, dport
/// (1..65535), proto (tcp, udp, icmp, sctp, or a number 0..255), vlan (0..4095),
/// community_id ("1:<28 base64 chars>"), start, end, limit (>=1), limit_bytes (>=1),
/// and query (stenographer text, ANDed with the rest). Several parameters are ANDed;
/// a repeated one too (host=a&host=b = the conversation between a and b). Unknown
/// parameter, empty value, bad value, start > end: error naming the parameter.
///
/// `params` holds percent-decoded names and values. A repeated start, end,
/// limit or limit_bytes intersects like the rest: the latest start, earliest
/// end, smallest limit win; `query`'s before/after intersect with start/end.
/// Proto names are case-insensitive; "icmp" means ICMP or ICMPv6, a number
/// exactly that protocol. An empty time range is reported against "end" (or
/// "start", or "query", whichever the request used). The filter lists
/// parameters in a fixed order (host, src, dst, port, sport, dport, proto,
/// vlan, community_id, then query), so describe() does not depend on the
/// order of the URL.
QueryResult<SliceQuery> parse_slice_params(const std::multimap<std::string, std::string>& params, TimestampNs now);

}  // namespace opensoc::slice
