// Runs a libFuzzer entry point over files named on the command line (or every
// file under the directories named), without libFuzzer. This is how the fuzz
// harnesses are exercised by the ordinary test suite: each harness replays its
// seed corpus, so a regression input that once crashed keeps being tested.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int run_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return 1;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 0;
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) {
          failures += run_file(e.path());
          ++n;
        }
      }
    } else {
      failures += run_file(p);
      ++n;
    }
  }
  std::printf("replayed %zu inputs\n", n);
  return failures == 0 && n > 0 ? 0 : 1;
}
