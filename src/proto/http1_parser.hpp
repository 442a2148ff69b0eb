#pragma once
// Incremental HTTP/1.0 and HTTP/1.1 message parser for ONE direction of one
// connection. The caller feeds contiguous stream bytes (its reassembled TCP
// stream) in pieces of any size; the parser calls an Http1Sink with a head
// event per request or response, body events as body bytes are consumed
// (de-chunked), and an end event per message. Owned and run by whichever
// thread owns the connection; not thread-safe, never blocks, never throws.
//
// Memory: the parser owns one header buffer of Http1Limits::max_header_block
// bytes, allocated once at construction; the head of a message is copied into
// it (only the head: bodies are never buffered) so that a head split across
// feeds still yields contiguous fields.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace opensoc::proto {

enum class Http1Direction : std::uint8_t { request, response };

/// Why the parser gave up on a stream (or ok). After any value other than ok,
/// the parser stays in the gave-up state: later feeds consume nothing and
/// return the same status; the counters keep their values.
enum class Http1Status : std::uint8_t {
  ok,
  header_too_large,        // head longer than max_header_block, or a trailer block
  too_many_headers,        // more than max_headers fields in a head or trailer
  bad_start_line,          // not "METHOD SP target SP HTTP/x.y" / "HTTP/x.y SP ddd [SP reason]"
  bad_header_line,         // a field line without ':' or with an empty or invalid name
  bad_content_length,      // not a decimal number, overflow, or conflicting values
  bad_transfer_encoding,   // request with a Transfer-Encoding whose last coding is not chunked
  bad_chunk,               // chunk-size line invalid/overlong, or data not followed by CRLF
  http2_preface,           // "PRI * HTTP/2.0": the client speaks HTTP/2 now (prior knowledge or h2c)
};

std::string_view to_string(Http1Status s);

struct Http1Limits {
  std::size_t max_header_block = 16 * 1024;  // bytes of start line + fields (also bounds a trailer block)
  std::uint32_t max_headers = 128;           // fields per head (also per trailer block)
};

/// One request or response head. Every string_view points into the parser's
/// header buffer and is valid only during the Http1Sink::on_head call (the
/// buffer is reused by the next head). Copy what you keep. Absent fields are
/// empty views; the first occurrence of a repeated field wins (Content-Length
/// excepted: repeats must agree). Header values are trimmed of SP/HT; an
/// obsolete folded value has its line breaks replaced by SP.
struct Http1Head {
  Http1Direction direction = Http1Direction::request;
  std::uint8_t version_major = 1;
  std::uint8_t version_minor = 1;
  std::string_view version;  // "HTTP/1.1"
  // request
  std::string_view method;
  std::string_view target;  // the request-target as sent
  std::string_view path;    // target before the first '?'
  std::string_view query;   // target after the first '?' (empty if none)
  std::string_view host;
  std::string_view user_agent;
  std::string_view referer;
  // response
  std::uint16_t status_code = 0;
  std::string_view reason;
  // both
  std::string_view content_type;
  std::string_view transfer_encoding;
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  bool chunked = false;  // last transfer-coding is "chunked": the body framing used
  std::uint32_t header_count = 0;
};

/// How the body of the message whose head was just emitted is delimited.
enum class Http1BodyKind : std::uint8_t {
  none,            // no body: HEAD response, 1xx, 204, 304, or request without length
  content_length,  // exactly Http1Head::content_length bytes
  chunked,         // chunked transfer-coding, ended by the zero chunk and trailers
  until_close,     // response without length (or a CONNECT/101 tunnel): ends at finish()
};

struct Http1MessageEnd {
  Http1BodyKind body_kind = Http1BodyKind::none;
  std::uint64_t body_bytes = 0;   // de-chunked body bytes delivered through on_body
  std::uint32_t chunk_count = 0;  // data chunks (the final zero chunk not counted)
  std::uint32_t trailer_count = 0;
  bool complete = true;  // false when finish() cut the body (or a chunked body) short
};

