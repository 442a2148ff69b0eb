#pragma once
// SyslogSender: forwards alerts to a SIEM's syslog collector, RFC 5424 or CEF,
// over UDP (one datagram per alert, RFC 5426) or TCP (octet-counting framing,
// RFC 6587 3.4.1). Never blocks its caller for long: sockets are
// non-blocking, a connect or a full send buffer is waited on for at most
// Options::timeout_ms, and what cannot be sent waits in a bounded queue (TCP)
// or is dropped and counted. A lost TCP connection is re-established on the
// next send (at most once per reconnect_backoff_ms), counted.
//
// Threading: thread-safe (one internal mutex); meant for the alert stage.
// Owns its socket; closing happens in the destructor.
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <sys/socket.h>

#include "opensoc/core/alert.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::alert {

enum class SyslogTransport : std::uint8_t { udp, tcp };
enum class SyslogFormat : std::uint8_t { rfc5424, cef };

/// Limits of a SyslogSender (see the class comment).
struct SyslogSenderOptions {
  int timeout_ms = 50;                        ///< longest wait for a connect or a writable socket, per poll
  int reconnect_backoff_ms = 1000;            ///< after a failed connect, no new attempt for this long
  int connect_timeout_ms = 5000;              ///< a connect still pending after this long has failed
  std::size_t max_pending_bytes = 1u << 20;   ///< TCP: bytes queued while the collector is slow or away
};

class SyslogSender {
 public:
  using Options = SyslogSenderOptions;
  struct Stats {
    std::uint64_t sent = 0;              ///< messages handed to the kernel completely
    std::uint64_t dropped = 0;           ///< messages given up (queue full, UDP send error, cut by a reset)
    std::uint64_t reconnects = 0;        ///< TCP connections made after the first
    std::uint64_t connect_failures = 0;  ///< TCP connects that failed or timed out
  };

  /// Resolves `host` (once, here: blocking DNS is a start-up cost) and, for
  /// TCP, starts connecting; an unreachable collector is not an error (the
  /// sender retries). Errors: `transport` not "udp"/"tcp", `format` not
  /// "rfc5424"/"cef", an unresolvable host, no socket. `hostname` is the
  /// HOSTNAME field; empty: this machine's name.
  static Result<std::unique_ptr<SyslogSender>> open(const std::string& host, std::uint16_t port,
                                                     std::string_view transport, std::string_view format,
                                                     std::string hostname = {}, Options options = {});
  ~SyslogSender();
  SyslogSender(const SyslogSender&) = delete;
  SyslogSender& operator=(const SyslogSender&) = delete;

  /// Renders `a` in the configured format and sends it. Ok when it was sent or
  /// queued (TCP); an Error (and a dropped count) when it was given up.
  /// Blocks at most about 2 * timeout_ms.
  Result<void> send(const Alert& a);
  /// Sends an already rendered message (no framing: the sender adds it).
  Result<void> send_message(std::string_view message);

  [[nodiscard]] Stats stats() const;
  /// Messages waiting in the TCP queue.
  [[nodiscard]] std::size_t pending() const;

 private:
  SyslogSender(SyslogTransport transport, SyslogFormat format, const sockaddr_storage& addr, socklen_t addr_len,
               std::string peer, std::string hostname, Options options);
  Result<void> send_udp(std::string_view message);
  Result<void> send_tcp(std::string_view message);
  bool ensure_connected();      // TCP: true when connected
  bool finish_connect(int wait_ms);
  void flush();                 // TCP: writes queued frames until done or the socket is full
  void close_socket();

  SyslogTransport transport_;
  SyslogFormat format_;
  sockaddr_storage addr_{};
  socklen_t addr_len_ = 0;
  std::string peer_;      // "host:port" for messages
  std::string hostname_;
  Options options_;

  mutable std::mutex mutex_;
  int fd_ = -1;
  bool connecting_ = false;
  bool ever_connected_ = false;
  std::int64_t next_connect_ms_ = 0;  // steady clock
  std::int64_t connect_started_ms_ = 0;
  std::string queue_;                 // framed messages, front first
  std::deque<std::size_t> frame_sizes_;
  std::size_t front_written_ = 0;     // bytes of the front frame already sent
  Stats stats_;
};

}  // namespace opensoc::alert
