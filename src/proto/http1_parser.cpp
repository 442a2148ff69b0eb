// HTTP/1.x message parser (see http1_parser.hpp). A byte-driven state machine
// over one direction of a connection: head (copied into a bounded buffer until
// the empty line), then the body framed as RFC 9112 section 6 says (Content-
// Length, chunked, until close, or none), then the next message (pipelining).
// Runs on the thread that owns the connection; allocation happens only at
// construction (the header buffer).
#include "proto/http1_parser.hpp"

#include <algorithm>
#include <cstring>

namespace opensoc::proto {

namespace {

constexpr std::size_t kMaxChunkSizeLine = 1024;  // hex digits plus chunk extensions

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_ws(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view v) {
  while (!v.empty() && is_ws(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_ws(v.back())) v.remove_suffix(1);
  return v;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// "HTTP/d.d"
bool parse_version(std::string_view v, Http1Head& head) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' || !is_digit(v[7])) return false;
  head.version = v;
  head.version_major = static_cast<std::uint8_t>(v[5] - '0');
  head.version_minor = static_cast<std::uint8_t>(v[7] - '0');
  return true;
}

// Content-Length is 1*DIGIT; a list of identical values ("12, 12") is what
// some intermediaries produce by merging repeated fields (RFC 9110 8.6).
bool parse_content_length(std::string_view v, std::uint64_t& out) {
  bool have = false;
  std::uint64_t value = 0;
  for (;;) {
    const std::size_t comma = v.find(',');
    const std::string_view item = trim(v.substr(0, comma));
    if (item.empty()) return false;
    std::uint64_t n = 0;
    for (const char c : item) {
      if (!is_digit(c)) return false;
      if (n > (UINT64_MAX - 9) / 10) return false;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (have && n != value) return false;
    value = n;
    have = true;
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  out = value;
  return true;
}

// The body is chunked only when chunked is the final transfer-coding.
bool last_coding_is_chunked(std::string_view v) {
  std::string_view last;
  for (;;) {
    const std::size_t comma = v.find(',');
    const std::string_view item = trim(v.substr(0, comma));
    if (!item.empty()) last = item;
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return iequals(last, "chunked");
}

int hex_value(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view to_string(Http1Status s) {
  switch (s) {
    case Http1Status::ok: return "ok";
    case Http1Status::header_too_large: return "header_too_large";
    case Http1Status::too_many_headers: return "too_many_headers";
    case Http1Status::bad_start_line: return "bad_start_line";
    case Http1Status::bad_header_line: return "bad_header_line";
    case Http1Status::bad_content_length: return "bad_content_length";
    case Http1Status::bad_transfer_encoding: return "bad_transfer_encoding";
    case Http1Status::bad_chunk: return "bad_chunk";
    case Http1Status::http2_preface: return "http2_preface";
  }
  return "unknown";
}

Http1RequestKind request_kind(std::string_view method) {
  // Methods are case-sensitive (RFC 9110 9.1).
  if (method == "HEAD") return Http1RequestKind::head;
  if (method == "CONNECT") return Http1RequestKind::connect;
  return Http1RequestKind::other;
}

Http1Parser::Http1Parser(Http1Direction direction, Http1Limits limits)
    : direction_(direction), limits_(limits),
      buf_(std::make_unique<char[]>(std::max<std::size_t>(limits.max_header_block, 1))) {}

void Http1Parser::note_request_method(std::string_view method) {
  if (pending_count_ == pending_.size()) {
    ++counters_.pending_methods_dropped;
    return;
  }
  pending_[(pending_head_ + pending_count_) % pending_.size()] = request_kind(method);
  ++pending_count_;
}

void Http1Parser::give_up(Http1Status why) {
  status_ = why;
  state_ = State::gave_up;
}

Http1Status Http1Parser::feed(std::span<const std::uint8_t> data, Http1Sink& sink) {
  std::size_t pos = 0;
  while (pos < data.size() && state_ != State::gave_up && state_ != State::done) {
    const auto rest = data.subspan(pos);
    switch (state_) {
      case State::head:
        pos += feed_head(rest, sink);
        break;
      case State::body_length:
      case State::chunk_data: {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(rest.size(), body_remaining_));
        deliver_body(rest.first(n), sink);
        body_remaining_ -= n;
        pos += n;
        if (body_remaining_ == 0) {
          if (state_ == State::body_length) {
            end_message(sink, true);
          } else {
            state_ = State::chunk_data_end;
            line_start_ = 0;
          }
        }
        break;
      }
      case State::body_until_close:
        deliver_body(rest, sink);
        pos += rest.size();
        break;
      case State::chunk_size:
        pos += feed_chunk_size(rest);
        break;
      case State::chunk_data_end:
        pos += feed_chunk_data_end(rest);
        break;
      case State::trailers:
        pos += feed_trailers(rest, sink);
        break;
      case State::done:
      case State::gave_up:
        break;
    }
  }
  counters_.bytes_ignored += data.size() - pos;
  return status_;
}

void Http1Parser::finish(Http1Sink& sink) {
  switch (state_) {
    case State::head:
      if (buf_len_ > 0) ++counters_.truncated_at_finish;
      break;
    case State::body_until_close:
      end_message(sink, true);
      break;
    case State::body_length:
    case State::chunk_size:
    case State::chunk_data:
    case State::chunk_data_end:
    case State::trailers:
      ++counters_.truncated_at_finish;
      end_message(sink, false);
      break;
    case State::done:
    case State::gave_up:
      return;
  }
  state_ = State::done;
}

std::size_t Http1Parser::feed_head(std::span<const std::uint8_t> in, Http1Sink& sink) {
  std::size_t consumed = 0;
  while (consumed < in.size()) {
    const std::uint8_t* p = in.data() + consumed;
    const std::size_t avail = in.size() - consumed;
    const void* nl = std::memchr(p, '\n', avail);
    const std::size_t take = nl != nullptr ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - p) + 1 : avail;
    if (take > limits_.max_header_block - buf_len_) {
      give_up(Http1Status::header_too_large);
      return consumed;
    }
    std::memcpy(buf_.get() + buf_len_, p, take);
    buf_len_ += take;
    consumed += take;
    if (nl == nullptr) break;
    std::size_t line_len = buf_len_ - line_start_ - 1;
    if (line_len > 0 && buf_[line_start_ + line_len - 1] == '\r') --line_len;
    if (line_len != 0) {
      line_start_ = buf_len_;
      continue;
    }
    if (line_start_ == 0) {
      // Empty lines before a start line are skipped (RFC 9112 2.2): clients
      // send a stray CRLF after a POST body.
      buf_len_ = 0;
      continue;
    }
    Http1Head head;
    head.direction = direction_;
    if (!parse_head(head)) return consumed;
    start_body(head, sink);
    return consumed;
  }
  return consumed;
}

bool Http1Parser::parse_head(Http1Head& head) {
  // buf_[0, buf_len_) holds whole lines ending in LF, the last one empty.
  char* const b = buf_.get();
  std::size_t pos = 0;
  auto next_line = [&](std::size_t& start, std::size_t& end) {
    start = pos;
    const void* nl = std::memchr(b + pos, '\n', buf_len_ - pos);
    const std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(nl) - b);
    end = lf;
    if (end > start && b[end - 1] == '\r') --end;
    pos = lf + 1;
  };

  std::size_t ls = 0;
  std::size_t le = 0;
  next_line(ls, le);
  const std::string_view start_line(b + ls, le - ls);
  for (const char c : start_line) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      give_up(Http1Status::bad_start_line);
      return false;
    }
  }
  if (direction_ == Http1Direction::request) {
    const std::size_t sp1 = start_line.find(' ');
    const std::size_t sp2 = start_line.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == 0 || sp2 == sp1) {
      give_up(Http1Status::bad_start_line);
      return false;
    }
    head.method = start_line.substr(0, sp1);
    for (const char c : head.method) {
      if (!is_tchar(c)) {
        give_up(Http1Status::bad_start_line);
        return false;
      }
    }
    head.target = trim(start_line.substr(sp1 + 1, sp2 - sp1 - 1));
    if (head.target.empty() || !parse_version(start_line.substr(sp2 + 1), head)) {
      give_up(Http1Status::bad_start_line);
      return false;
    }
    if (start_line == "PRI * HTTP/2.0") {
      give_up(Http1Status::http2_preface);
      return false;
    }
    if (head.version_major != 1) {
      give_up(Http1Status::bad_start_line);
      return false;
    }
    const std::size_t q = head.target.find('?');
    head.path = head.target.substr(0, q);
    if (q != std::string_view::npos) head.query = head.target.substr(q + 1);
  } else {
    // HTTP/d.d SP 3DIGIT [SP reason]; a missing reason is common enough to accept.
    if (start_line.size() < 12 || !parse_version(start_line.substr(0, 8), head) || start_line[8] != ' ' ||
        !is_digit(start_line[9]) || !is_digit(start_line[10]) || !is_digit(start_line[11]) ||
        (start_line.size() > 12 && start_line[12] != ' ')) {
      give_up(Http1Status::bad_start_line);
      return false;
    }
    if (head.version_major != 1) {
      give_up(Http1Status::bad_start_line);
      return false;
    }
    head.status_code = static_cast<std::uint16_t>((start_line[9] - '0') * 100 + (start_line[10] - '0') * 10 +
                                                  (start_line[11] - '0'));
    if (start_line.size() > 13) head.reason = start_line.substr(13);
  }

