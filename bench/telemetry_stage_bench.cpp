// telemetry_stage_bench: where the log pipeline thread's time goes, one stage
// added at a time, on one core and without sockets or queues:
//   parse     MessageParser (syslog / EVE) or NetflowDecoder
//   render    + LogFieldList::build + append_log_event_json (the ECS record)
//   document  + log_document + search::fill_document (the Xapian terms)
//   index     + SearchShardWriter::add into a fresh shard directory, committed
//             every COMMIT_MS of wall time and once at the end (no fsync,
//             as with store.sync_on_close false)
// the same steps, in the same order, LogPipeline::process/finish_event take
// (detection's LogHook excepted); and one experiment the pipeline does not
// do:
//   index-terms-only  index, but the Xapian document keeps no data (the
//             record JSON would be stored elsewhere): what the stored,
//             compressed JSON costs. Input: a file from tools/log_loadgen --out
// (lines; NetFlow: datagrams, each after its 2-byte big-endian length).
// Prints per stage: messages, parsed, raw, CPU seconds of this thread,
// messages per CPU second and ns per message; and the Xapian terms and
// record bytes per document.
//
//   telemetry_stage_bench rfc5424|eve|netflow9 FILE SCRATCH_DIR [COMMIT_MS (1000)]
//
// Single-threaded; SCRATCH_DIR/index is removed and recreated.
#include <time.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "logparse/message_parser.hpp"
#include "logparse/netflow_decoder.hpp"
#include "logs/log_document.hpp"
#include "logs/log_event_json.hpp"
#include "logs/log_fields.hpp"
#include "search/index_terms.hpp"
#include "search/search_shards.hpp"

namespace {

using opensoc::LogEvent;
using opensoc::TimestampNs;

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
TimestampNs wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<TimestampNs>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

enum class Stage { parse, render, document, index, index_terms_only };
constexpr const char* kStageNames[] = {"parse", "render", "document", "index", "index-terms-only"};

struct Outcome {
  std::uint64_t messages = 0;
  std::uint64_t events = 0;
  std::uint64_t parsed = 0;
  std::uint64_t raw = 0;
  std::uint64_t index_errors = 0;
  std::uint64_t terms = 0;       // Xapian terms over all documents (document stage)
  std::uint64_t data_bytes = 0;  // stored record JSON over all documents
  double cpu_s = 0;
};

// Splits the input into messages: newline-separated lines, or NetFlow
// datagrams each after a 2-byte big-endian length.
std::vector<std::string_view> split(const std::string& data, bool netflow) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < data.size()) {
    if (netflow) {
      if (i + 2 > data.size()) break;
      const std::size_t n = (static_cast<unsigned char>(data[i]) << 8) | static_cast<unsigned char>(data[i + 1]);
      if (i + 2 + n > data.size()) break;
      out.emplace_back(data.data() + i + 2, n);
      i += 2 + n;
    } else {
      std::size_t nl = data.find('\n', i);
      if (nl == std::string::npos) nl = data.size();
      if (nl > i) out.emplace_back(data.data() + i, nl - i);
      i = nl + 1;
    }
  }
  return out;
}

class Runner {
 public:
  Runner(std::string format, std::string scratch, std::uint32_t commit_ms)
      : format_(std::move(format)), scratch_(std::move(scratch)), commit_ms_(commit_ms) {}

