// Shared checks for the libFuzzer targets: every response must be the API's
// envelope (API.md, "Response"). Anything else aborts, so libFuzzer reports it
// and writes the input as a crash file.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

namespace whichgpu_fuzz {

using json = nlohmann::json;

[[noreturn]] inline void die(const char* what, const std::string& response) {
  std::fprintf(stderr, "fuzz: contract violated: %s\nresponse (first 2000 bytes): %.2000s\n", what,
               response.c_str());
  std::fflush(stderr);
  std::abort();
}

inline bool is_api_code(const std::string& c) {
  static const char* const kCodes[] = {
      "invalid_json",  "too_large",      "too_deep",   "duplicate_key", "unknown_key",
      "missing_field", "wrong_type",     "out_of_range", "unknown_id",  "invalid_combination",
      "unsupported_model_type", "catalog_invalid", "io_error", "internal"};
  for (const char* k : kCodes)
    if (c == k) return true;
  return false;
}

// Checks one response string; returns whether it was ok: true.
inline bool check_response(const std::string& response) {
  json r;
  try {
    r = json::parse(response);  // our own output: no limits needed
  } catch (const std::exception&) {
    die("response is not valid JSON", response);
  }
  if (!r.is_object()) die("response is not an object", response);
  auto ok = r.find("ok");
  if (ok == r.end() || !ok->is_boolean()) die("response has no boolean \"ok\"", response);
  if (ok->get<bool>()) {
    if (!r.contains("result")) die("ok: true without \"result\"", response);
    return true;
  }
  auto err = r.find("error");
  if (err == r.end() || !err->is_object()) die("ok: false without an \"error\" object", response);
  for (const char* k : {"code", "message", "path"}) {
    auto f = err->find(k);
    if (f == err->end() || !f->is_string()) die("error lacks a string code/message/path", response);
  }
  const std::string code = (*err)["code"].get<std::string>();
  if (!is_api_code(code)) die("error code is not one of API.md's codes", response);
  if ((*err)["message"].get<std::string>().empty()) die("error message is empty", response);
  const std::string path = (*err)["path"].get<std::string>();
  if (!path.empty() && path[0] != '/') die("error path is not a JSON Pointer", response);
  // "internal" means an exception the core did not anticipate (a bug, not bad input).
  // Strict by default; WHICHGPU_FUZZ_ALLOW_INTERNAL=1 tolerates it while triaging.
  if (code == "internal") {
    static const bool allow = [] {
      const char* e = std::getenv("WHICHGPU_FUZZ_ALLOW_INTERNAL");
      return e && *e == '1';
    }();
    if (!allow) die("error code \"internal\" (an unanticipated exception in the core)", response);
  }
  return false;
}

}  // namespace whichgpu_fuzz
