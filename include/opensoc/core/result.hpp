#pragma once
/// Result<T>: the error channel for likely environment failures (files, disks,
/// sockets, devices). It mirrors std::expected's interface so that moving to
/// C++23 is a change of backing, not of callers. Untrusted packet input never
/// produces an Error: decoders count anomalies instead.
#include <string>
#include <utility>
#include <variant>

namespace opensoc {

/// A human-readable failure. Context is added as it propagates, outermost
/// last, the way Stenographer chains "a <- b".
struct Error {
  std::string message;

  /// Returns a copy with `what` prepended as context: "what: message".
  [[nodiscard]] Error context(const std::string& what) const { return Error{what + ": " + message}; }
};

/// `E` is the error type: Error for the environment; a module with a richer
/// error (e.g. a query error that names the offending parameter) uses its own.
template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                // NOLINT(google-explicit-constructor)
  Result(E error) : v_(std::move(error)) {}                // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

/// Result of an operation that yields nothing but may fail.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  [[nodiscard]] const E& error() const { return error_; }

 private:
  E error_;
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace opensoc
