#pragma once
// UdpListener: one UDP socket of a syslog / JSON / NetFlow listener. Reads
// datagrams in bursts with recvmmsg (one datagram = one message), pushes each
// burst to the queue under one lock and counts what the queue refused
// (dropped_queue) and what the kernel dropped from the full receive buffer
// (dropped_socket, from SO_RXQ_OVFL and SO_MEMINFO). Runs on the receive
// thread; opened on the control thread before that thread starts.
#include <cstdint>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ingest/listener_state.hpp"
#include "opensoc/core/result.hpp"

namespace opensoc::ingest {

class UdpListener {
 public:
  UdpListener(boost::asio::io_context& io, ListenerState& state);
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;
  ~UdpListener();

  /// Opens and binds; sets state.bound_port. Error: "bind ADDR:PORT: reason".
  Result<void> open(const boost::asio::ip::udp::endpoint& at);
  /// Starts reading (call before the io_context runs or on its thread).
  void start();

 private:
  void wait_readable();
  void drain();
  /// Burst of up to slots_ datagrams; false when the socket is empty.
  bool receive_burst();
  /// sk_drops is cumulative per socket: add what it grew by since last seen.
  void note_kernel_drops(std::uint32_t cumulative);
  void poll_kernel_drops();
  void arm_drop_poll();

  ListenerState& state_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer drop_poll_;
  std::size_t slots_ = 0;
  std::size_t slot_bytes_ = 0;
  std::vector<char> buffers_;
  std::vector<char> control_;
  std::vector<sockaddr_storage> peers_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> headers_;
  std::vector<ReceivedMessage> batch_;
  std::uint32_t kernel_drops_seen_ = 0;
  bool trim_line_end_ = true;
};

}  // namespace opensoc::ingest