  // Field lines. A field is committed once the next line shows it is not
  // folded, because an obs-fold continuation extends its value in place.
  bool have_field = false;
  std::string_view name;
  std::size_t value_start = 0;
  std::size_t value_end = 0;
  bool te_present = false;
  bool te_chunked = false;
  auto commit = [&]() -> bool {
    if (!have_field) return true;
    have_field = false;
    const std::string_view value = trim(std::string_view(b + value_start, value_end - value_start));
    if (iequals(name, "content-length")) {
      std::uint64_t n = 0;
      if (!parse_content_length(value, n) || (head.has_content_length && head.content_length != n)) {
        give_up(Http1Status::bad_content_length);
        return false;
      }
      head.has_content_length = true;
      head.content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
      if (!te_present) head.transfer_encoding = value;
      te_present = true;
      te_chunked = last_coding_is_chunked(value);
    } else if (iequals(name, "host")) {
      if (head.host.empty()) head.host = value;
    } else if (iequals(name, "user-agent")) {
      if (head.user_agent.empty()) head.user_agent = value;
    } else if (iequals(name, "referer")) {
      if (head.referer.empty()) head.referer = value;
    } else if (iequals(name, "content-type")) {
      if (head.content_type.empty()) head.content_type = value;
    }
    return true;
  };

