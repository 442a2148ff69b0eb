// `opensocd pcap` (see pcap_command.hpp).
#include "daemon/pcap_command.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>

#include "daemon/packet_store.hpp"
#include "slice/slice_executor.hpp"
#include "slice/slice_params.hpp"

namespace opensoc::daemon {

namespace {

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int run_pcap(const config::AppConfig& config, const PcapOptions& options, const telemetry::Logger& log) {
  std::multimap<std::string, std::string> params(options.params.begin(), options.params.end());
  const TimestampNs now = wall_clock_ns();
  auto query = slice::parse_slice_params(params, now);
  if (!query) {
    const auto& e = query.error();
    std::fprintf(stderr, "opensocd pcap: --%s: %s\n", e.parameter.c_str(), e.message.c_str());
    return 2;
  }
  const bool to_file = options.output && *options.output != "-";
  if (!to_file && ::isatty(STDOUT_FILENO) == 1) {
    std::fprintf(stderr, "opensocd pcap: not writing binary pcap to a terminal; use -o FILE or a pipe\n");
    return 2;
  }
  auto index = open_packet_index(config);
  if (!index) {
    log.error("pcap: {}", index.error().message);
    return 1;
  }
  slice::SliceOptions so;
  so.store = config.store;
  so.data_dir = config.data_dir;
  so.community_id_seed = config.pipeline.community_id_seed;
  auto cursor = slice::open_slice(**index, so, *query);
  if (!cursor) {
    log.error("pcap: {}", cursor.error().message);
    return 1;
  }

  int fd = STDOUT_FILENO;
  if (to_file) {
    fd = ::open(options.output->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      log.error("pcap: cannot create {}: {}", *options.output, std::strerror(errno));
      return 1;
    }
  }
  std::string buf;
  bool more = true;
  bool ok_write = true;
  while (more && ok_write) {
    buf.clear();
    more = (*cursor)->fill(buf, 1u << 20);
    ok_write = write_all(fd, buf);
  }
  if (to_file && ::close(fd) != 0) ok_write = false;
  if (!ok_write) {
    log.error("pcap: write failed: {}", std::strerror(errno));
    return 1;
  }
  const auto& o = (*cursor)->outcome();
  std::fprintf(stderr, "%llu packets, %llu bytes%s\n", static_cast<unsigned long long>(o.packets),
               static_cast<unsigned long long>(o.bytes),
               o.truncated == slice::Truncation::no
                   ? ""
                   : (o.truncated == slice::Truncation::limit ? ", cut by limit" : ", cut by limit_bytes"));
  return 0;
}

}  // namespace opensoc::daemon
