// Syslog forwarding of alerts (docs/ALERTS.md, "Syslog"). UDP: one datagram
// per message, dropped and counted when the kernel refuses it. TCP: frames
// "<length> <message>" (RFC 6587 octet counting, so messages may contain
// line breaks) into a bounded queue that is written with non-blocking
// sends; a connection that fails is closed, the frame it cut is counted as
// dropped, and the rest go out on the next connection. Runs on the caller's
// thread (the alert stage), waiting at most Options::timeout_ms per poll.
#include "alert/syslog_sender.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include "alert/syslog_format.hpp"

namespace opensoc::alert {
namespace {

// The largest UDP payload over IPv4; longer messages are cut (RFC 5426
// allows truncation by the sender).
constexpr std::size_t kMaxDatagram = 65507;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool wait_writable(int fd, int timeout_ms) {
  pollfd p{fd, POLLOUT, 0};
  const int rc = ::poll(&p, 1, timeout_ms);
  return rc > 0 && (p.revents & (POLLOUT | POLLERR | POLLHUP)) != 0;
}

std::string local_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "-";
  return buf;
}

}  // namespace

Result<std::unique_ptr<SyslogSender>> SyslogSender::open(const std::string& host, std::uint16_t port,
                                                         std::string_view transport, std::string_view format,
                                                         std::string hostname, Options options) {
  SyslogTransport t{};
  if (transport == "udp") {
    t = SyslogTransport::udp;
  } else if (transport == "tcp") {
    t = SyslogTransport::tcp;
  } else {
    return Error{"syslog: transport must be udp or tcp, not \"" + std::string(transport) + "\""};
  }
  SyslogFormat f{};
  if (format == "rfc5424") {
    f = SyslogFormat::rfc5424;
  } else if (format == "cef") {
    f = SyslogFormat::cef;
  } else {
    return Error{"syslog: format must be rfc5424 or cef, not \"" + std::string(format) + "\""};
  }
  const std::string peer = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = t == SyslogTransport::udp ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) return Error{"syslog: resolve " + peer + ": " + ::gai_strerror(rc)};
  sockaddr_storage addr{};
  const auto len = static_cast<socklen_t>(std::min<std::size_t>(res->ai_addrlen, sizeof addr));
  std::memcpy(&addr, res->ai_addr, len);
  ::freeaddrinfo(res);
  if (hostname.empty()) hostname = local_hostname();

  std::unique_ptr<SyslogSender> s(new SyslogSender(t, f, addr, len, peer, std::move(hostname), options));
  if (t == SyslogTransport::udp) {
    s->fd_ = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd_ < 0) return Error{"syslog: socket: " + std::string(std::strerror(errno))};
    // Connected, so that send() needs no address and an ICMP unreachable
    // shows up as an error on a later send instead of vanishing.
    if (::connect(s->fd_, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
      return Error{"syslog: connect udp " + peer + ": " + std::strerror(errno)};
    }
  } else {
    std::lock_guard lock(s->mutex_);
    s->ensure_connected();
  }
  return s;
}

SyslogSender::SyslogSender(SyslogTransport transport, SyslogFormat format, const sockaddr_storage& addr,
                           socklen_t addr_len, std::string peer, std::string hostname, Options options)
    : transport_(transport),
      format_(format),
      addr_(addr),
      addr_len_(addr_len),
      peer_(std::move(peer)),
      hostname_(std::move(hostname)),
      options_(options) {}

SyslogSender::~SyslogSender() { close_socket(); }

void SyslogSender::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  connecting_ = false;
}

Result<void> SyslogSender::send(const Alert& a) {
  return send_message(format_ == SyslogFormat::cef ? alert_syslog_cef(a, hostname_)
                                                   : alert_syslog_rfc5424(a, hostname_));
}

Result<void> SyslogSender::send_message(std::string_view message) {
  std::lock_guard lock(mutex_);
  return transport_ == SyslogTransport::udp ? send_udp(message) : send_tcp(message);
}

