// TelemetryReceivers: the syslog / JSON-lines / NetFlow listeners of the
// `receivers:` config. start() (control thread) binds every listener, so a
// port clash or a bad certificate fails the daemon's startup with a message
// naming the listener; then one thread, "opensoc-recv", runs the io_context
// that all listeners and connections share. Messages flow to the
// MessageQueue; per-listener counters flow to stats() (any thread).
#include "ingest/telemetry_receivers.hpp"

#include <optional>
#include <thread>
#include <utility>

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include "ingest/listener_state.hpp"
#include "ingest/socket_endpoint.hpp"
#include "ingest/stream_listener.hpp"
#include "ingest/tls_server_context.hpp"
#include "ingest/udp_listener.hpp"

namespace opensoc::ingest {

namespace asio = boost::asio;

// Declaration order is destruction order in reverse: listeners go before the
// io_context (their sockets need its services), the io_context's leftover
// handlers (and the connections they keep alive) before the states those
// connections count into.
struct TelemetryReceivers::Impl {
  std::vector<std::unique_ptr<ListenerState>> states;
  std::optional<asio::io_context> io;
  std::vector<std::unique_ptr<UdpListener>> udp;
  std::vector<std::unique_ptr<StreamListener>> streams;
  std::thread thread;
  bool stopped = false;
};

namespace {

Result<void> open_listener(asio::io_context& io, ListenerState& state, std::vector<std::unique_ptr<UdpListener>>& udp,
                           std::vector<std::unique_ptr<StreamListener>>& streams) {
  const ListenerConfig& c = state.config;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(c.address, ec);
  if (ec) return Error{"bad address '" + c.address + "'"};
  if (c.transport == ListenerTransport::udp) {
    auto l = std::make_unique<UdpListener>(io, state);
    if (auto r = l->open(asio::ip::udp::endpoint(address, c.port)); !r) return r.error();
    udp.push_back(std::move(l));
    return ok();
  }
  if (c.protocol == ListenerProtocol::netflow) return Error{"netflow is received over udp only"};
  if (c.transport == ListenerTransport::tls) {
    auto ctx = make_tls_server_context(c);
    if (!ctx) return ctx.error();
    state.tls = std::move(ctx.value());
  }
  auto l = std::make_unique<StreamListener>(io, state);
  if (auto r = l->open(asio::ip::tcp::endpoint(address, c.port)); !r) return r.error();
  streams.push_back(std::move(l));
  return ok();
}

}  // namespace

Result<std::unique_ptr<TelemetryReceivers>> TelemetryReceivers::start(const ReceiversConfig& config,
                                                                      MessageQueue& queue) {
  if (config.listeners.size() >= kApiListener) return Error{"too many listeners"};
  std::unique_ptr<TelemetryReceivers> self(new TelemetryReceivers());
  self->impl_ = std::make_unique<Impl>();
  Impl& impl = *self->impl_;
  impl.io.emplace(1);
  for (std::size_t i = 0; i < config.listeners.size(); ++i) {
    const ListenerConfig& c = config.listeners[i];
    auto& state = *impl.states.emplace_back(std::make_unique<ListenerState>(c, static_cast<std::uint16_t>(i), queue));
    if (auto r = open_listener(*impl.io, state, impl.udp, impl.streams); !r) return r.error().context("listener " + c.name);
  }
  for (auto& l : impl.udp) l->start();
  for (auto& l : impl.streams) l->start();
  impl.thread = std::thread([&impl] {
    auto guard = asio::make_work_guard(*impl.io);
    impl.io->run();
  });
  // 15 characters at most (the kernel's TASK_COMM_LEN).
  pthread_setname_np(impl.thread.native_handle(), "opensoc-recv");
  return self;
}

TelemetryReceivers::~TelemetryReceivers() { stop(); }

void TelemetryReceivers::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->io->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->udp.clear();
  impl_->streams.clear();
  impl_->io.reset();
}

std::vector<ListenerStats> TelemetryReceivers::stats() const {
  std::vector<ListenerStats> out;
  if (!impl_) return out;
  out.reserve(impl_->states.size());
  for (const auto& s : impl_->states) out.push_back(s->snapshot());
  return out;
}

}  // namespace opensoc::ingest
