// Result<T>: a value or an Error, with the member names of std::expected so that the switch to
// C++23 is one file. Errors are values: nothing in the core throws across a layer.
//
// Thread safety: value types, no shared state.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/error_code.h"

namespace bp {

// What went wrong, where in the input, and which class of problem (common/error_code.h lists
// the codes and maps them to exit and HTTP statuses). `path` names the field; neither `path`
// nor `message` may carry patient data.
struct Error {
  ErrorCode code;
  std::string path;
  std::string message;
};

// Several violations found in one input; the first is the headline.
using Errors = std::vector<Error>;

// The exit status for a failed command: internal (1) when any error is ours or the store's,
// else bad input (2). REQUIRES: !errors.empty() for a failure (empty gives kExitOk).
inline int ExitStatus(const Errors& errors) {
  if (errors.empty()) return kExitOk;
  int rc = kExitBadInput;
  for (const Error& e : errors)
    if (e.code.exit_status() == kExitInternal) rc = kExitInternal;
  return rc;
}

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT: implicit like std::expected
  Result(Error error) : v_(Errors{std::move(error)}) {}  // NOLINT
  Result(Errors errors) : v_(std::move(errors)) {}       // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  // The first error; REQUIRES: !has_value().
  const Error& error() const { return std::get<1>(v_).front(); }
  const Errors& errors() const { return std::get<1>(v_); }

 private:
  std::variant<T, Errors> v_;
};

}  // namespace bp
