#pragma once
// A small expected-like result: GCC 12 has std::expected only under C++23.
#include <string>
#include <utility>
#include <variant>

namespace rt {

// Error codes shared by every boundary; the first eight are the contract's (docs/contract.md §4).
enum class ErrorCode {
  rate_limited,
  timeout,
  model_error,
  gateway_unavailable,
  skill_missing,
  invalid_params,
  internal_error,
  cancelled,  // the task was cancelled (`roundtable cancel`, or its lead); never retried
  // Local, never on the wire as-is.
  not_found,
  io_error,
  config_error,
  unavailable,
};

struct Error {
  ErrorCode code = ErrorCode::internal_error;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace rt
