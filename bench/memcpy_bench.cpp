// memcpy_bench: the memory-bandwidth yardstick for the ingest benchmark.
// Maps FILE (already in the page cache) and copies it through a 1 MiB buffer,
// as the cheapest possible "read every byte once" a capture reader could do.
//   memcpy_bench FILE  ->  prints bytes, seconds, GB/s
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: memcpy_bench FILE\n");
    return 2;
  }
  const int fd = ::open(argv[1], O_RDONLY);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  auto* p = static_cast<const unsigned char*>(mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0));
  if (p == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  std::vector<unsigned char> buf(1 << 20);
  unsigned sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t off = 0; off < size; off += buf.size()) {
    const std::size_t n = std::min(buf.size(), size - off);
    std::memcpy(buf.data(), p + off, n);
    sink += buf[n - 1];
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"bytes\":%zu,\"seconds\":%.6f,\"gbytes_per_second\":%.3f,\"sink\":%u}\n", size, s, size / s / 1e9, sink);
  return 0;
}