  bool run(Stage stage, const std::vector<std::string_view>& messages, Outcome& out) {
    std::unique_ptr<opensoc::logparse::MessageParser> parser;
    if (format_ != "netflow9") {
      opensoc::logparse::MessageParserConfig pc;
      pc.chain = {format_};
      auto p = opensoc::logparse::MessageParser::create(pc);
      if (!p) {
        std::fprintf(stderr, "parser: %s\n", p.error().message.c_str());
        return false;
      }
      parser = std::move(*p);
    }
    opensoc::logparse::NetflowDecoder netflow;
    std::unique_ptr<opensoc::search::SearchShardWriter> shards;
    if (stage == Stage::index || stage == Stage::index_terms_only) {
      const std::string dir = scratch_ + "/index";
      std::filesystem::remove_all(dir);
      opensoc::search::SearchShardOptions so;
      so.dir = dir;
      so.commit_ms = commit_ms_;
      so.sync = false;
      so.writer_tag = "logs";
      auto w = opensoc::search::SearchShardWriter::open(so);
      if (!w) {
        std::fprintf(stderr, "shards: %s\n", w.error().message.c_str());
        return false;
      }
      shards = std::move(*w);
    }
    opensoc::logs::LogFieldList list;
    std::string json;
    std::vector<LogEvent> flows;
    const std::uint8_t loopback[4] = {127, 0, 0, 1};
    const opensoc::IpAddress sender = opensoc::IpAddress::v4(loopback);
    std::uint64_t id = 1;

    auto finish = [&](LogEvent& ev) {
      ev.id = id++;
      ++out.events;
      if (ev.parsed)
        ++out.parsed;
      else
        ++out.raw;
      if (stage == Stage::parse) return;
      list.build(ev);
      json.clear();
      opensoc::logs::append_log_event_json(json, ev, list);
      if (stage == Stage::render) return;
      opensoc::search::SearchDocument doc = opensoc::logs::log_document(ev, list, json);
      Xapian::Document xd;
      opensoc::search::fill_document(doc, xd);
      if (stage == Stage::document) {
        out.terms += xd.termlist_count();
        out.data_bytes += json.size();
        return;
      }
      if (stage == Stage::index_terms_only) xd.set_data(std::string());
      if (!shards->add(doc.ts, {}, std::move(xd))) ++out.index_errors;
    };

    const double c0 = thread_cpu_s();
    for (std::string_view m : messages) {
      const TimestampNs now = wall_ns();
      ++out.messages;
      if (format_ == "netflow9") {
        flows.clear();
        netflow.decode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(m.data()), m.size()),
                       sender, 2055, now, flows);
        for (LogEvent& ev : flows) {
          ev.received = now;
          ev.listener = "netflow-udp";
          ev.transport = "udp";
          ev.sender = sender;
          ev.sender_port = 2055;
          ev.parsed = true;
          finish(ev);
        }
      } else {
        LogEvent ev;
        ev.received = now;
        ev.listener = "bench";
        ev.transport = "tcp";
        ev.sender = sender;
        ev.sender_port = 40000;
        parser->parse(m, ev);
        finish(ev);
      }
      if (shards && (out.messages & 1023) == 0 && shards->commit_due(now)) (void)shards->commit();
    }
    if (shards) (void)shards->commit();
    out.cpu_s = thread_cpu_s() - c0;
    return true;
  }

 private:
  std::string format_;
  std::string scratch_;
  std::uint32_t commit_ms_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: telemetry_stage_bench rfc5424|eve|netflow9 FILE SCRATCH_DIR [COMMIT_MS]\n");
    return 2;
  }
  const std::string format = argv[1];
  if (format != "rfc5424" && format != "eve" && format != "netflow9") {
    std::fprintf(stderr, "format is rfc5424, eve or netflow9\n");
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  const auto messages = split(data, format == "netflow9");
  const std::uint32_t commit_ms = argc > 4 ? static_cast<std::uint32_t>(std::stoul(argv[4])) : 1000;
  std::filesystem::create_directories(argv[3]);

  Runner runner(format, argv[3], commit_ms);
  std::printf("%-9s %-16s %10s %10s %10s %8s %10s %14s %10s\n", "format", "stage", "messages", "events", "parsed", "raw",
              "cpu_s", "events/cpu_s", "ns/event");
  for (Stage s : {Stage::parse, Stage::render, Stage::document, Stage::index, Stage::index_terms_only}) {
    Outcome o;
    if (!runner.run(s, messages, o)) return 1;
    std::printf("%-9s %-16s %10llu %10llu %10llu %8llu %10.3f %14.0f %10.0f%s\n", format.c_str(),
                kStageNames[static_cast<int>(s)], static_cast<unsigned long long>(o.messages),
                static_cast<unsigned long long>(o.events), static_cast<unsigned long long>(o.parsed),
                static_cast<unsigned long long>(o.raw), o.cpu_s, o.events / o.cpu_s, o.cpu_s * 1e9 / o.events,
                o.index_errors ? " (index errors!)" : "");
    if (s == Stage::document && o.events > 0)
      std::printf("%-9s (per document: %.1f Xapian terms, %.0f bytes of record JSON)\n", format.c_str(),
                  static_cast<double>(o.terms) / static_cast<double>(o.events),
                  static_cast<double>(o.data_bytes) / static_cast<double>(o.events));
  }
  return 0;
}
