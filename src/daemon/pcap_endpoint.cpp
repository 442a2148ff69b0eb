// /api/v1/pcap (see pcap_endpoint.hpp).
#include "daemon/pcap_endpoint.hpp"

#include <chrono>
#include <memory>

#include "slice/slice_params.hpp"

namespace opensoc::daemon {

namespace {

// Pieces of about 256 KiB: big enough that chunk framing costs nothing,
// small enough that one slice cannot hog the HTTP thread between pieces.
constexpr std::size_t kPieceBytes = 256 * 1024;

class PcapBodyStream final : public api::BodyStream {
 public:
  explicit PcapBodyStream(std::unique_ptr<slice::SliceCursor> cursor) : cursor_(std::move(cursor)) {}
  bool next(std::string& out) override { return cursor_->fill(out, kPieceBytes); }
  std::vector<std::pair<std::string, std::string>> trailers() override {
    const auto& o = cursor_->outcome();
    return {{"X-Opensoc-Packets", std::to_string(o.packets)},
            {"X-Opensoc-Truncated", slice::to_string(o.truncated)}};
  }

 private:
  std::unique_ptr<slice::SliceCursor> cursor_;
};


}  // namespace

api::Response serve_pcap_request(const api::Request& request, const index::PacketIndex& index,
                                 const slice::SliceOptions& options) {
  std::multimap<std::string, std::string> params = request.query;
  if (request.method == "POST") {
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
      return api::error_response(400, "POST needs a query in the body, e.g. 'host 10.1.2.3 and port 443'", "query");
    }
    params.emplace("query", request.body);
  }
  auto query = slice::parse_slice_params(params, wall_clock_ns());
  if (!query) return api::error_response(400, query.error().message, query.error().parameter);
  auto cursor = slice::open_slice(index, options, *query);
  if (!cursor) return api::error_response(500, cursor.error().message);

  api::Response r;
  r.content_type = "application/vnd.tcpdump.pcap";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + slice::slice_file_name((*cursor)->outcome()) + "\"");
  r.trailer_names = {"X-Opensoc-Packets", "X-Opensoc-Truncated"};
  r.stream = std::make_shared<PcapBodyStream>(std::move(*cursor));
  return r;
}

}  // namespace opensoc::daemon