  for (;;) {
    next_line(ls, le);
    if (le == ls) break;  // the empty line that ends the head
    if (is_ws(b[ls])) {
      if (!have_field) {
        give_up(Http1Status::bad_header_line);
        return false;
      }
      // obs-fold: replace the line break and the fold's whitespace with SP
      // (RFC 9112 5.2).
      for (std::size_t i = value_end; i < le && (i < ls || is_ws(b[i])); ++i) b[i] = ' ';
      value_end = le;
      continue;
    }
    if (!commit()) return false;
    const std::string_view line(b + ls, le - ls);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      give_up(Http1Status::bad_header_line);
      return false;
    }
    // Whitespace before the colon is tolerated and trimmed, as tshark and
    // most servers do, rather than losing the stream.
    name = trim(line.substr(0, colon));
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_tchar)) {
      give_up(Http1Status::bad_header_line);
      return false;
    }
    if (++head.header_count > limits_.max_headers) {
      give_up(Http1Status::too_many_headers);
      return false;
    }
    have_field = true;
    value_start = ls + colon + 1;
    value_end = le;
  }
  if (!commit()) return false;
  head.chunked = te_present && te_chunked;
  if (te_present && !te_chunked && direction_ == Http1Direction::request) {
    // A request body cannot be delimited without chunked (RFC 9112 6.3).
    give_up(Http1Status::bad_transfer_encoding);
    return false;
  }
  if (te_present && head.has_content_length) ++counters_.te_and_content_length;
  return true;
}

void Http1Parser::start_body(const Http1Head& head, Http1Sink& sink) {
  Http1BodyKind kind = Http1BodyKind::none;
  if (direction_ == Http1Direction::request) {
    ++counters_.requests;
    if (head.chunked) kind = Http1BodyKind::chunked;
    else if (head.has_content_length) kind = Http1BodyKind::content_length;
    // After CONNECT the client's bytes belong to the tunnel, not to HTTP.
    if (head.method == "CONNECT" && kind == Http1BodyKind::none) kind = Http1BodyKind::until_close;
  } else {
    ++counters_.responses;
    const std::uint16_t code = head.status_code;
    const bool interim = code >= 100 && code < 200 && code != 101;
    Http1RequestKind answers = Http1RequestKind::other;
    if (!interim) {
      if (pending_count_ > 0) {
        answers = pending_[pending_head_];
        pending_head_ = (pending_head_ + 1) % pending_.size();
        --pending_count_;
      } else {
        ++counters_.unmatched_responses;
      }
    }
    if (code == 101 || (answers == Http1RequestKind::connect && code >= 200 && code < 300)) {
      kind = Http1BodyKind::until_close;  // the connection is now something else
    } else if (interim || code == 204 || code == 304 || answers == Http1RequestKind::head) {
      kind = Http1BodyKind::none;
    } else if (head.chunked) {
      kind = Http1BodyKind::chunked;
    } else if (head.transfer_encoding.empty() && head.has_content_length) {
      kind = Http1BodyKind::content_length;
    } else {
      kind = Http1BodyKind::until_close;
    }
  }

  end_ = Http1MessageEnd{};
  end_.body_kind = kind;
  buf_len_ = 0;
  line_start_ = 0;
  sink.on_head(head);
  switch (kind) {
    case Http1BodyKind::none:
      end_message(sink, true);
      break;
    case Http1BodyKind::content_length:
      body_remaining_ = head.content_length;
      state_ = State::body_length;
      if (body_remaining_ == 0) end_message(sink, true);
      break;
    case Http1BodyKind::chunked:
      state_ = State::chunk_size;
      chunk_size_ = 0;
      chunk_size_digits_ = false;
      chunk_size_ext_ = false;
      break;
    case Http1BodyKind::until_close:
      state_ = State::body_until_close;
      break;
  }
}