/// Receives the parser's events, synchronously, from inside feed()/finish().
/// Implementations must not call back into the same parser.
class Http1Sink {
 public:
  virtual ~Http1Sink() = default;
  virtual void on_head(const Http1Head& head) = 0;
  /// Body bytes (de-chunked), a view into the fed input valid during the call.
  virtual void on_body(std::span<const std::uint8_t> data) { (void)data; }
  virtual void on_message_end(const Http1MessageEnd& end) { (void)end; }
};

/// Per-stream counters; kept after the parser gives up.
struct Http1Counters {
  std::uint64_t requests = 0;           // request heads emitted
  std::uint64_t responses = 0;          // response heads emitted (1xx included)
  std::uint64_t messages_completed = 0;
  std::uint64_t body_bytes = 0;
  std::uint64_t bytes_ignored = 0;  // fed after the parser gave up or after finish(), not parsed
  std::uint64_t te_and_content_length = 0;  // both present: Transfer-Encoding wins (RFC 9112 6.3)
  std::uint64_t unmatched_responses = 0;    // response with no request method noted (assumed not HEAD)
  std::uint64_t pending_methods_dropped = 0;  // note_request_method() with the queue full
  std::uint64_t truncated_at_finish = 0;    // finish() inside a head or a delimited body
};

/// The request method a response answers, as far as body framing cares.
enum class Http1RequestKind : std::uint8_t { other, head, connect };
Http1RequestKind request_kind(std::string_view method);

class Http1Parser {
 public:
  explicit Http1Parser(Http1Direction direction, Http1Limits limits = {});

  /// Consumes all of `data` (the next bytes of the stream), calling `sink`
  /// for every event completed by these bytes. Returns ok, or the reason the
  /// parser gave up (now or earlier). Bytes are never retained except the
  /// current head, which is copied.
  Http1Status feed(std::span<const std::uint8_t> data, Http1Sink& sink);

  /// The stream ended (FIN/RST). Ends an until-close body (complete), or a
  /// cut-short body (incomplete, counted). The parser then expects nothing.
  void finish(Http1Sink& sink);

  /// Response parsers only: the method of the next request on this
  /// connection, in request order (pipelining), so that responses to HEAD get
  /// no body and a 2xx to CONNECT becomes a tunnel. Queued up to 32 pending
  /// requests; each final (non-1xx) response consumes one. A response with
  /// nothing queued is framed as if answering GET.
  void note_request_method(std::string_view method);

  Http1Status status() const { return status_; }
  bool gave_up() const { return status_ != Http1Status::ok; }
  const Http1Counters& counters() const { return counters_; }

 private:
  enum class State : std::uint8_t {
    head, body_length, body_until_close, chunk_size, chunk_data, chunk_data_end, trailers, done, gave_up
  };

  std::size_t feed_head(std::span<const std::uint8_t> in, Http1Sink& sink);
  std::size_t feed_chunk_size(std::span<const std::uint8_t> in);
  std::size_t feed_chunk_data_end(std::span<const std::uint8_t> in);
  std::size_t feed_trailers(std::span<const std::uint8_t> in, Http1Sink& sink);
  void deliver_body(std::span<const std::uint8_t> in, Http1Sink& sink);
  bool parse_head(Http1Head& head);
  void start_body(const Http1Head& head, Http1Sink& sink);
  void end_message(Http1Sink& sink, bool complete);
  void give_up(Http1Status why);

  Http1Direction direction_;
  Http1Limits limits_;
  State state_ = State::head;
  Http1Status status_ = Http1Status::ok;
  Http1Counters counters_;

  std::unique_ptr<char[]> buf_;  // the current head: max_header_block bytes
  std::size_t buf_len_ = 0;
  std::size_t line_start_ = 0;  // head: offset of the current line in buf_; chunk/trailer states: bytes of the current line
  std::size_t trailer_bytes_ = 0;

  std::uint64_t body_remaining_ = 0;  // content_length or current chunk
  bool chunk_size_digits_ = false;
  bool chunk_size_ext_ = false;
  std::uint64_t chunk_size_ = 0;
  Http1MessageEnd end_;

  std::array<Http1RequestKind, 32> pending_{};
  std::size_t pending_head_ = 0;
  std::size_t pending_count_ = 0;
};

}  // namespace opensoc::proto
