// Feed file loader (see the header). Runs on the control or reload thread.
#include "intel/intel_file_loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "intel/intel_csv_loader.hpp"
#include "intel/intel_json_loader.hpp"

namespace opensoc::intel {
namespace {

// A feed larger than this is a mistake (or not a feed): refuse before reading it into memory.
constexpr std::uintmax_t kMaxFeedBytes = 1ULL << 30;

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

Result<std::vector<Indicator>> load_intel_file(const std::string& path, IntelLoadReport& report) {
  const std::filesystem::path p(path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(p, ec);
  if (ec) return Error{"intel feed " + path + ": " + ec.message()};
  if (size > kMaxFeedBytes) return Error{"intel feed " + path + ": larger than 1 GiB"};
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error{"intel feed " + path + ": " + std::strerror(errno)};
  std::string text;
  text.resize(static_cast<std::size_t>(size));
  if (size > 0 && !in.read(text.data(), static_cast<std::streamsize>(size)))
    return Error{"intel feed " + path + ": read failed"};

  const std::string source = p.stem().string();
  const std::string origin = p.filename().string();
  const std::string ext = lower(p.extension().string());
  bool json = ext == ".json";
  if (ext != ".json" && ext != ".csv" && ext != ".txt") {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    json = first != std::string::npos && (text[first] == '{' || text[first] == '[');
  }
  return json ? detail::parse_intel_json(text, source, origin, report) : detail::parse_intel_csv(text, source, origin, report);
}

}  // namespace opensoc::intel
