// Fuzzes PATCH /api/v1/alerts/{id} (alert triage) end to end against a real
// AlertStore holding one alert: input line 1 is the {id} path segment, the
// rest is the request body. Beyond "no crash": the answer is 200, 400 or 404
// (never 500: the store is healthy), its body is valid JSON, 400 names the
// bad field, 200 happens only for the stored alert and leaves it with the
// status the body asked for. The store lives in /dev/shm when it exists, so
// LMDB's commit fsync costs nothing. Single-threaded (libFuzzer's loop).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <simdjson.h>
#include <unistd.h>

#include "alert/alert_api.hpp"
#include "alert/alert_query.hpp"
#include "alert/alert_store.hpp"

namespace {
using namespace opensoc;

constexpr TimestampNs kT0 = 1764237600LL * kNsPerSecond;

struct StoreFixture {
  std::filesystem::path dir;
  std::unique_ptr<alert::AlertStore> store;
  std::uint64_t id = 0;

  StoreFixture() {
    const std::filesystem::path base =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    dir = base / ("opensoc-alert-patch-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto s = alert::AlertStore::open(dir.string(), 256ull << 20);
    if (!s) __builtin_trap();
    store = std::move(*s);
    DetectionHit h;
    h.rule_id = "sid:2100498";
    h.signature_id = 2100498;
    h.signature = "GPL ATTACK_RESPONSE id check returned root";
    h.category = "Potentially Bad Traffic";
    h.ts = kT0;
    h.endpoints.src_ip = *IpAddress::parse("10.0.0.5");
    h.endpoints.dst_ip = *IpAddress::parse("203.0.113.9");
    auto a = store->insert(h, 70, kT0);
    if (!a) __builtin_trap();
    id = a->id;
  }
  ~StoreFixture() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

bool valid_json(const std::string& text) {
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(text).get(root) == simdjson::SUCCESS;
}

// The status the body asks for (the last "status" member when a client
// repeats it, as the handler reads members in order).
std::optional<AlertStatus> requested_status(const std::string& body) {
  static simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body).get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
  std::optional<AlertStatus> out;
  for (const auto field : obj) {
    std::string_view s;
    if (field.key == "status" && field.value.get_string().get(s) == simdjson::SUCCESS) {
      out = alert::parse_alert_status(s);
    }
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static StoreFixture fx;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto nl = input.find('\n');
  const std::string id = nl == std::string::npos ? std::to_string(fx.id) : input.substr(0, nl);
  api::Request req;
  req.method = "PATCH";
  req.body = nl == std::string::npos ? input : input.substr(nl + 1);
  const auto before = fx.store->get(fx.id);
  if (!before) __builtin_trap();

  const api::Response resp = alert::serve_alert_patch(req, *fx.store, id, "fuzz", kT0 + kNsPerSecond);
  if (!valid_json(resp.body)) __builtin_trap();
  const auto after = fx.store->get(fx.id);
  if (!after) __builtin_trap();
  switch (resp.status) {
    case 200: {
      if (id != std::to_string(fx.id)) __builtin_trap();
      const auto want = requested_status(req.body);
      if (want && after->status != *want) __builtin_trap();
      if (!want && after->status != before->status) __builtin_trap();
      if (after->history.empty()) __builtin_trap();
      break;
    }
    case 400:
      if (resp.body.find("\"error\"") == std::string::npos) __builtin_trap();
      [[fallthrough]];
    case 404:
      // A refused request changes nothing.
      if (after->status != before->status || after->history.size() != before->history.size()) __builtin_trap();
      break;
    default: __builtin_trap();
  }
  return 0;
}
