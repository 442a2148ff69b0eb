#include "capture_oracle.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

#include "temp_dir.hpp"

namespace opensoc::capture::test {

std::vector<std::string> corpus_pcaps() {
  std::vector<std::string> out;
  const std::filesystem::path tests = std::filesystem::path(corpus_dir()) / "suricata-verify" / "tests";
  std::error_code ec;
  for (const auto& f : std::filesystem::recursive_directory_iterator(tests, ec)) {
    if (f.is_regular_file() && f.path().extension() == ".pcap") out.push_back(f.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Frame> tshark_frames(const std::string& path) {
  // tshark exits non-zero on a damaged file but still prints the frames
  // before the damage, which is what we compare; so ignore its status.
  const auto out = run_command("tshark -n -r " + shell_quote(path) +
                               " -T fields -e frame.time_epoch -e frame.len -e frame.cap_len 2>/dev/null; true");
  if (!out) throw std::runtime_error("cannot run tshark (is it installed?)");
  std::vector<Frame> frames;
  std::istringstream in(*out);
  std::string line;
  while (std::getline(in, line)) {
    Frame f;
    const auto dot = line.find('.');
    const auto tab1 = line.find('\t');
    const auto tab2 = line.find('\t', tab1 + 1);
    if (dot == std::string::npos || tab1 == std::string::npos || tab2 == std::string::npos || dot > tab1) {
      throw std::runtime_error("unexpected tshark line for " + path + ": " + line);
    }
    const std::string frac = line.substr(dot + 1, tab1 - dot - 1);
    if (frac.size() < 9) throw std::runtime_error("tshark printed fewer than 9 decimals: " + line);
    f.ts = std::stoll(line.substr(0, dot)) * kNsPerSecond + std::stoll(frac);
    f.wirelen = static_cast<std::uint32_t>(std::stoul(line.substr(tab1 + 1, tab2 - tab1 - 1)));
    f.caplen = static_cast<std::uint32_t>(std::stoul(line.substr(tab2 + 1)));
    frames.push_back(f);
  }
  return frames;
}

CapinfosReport capinfos_report(const std::vector<std::string>& paths) {
  TempDir tmp;
  const std::string errors = tmp.file("capinfos.stderr");
  std::string cmd = "capinfos -c -M -T -r";
  for (const auto& p : paths) {
    cmd += ' ';
    cmd += shell_quote(p);
  }
  // capinfos exits non-zero when a file is damaged but still prints the
  // count of records read before the damage; the damage is on stderr.
  cmd += " 2>";
  cmd += shell_quote(errors);
  cmd += "; true";
  const auto out = run_command(cmd);
  if (!out) throw std::runtime_error("cannot run capinfos (is it installed?)");
  CapinfosReport report;
  std::istringstream in(*out);
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.rfind('\t');
    if (tab == std::string::npos) continue;
    report.counts[line.substr(0, tab)] = std::stoull(line.substr(tab + 1));
  }
  std::ifstream err(errors);
  const std::string prefix = "capinfos: The file \"";
  const std::string suffix = "\" appears to have been cut short in the middle of a packet.";
  while (std::getline(err, line)) {
    if (line.rfind(prefix, 0) == 0 && line.size() > prefix.size() + suffix.size() &&
        line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0) {
      report.cut_short.insert(line.substr(prefix.size(), line.size() - prefix.size() - suffix.size()));
    }
  }
  return report;
}

std::vector<Frame> read_frames(PcapFileSource& src) {
  std::vector<Frame> frames;
  PacketBatch batch;
  while (src.next_batch(batch) > 0) {
    for (std::uint32_t i = 0; i < batch.count; ++i) {
      const PacketView& v = batch.packets[i];
      frames.push_back(Frame{v.ts, v.wirelen, v.caplen});
    }
    src.release(batch);
  }
  // A file never has "nothing right now": 0 frames must mean the end.
  if (!src.exhausted()) throw std::runtime_error(src.name() + ": next_batch returned 0 before exhausted()");
  return frames;
}

}  // namespace opensoc::capture::test
