#include "store/posix_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/mman.h>
#include <unistd.h>

namespace opensoc::store {

Error errno_error(const std::string& what) {
  const int e = errno;
  return Error{what + ": " + std::strerror(e)};
}

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<Mapping> Mapping::map(int fd, std::size_t size, bool writable, const std::string& what) {
  if (size == 0) return Mapping{};
  const int prot = writable ? (PROT_READ | PROT_WRITE) : PROT_READ;
  const int flags = writable ? MAP_SHARED : MAP_PRIVATE;
  void* p = ::mmap(nullptr, size, prot, flags, fd, 0);
  if (p == MAP_FAILED) return errno_error("mmap " + what);
  return Mapping{p, size};
}

void Mapping::reset() noexcept {
  if (base_ != nullptr) ::munmap(base_, size_);
  base_ = nullptr;
  size_ = 0;
}

Result<void> sync_directory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open directory " + dir);
  if (::fsync(fd.get()) != 0) return errno_error("fsync directory " + dir);
  return ok();
}

Result<void> make_directories(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"create directory " + dir + ": " + ec.message()};
  return ok();
}

}  // namespace opensoc::store