void Http1Parser::deliver_body(std::span<const std::uint8_t> in, Http1Sink& sink) {
  if (in.empty()) return;
  end_.body_bytes += in.size();
  counters_.body_bytes += in.size();
  sink.on_body(in);
}

void Http1Parser::end_message(Http1Sink& sink, bool complete) {
  end_.complete = complete;
  if (complete) ++counters_.messages_completed;
  state_ = State::head;
  buf_len_ = 0;
  line_start_ = 0;
  sink.on_message_end(end_);
}

std::size_t Http1Parser::feed_chunk_size(std::span<const std::uint8_t> in) {
  // chunk-size [chunk-ext] CRLF; the extension is skipped, bounded by
  // kMaxChunkSizeLine.
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::uint8_t c = in[i];
    if (++line_start_ > kMaxChunkSizeLine) {
      give_up(Http1Status::bad_chunk);
      return i;
    }
    if (c == '\n') {
      if (!chunk_size_digits_) {
        give_up(Http1Status::bad_chunk);
        return i;
      }
      line_start_ = 0;
      if (chunk_size_ == 0) {
        state_ = State::trailers;
        trailer_bytes_ = 0;
      } else {
        ++end_.chunk_count;
        body_remaining_ = chunk_size_;
        state_ = State::chunk_data;
      }
      chunk_size_ = 0;
      chunk_size_digits_ = false;
      chunk_size_ext_ = false;
      return i + 1;
    }
    if (chunk_size_ext_) continue;
    const int h = hex_value(c);
    if (h >= 0) {
      if (chunk_size_ > (UINT64_MAX >> 4)) {
        give_up(Http1Status::bad_chunk);
        return i;
      }
      chunk_size_ = chunk_size_ << 4 | static_cast<std::uint64_t>(h);
      chunk_size_digits_ = true;
    } else if (chunk_size_digits_ && (c == ';' || c == '\r' || c == ' ' || c == '\t')) {
      chunk_size_ext_ = true;
    } else {
      give_up(Http1Status::bad_chunk);
      return i;
    }
  }
  return in.size();
}

std::size_t Http1Parser::feed_chunk_data_end(std::span<const std::uint8_t> in) {
  // CRLF (or a bare LF) after the chunk data.
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::uint8_t c = in[i];
    if (c == '\r' && line_start_ == 0) {
      line_start_ = 1;
    } else if (c == '\n') {
      line_start_ = 0;
      state_ = State::chunk_size;
      return i + 1;
    } else {
      give_up(Http1Status::bad_chunk);
      return i;
    }
  }
  return in.size();
}

std::size_t Http1Parser::feed_trailers(std::span<const std::uint8_t> in, Http1Sink& sink) {
  // Trailer fields are counted and skipped; line_start_ counts the current
  // line's bytes other than CR.
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::uint8_t c = in[i];
    if (++trailer_bytes_ > limits_.max_header_block) {
      give_up(Http1Status::header_too_large);
      return i;
    }
    if (c == '\n') {
      if (line_start_ == 0) {
        end_message(sink, true);
        return i + 1;
      }
      line_start_ = 0;
      if (++end_.trailer_count > limits_.max_headers) {
        give_up(Http1Status::too_many_headers);
        return i;
      }
    } else if (c != '\r') {
      ++line_start_;
    }
  }
  return in.size();
}

}  // namespace opensoc::proto
