// HTTP/1.x on one TCP session: a request parser on the client's bytes and a
// response parser on the server's, paired in order (pipelining); each
// transaction becomes one HttpEvent when its response ends, or at flow end.
#include <deque>
#include <string>

#include "proto/http1_parser.hpp"
#include "session/stream_handler.hpp"

namespace opensoc::session {
namespace {

void split_host(std::string_view host, HttpEvent& tx) {
  // "[v6]:port", "name:port", "name"
  std::string_view name = host;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close != std::string_view::npos) {
      name = host.substr(1, close - 1);
      if (close + 1 < host.size() && host[close + 1] == ':') port = host.substr(close + 2);
    }
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(':') == colon) {
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
  }
  tx.host.assign(name);
  unsigned value = 0;
  bool ok = !port.empty() && port.size() <= 5;
  for (const char c : port) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (ok && value <= 65535) tx.host_port = static_cast<std::uint16_t>(value);
}

constexpr std::size_t kMaxPendingTransactions = 256;

class HttpStream final : public StreamHandler {
 public:
  HttpStream()
      : request_parser_(proto::Http1Direction::request), response_parser_(proto::Http1Direction::response),
        requests_(*this), responses_(*this) {}

  void on_data(int direction, std::span<const std::uint8_t> data, EventEmitter& out) override {
    out_ = &out;
    if (direction == kToServer) {
      if (!request_parser_.gave_up()) request_parser_.feed(data, requests_);
    } else if (!response_parser_.gave_up()) {
      response_parser_.feed(data, responses_);
    }
  }

  void on_gap(int direction, std::uint64_t, EventEmitter& out) override {
    // A hole inside HTTP/1 framing cannot be resynchronised reliably: the
    // direction's parser stops; what was complete is kept.
    out_ = &out;
    if (direction == kToServer) {
      request_gap_ = true;
    } else {
      response_gap_ = true;
    }
  }

  void on_end(EventEmitter& out) override {
    out_ = &out;
    if (!response_parser_.gave_up() && !response_gap_) response_parser_.finish(responses_);
    if (!request_parser_.gave_up() && !request_gap_) request_parser_.finish(requests_);
    while (!txs_.empty()) emit_front();
  }

  [[nodiscard]] bool tunnel_started() const override { return tunnel_; }

  [[nodiscard]] bool done(int direction) const override {
    return direction == kToServer ? (request_parser_.gave_up() || request_gap_)
                                  : (response_parser_.gave_up() || response_gap_);
  }

 private:
  struct Tx {
    HttpEvent ev;
    bool request_done = false;
    bool response_done = false;
  };

  struct RequestSink final : proto::Http1Sink {
    explicit RequestSink(HttpStream& s) : s_(s) {}
    void on_head(const proto::Http1Head& h) override {
      // A client that never gets answers cannot hold unbounded state.
      if (s_.txs_.size() >= kMaxPendingTransactions) s_.emit_front();
      Tx& tx = s_.txs_.emplace_back();
      tx.ev.method.assign(h.method);
      tx.ev.uri.assign(h.target);
      tx.ev.path.assign(h.path);
      tx.ev.query.assign(h.query);
      split_host(h.host, tx.ev);
      tx.ev.version.assign(h.version);
      tx.ev.user_agent.assign(h.user_agent);
      tx.ev.referrer.assign(h.referer);
      tx.ev.request_content_type.assign(h.content_type);
      s_.response_parser_.note_request_method(h.method);
    }
    void on_message_end(const proto::Http1MessageEnd& end) override {
      for (Tx& tx : s_.txs_) {
        if (!tx.request_done) {
          tx.request_done = true;
          tx.ev.request_body_bytes = end.body_bytes;
          break;
        }
      }
    }
    HttpStream& s_;
  };

  struct ResponseSink final : proto::Http1Sink {
    explicit ResponseSink(HttpStream& s) : s_(s) {}
    void on_head(const proto::Http1Head& h) override {
      if (h.status_code >= 100 && h.status_code < 200 && h.status_code != 101) return;  // interim
      Tx* tx = nullptr;
      for (Tx& t : s_.txs_) {
        if (!t.ev.has_response) {
          tx = &t;
          break;
        }
      }
      if (tx == nullptr) {  // a response whose request was not seen
        tx = &s_.txs_.emplace_back();
        tx->request_done = true;
      }
      tx->ev.has_response = true;
      tx->ev.status = h.status_code;
      if (tx->ev.method == "CONNECT" && h.status_code >= 200 && h.status_code < 300) s_.tunnel_ = true;
      tx->ev.response_content_type.assign(h.content_type);
      tx->ev.response_version.assign(h.version);
      current_ = tx;
    }
    void on_message_end(const proto::Http1MessageEnd& end) override {
      if (current_ == nullptr) return;
      current_->ev.response_body_bytes = end.body_bytes;
      current_->response_done = true;
      current_ = nullptr;
      // Transactions leave in order: the front once its response is done.
      while (!s_.txs_.empty() && s_.txs_.front().response_done) s_.emit_front();
    }
    HttpStream& s_;
    Tx* current_ = nullptr;
  };

  void emit_front() {
    if (responses_.current_ == &txs_.front()) responses_.current_ = nullptr;
    Tx tx = std::move(txs_.front());
    txs_.pop_front();
    if (out_ != nullptr) out_->emit(std::move(tx.ev), true, next_tx_);
    ++next_tx_;
  }

  proto::Http1Parser request_parser_;
  proto::Http1Parser response_parser_;
  RequestSink requests_;
  ResponseSink responses_;
  std::deque<Tx> txs_;  // std::deque: pointers stay valid while the back grows
  EventEmitter* out_ = nullptr;
  std::uint32_t next_tx_ = 0;
  bool request_gap_ = false;
  bool response_gap_ = false;
  bool tunnel_ = false;
};

}  // namespace

std::unique_ptr<StreamHandler> make_http_stream() { return std::make_unique<HttpStream>(); }

}  // namespace opensoc::session
