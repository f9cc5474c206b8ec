// Result<T>: a value or an Error, with the member names of std::expected so that the switch to
// C++23 is one file. Errors are values: nothing in the core throws across a layer.
//
// Thread safety: value types, no shared state.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace bp {

// What went wrong, where in the input, and which class of problem (the codes of the CLI
// contract: invalid_json, schema, unit, date, inconsistent, unsupported, too_large, io,
// internal).
struct Error {
  std::string code;
  std::string path;
  std::string message;
};

// Several violations found in one input; the first is the headline.
using Errors = std::vector<Error>;

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
