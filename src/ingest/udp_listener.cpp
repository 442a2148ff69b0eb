// UdpListener: recvmmsg bursts from one UDP socket to the MessageQueue, with
// loss accounting. Runs on the receive thread ("opensoc-recv").
#include "ingest/udp_listener.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "ingest/socket_endpoint.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::ingest {
namespace {

namespace asio = boost::asio;

// One burst holds at most this much datagram buffer (and this many slots):
// big enough that a flood is read in few system calls, small enough to keep
// per listener.
constexpr std::size_t kBurstBufferBytes = 2u << 20;
constexpr std::size_t kMaxSlots = 64;
// Bursts in a row before yielding to the other listeners' handlers.
constexpr int kBurstsPerWake = 16;
// Drops that happen after the last datagram read show up in no control
// message until the next one arrives; poll the socket's counter meanwhile.
constexpr auto kDropPollInterval = std::chrono::milliseconds(100);

// The largest UDP payload; no datagram can be longer.
constexpr std::size_t kMaxDatagram = 65535;

void set_receive_buffer(int fd, std::uint32_t bytes) {
  const int v = static_cast<int>(std::min<std::uint32_t>(bytes, 0x7fffffff));
  // SO_RCVBUFFORCE passes net.core.rmem_max when we are privileged.
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0) {
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  }
}

}  // namespace

UdpListener::UdpListener(asio::io_context& io, ListenerState& state)
    : state_(state), socket_(io), drop_poll_(io) {
  slot_bytes_ = std::clamp<std::size_t>(state.config.max_message_bytes, 1, kMaxDatagram);
  slots_ = std::clamp<std::size_t>(kBurstBufferBytes / slot_bytes_, 1, kMaxSlots);
  trim_line_end_ = state.config.protocol != ListenerProtocol::netflow;
  buffers_.resize(slots_ * slot_bytes_);
  control_.resize(slots_ * CMSG_SPACE(sizeof(std::uint32_t)));
  peers_.resize(slots_);
  iov_.resize(slots_);
  headers_.resize(slots_);
  batch_.reserve(slots_);
}

UdpListener::~UdpListener() = default;

Result<void> UdpListener::open(const asio::ip::udp::endpoint& at) {
  const std::string where = "bind " + endpoint_text(at.address().to_string(), at.port());
  boost::system::error_code ec;
  socket_.open(at.protocol(), ec);
  if (ec) return Error{where + ": socket: " + ec.message()};
  const int fd = socket_.native_handle();
  set_receive_buffer(fd, state_.config.socket_buffer_bytes);
  const int one = 1;
  // The kernel then tells with each datagram how many it dropped so far.
  (void)::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
  socket_.bind(at, ec);
  if (ec) return Error{where + ": " + ec.message()};
  socket_.non_blocking(true, ec);
  if (ec) return Error{where + ": non-blocking: " + ec.message()};
  state_.bound_port = socket_.local_endpoint(ec).port();
  return ok();
}

void UdpListener::start() {
  wait_readable();
  arm_drop_poll();
}

void UdpListener::wait_readable() {
  socket_.async_wait(asio::ip::udp::socket::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;  // closed at stop()
    drain();
  });
}

void UdpListener::drain() {
  for (int i = 0; i < kBurstsPerWake; ++i) {
    if (!receive_burst()) break;
  }
  poll_kernel_drops();
  wait_readable();
}

bool UdpListener::receive_burst() {
  const std::size_t cmsg_space = CMSG_SPACE(sizeof(std::uint32_t));
  for (std::size_t i = 0; i < slots_; ++i) {
    iov_[i].iov_base = buffers_.data() + i * slot_bytes_;
    iov_[i].iov_len = slot_bytes_;
    msghdr& h = headers_[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &peers_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &iov_[i];
    h.msg_iovlen = 1;
    h.msg_control = control_.data() + i * cmsg_space;
    h.msg_controllen = cmsg_space;
    headers_[i].msg_len = 0;
  }
  int n = 0;
  do {
    n = ::recvmmsg(socket_.native_handle(), headers_.data(), static_cast<unsigned>(slots_), MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;  // EAGAIN: empty; other errors: wait for the next wake

  const TimestampNs now = wall_clock_ns();
  batch_.clear();
  std::uint64_t truncated = 0;
  for (int i = 0; i < n; ++i) {
    const msghdr& h = headers_[static_cast<std::size_t>(i)].msg_hdr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL && c->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t))) {
        std::uint32_t dropped = 0;
        std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
        note_kernel_drops(dropped);
      }
    }
    const std::size_t len = std::min<std::size_t>(headers_[static_cast<std::size_t>(i)].msg_len, slot_bytes_);
    const char* data = buffers_.data() + static_cast<std::size_t>(i) * slot_bytes_;
    std::size_t keep = len;
    // A syslog or JSON datagram often ends in the LF a line-oriented sender
    // writes; it is framing, not message.
    if (trim_line_end_ && keep > 0 && data[keep - 1] == '\n') {
      --keep;
      if (keep > 0 && data[keep - 1] == '\r') --keep;
    }
    ReceivedMessage& m = batch_.emplace_back();
    m.listener = state_.index;
    m.received = now;
    m.sender = to_ip_address(peers_[static_cast<std::size_t>(i)], m.sender_port);
    m.truncated = (h.msg_flags & MSG_TRUNC) != 0;
    truncated += m.truncated ? 1 : 0;
    m.bytes.assign(data, keep);
  }
  // Counted before the consumer can see the messages.
  count(state_.counters.truncated, truncated);
  std::uint64_t offered_bytes = 0;
  for (const auto& m : batch_) offered_bytes += m.bytes.size();
  const std::size_t taken = state_.queue.try_push(batch_);
  std::uint64_t left_bytes = 0;
  for (const auto& m : batch_) left_bytes += m.bytes.size();
  count(state_.counters.messages, taken);
  count(state_.counters.bytes, offered_bytes - left_bytes);
  count(state_.counters.dropped_queue, batch_.size());
  batch_.clear();
  return static_cast<std::size_t>(n) == slots_;
}

void UdpListener::note_kernel_drops(std::uint32_t cumulative) {
  // Unsigned difference: right across the counter's wrap.
  const std::uint32_t grown = cumulative - kernel_drops_seen_;
  // Control messages of one burst may be older than a SO_MEMINFO poll: never go back.
  if (grown == 0 || grown > 0x7fffffffu) return;
  kernel_drops_seen_ = cumulative;
  count(state_.counters.dropped_socket, grown);
}

void UdpListener::poll_kernel_drops() {
  std::uint32_t info[SK_MEMINFO_VARS] = {};
  socklen_t len = sizeof info;
  if (::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_MEMINFO, info, &len) != 0) return;
  if (len < (SK_MEMINFO_DROPS + 1) * sizeof(std::uint32_t)) return;
  note_kernel_drops(info[SK_MEMINFO_DROPS]);
}

void UdpListener::arm_drop_poll() {
  drop_poll_.expires_after(kDropPollInterval);
  drop_poll_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !socket_.is_open()) return;
    poll_kernel_drops();
    arm_drop_poll();
  });
}

}  // namespace opensoc::ingest