Result<void> SyslogSender::send_udp(std::string_view message) {
  message = message.substr(0, kMaxDatagram);
  const ssize_t n = ::send(fd_, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0) {
    ++stats_.dropped;
    return Error{"syslog udp " + peer_ + ": " + std::strerror(errno) + " (dropped)"};
  }
  ++stats_.sent;
  return ok();
}

Result<void> SyslogSender::send_tcp(std::string_view message) {
  const std::string length = std::to_string(message.size());
  const std::size_t frame = length.size() + 1 + message.size();
  if (queue_.size() + frame > options_.max_pending_bytes) {
    flush();  // make room if the collector is reading again
    if (queue_.size() + frame > options_.max_pending_bytes) {
      ++stats_.dropped;
      return Error{"syslog tcp " + peer_ + ": queue full (dropped)"};
    }
  }
  queue_ += length;
  queue_ += ' ';
  queue_ += message;
  frame_sizes_.push_back(frame);
  flush();
  return ok();
}

bool SyslogSender::finish_connect(int wait_ms) {
  if (!wait_writable(fd_, wait_ms)) {
    // Still connecting: try again on the next send, unless a blackholed
    // collector has kept us waiting too long (the kernel would retry SYNs for minutes).
    if (steady_ms() - connect_started_ms_ > options_.connect_timeout_ms) {
      close_socket();
      ++stats_.connect_failures;
      next_connect_ms_ = steady_ms() + options_.reconnect_backoff_ms;
    }
    return false;
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    close_socket();
    ++stats_.connect_failures;
    next_connect_ms_ = steady_ms() + options_.reconnect_backoff_ms;
    return false;
  }
  connecting_ = false;
  if (ever_connected_) ++stats_.reconnects;
  ever_connected_ = true;
  return true;
}

bool SyslogSender::ensure_connected() {
  if (fd_ >= 0 && !connecting_) return true;
  if (fd_ >= 0) return finish_connect(options_.timeout_ms);
  if (steady_ms() < next_connect_ms_) return false;
  fd_ = ::socket(addr_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    ++stats_.connect_failures;
    next_connect_ms_ = steady_ms() + options_.reconnect_backoff_ms;
    return false;
  }
  connecting_ = true;
  connect_started_ms_ = steady_ms();
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr_), addr_len_) == 0) return finish_connect(0);
  if (errno != EINPROGRESS) {
    close_socket();
    ++stats_.connect_failures;
    next_connect_ms_ = steady_ms() + options_.reconnect_backoff_ms;
    return false;
  }
  return finish_connect(options_.timeout_ms);
}

void SyslogSender::flush() {
  bool retried = false;   // one reconnect per flush after a broken connection
  bool waited = false;    // one wait for a full socket buffer per flush
  while (!queue_.empty()) {
    if (!ensure_connected()) return;
    const ssize_t n = ::send(fd_, queue_.data(), queue_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      auto written = static_cast<std::size_t>(n);
      queue_.erase(0, written);
      written += front_written_;
      while (!frame_sizes_.empty() && written >= frame_sizes_.front()) {
        written -= frame_sizes_.front();
        frame_sizes_.pop_front();
        ++stats_.sent;
      }
      front_written_ = written;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (waited || !wait_writable(fd_, options_.timeout_ms)) return;
      waited = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // The connection broke: a frame cut in the middle cannot be finished on
    // a new connection (the receiver would lose the framing), so it goes.
    close_socket();
    if (front_written_ > 0 && !frame_sizes_.empty()) {
      queue_.erase(0, frame_sizes_.front() - front_written_);
      frame_sizes_.pop_front();
      front_written_ = 0;
      ++stats_.dropped;
    }
    if (retried) return;
    retried = true;
    next_connect_ms_ = 0;  // the first attempt after a loss is immediate
  }
}

SyslogSender::Stats SyslogSender::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t SyslogSender::pending() const {
  std::lock_guard lock(mutex_);
  return frame_sizes_.size();
}

}  // namespace opensoc::alert
