// The one typed error of whichgpu: a code from API.md, a message, and where it points.
#pragma once
#include <stdexcept>
#include <string>

namespace whichgpu {

// Codes are the fixed strings of shared/API.md ("invalid_json", "unknown_key", ...).
struct Error : std::runtime_error {
  std::string code;
  std::string path;  // JSON Pointer into the request (or the catalog file)
  std::string file;  // catalog file for catalog errors, else empty
  Error(std::string code_, std::string message, std::string path_ = "", std::string file_ = "")
      : std::runtime_error(std::move(message)),
        code(std::move(code_)),
        path(std::move(path_)),
        file(std::move(file_)) {}
};

[[noreturn]] inline void fail(const std::string& code, const std::string& message,
                              const std::string& path = "") {
  throw Error(code, message, path);
}

}  // namespace whichgpu
