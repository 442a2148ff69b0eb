#pragma once
// ZeroedArray<T>: a fixed-size array in an anonymous private mapping. The
// kernel hands out zero pages on first touch, so reserving a million-flow
// table costs nothing until flows arrive (a vector would write all 128 MB up
// front: a tenth of a second per worker start, and per `ingest` of a small
// file). T must be valid as all-zero bytes or be constructed before use.
// Internal to the flow module; allocation happens at construction only.
#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>

namespace opensoc::flow {

template <typename T>
class ZeroedArray {
  static_assert(std::is_trivially_destructible_v<T>, "elements are never destroyed one by one");

 public:
  explicit ZeroedArray(std::size_t n) : size_(n) {
    if (n == 0) return;
    void* p = ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
  }
  ~ZeroedArray() {
    if (data_ != nullptr) ::munmap(data_, bytes());
  }
  ZeroedArray(const ZeroedArray&) = delete;
  ZeroedArray& operator=(const ZeroedArray&) = delete;

  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

 private:
  [[nodiscard]] std::size_t bytes() const noexcept { return size_ * sizeof(T); }
  T* data_ = nullptr;
  std::size_t size_;
};

}  // namespace opensoc::flow
