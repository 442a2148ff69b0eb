// tshark-backed test support for the parsers (see proto_test_support.hpp).
#include "proto_test_support.hpp"

#include <sstream>

#include "support/external_tools.hpp"

namespace opensoc::proto::test {

std::vector<std::vector<std::string>> tshark_rows(const std::string& pcap, const std::string& display_filter,
                                                  const std::vector<std::string>& fields) {
  std::string cmd = "tshark -n -r " + opensoc::test::shell_quote(pcap) + " -Y " +
                    opensoc::test::shell_quote(display_filter) +
                    " -T fields -E separator=/t -E occurrence=a -E aggregator=,";
  for (const auto& f : fields) cmd += " -e " + opensoc::test::shell_quote(f);
  cmd += " 2>/dev/null";
  std::vector<std::vector<std::string>> rows;
  const auto out = opensoc::test::run_command(cmd);
  if (!out) return rows;
  std::istringstream in(*out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> row;
    std::size_t start = 0;
    for (;;) {
      const std::size_t tab = line.find('\t', start);
      row.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  for (const char c : hex) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;  // ':' separators
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

std::vector<std::vector<std::uint8_t>> tshark_payloads(const std::string& pcap, const std::string& display_filter,
                                                       const std::string& payload_field) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& row : tshark_rows(pcap, display_filter, {payload_field})) {
    if (!row.empty() && !row[0].empty()) out.push_back(from_hex(row[0]));
  }
  return out;
}

std::string corpus_capture(const std::string& test, const std::string& file) {
  return opensoc::test::corpus_dir() + "/suricata-verify/tests/" + test + "/" + file;
}

}  // namespace opensoc::proto::test
