// The one error type the core throws: a code a caller can branch on and a message a person can act on.
// Thrown only from parsing, validation and loading; the hot training path uses assertions instead.
#pragma once

#include <stdexcept>
#include <string>

namespace mnist {

enum class ErrorCode {
  InvalidArgument,  // a hyper-parameter or size outside its range
  MalformedData,    // an IDX buffer that is not what it claims to be
  MalformedModel,   // a model file that is truncated, corrupted or of another shape/version
  Diverged,         // loss or weights became NaN or infinite
};

inline const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid-argument";
    case ErrorCode::MalformedData: return "malformed-data";
    case ErrorCode::MalformedModel: return "malformed-model";
    case ErrorCode::Diverged: return "diverged";
  }
  return "unknown";
}

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace mnist
