// libFuzzer target: bytes -> whichgpu::decide_json with a small candidate set.
// A decide over the whole catalog runs hundreds of evaluations; to keep each
// input cheap, an input that parses as a JSON object gets its candidate lists
// capped (hardware, precisions, devices, engines: at most 2 each; hardware
// filled in when absent or empty). Anything else is passed through unchanged,
// so malformed requests still exercise the parser and the error paths.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api.hpp"
#include "fuzz_common.hpp"
#include "json_io.hpp"

namespace {

using whichgpu::json;

const char* const kHardwarePool[] = {"nvidia-h100-sxm-80gb", "nvidia-a100-sxm-80gb", "amd-mi300x",
                                     "amd-epyc-9654", "apple-m2-ultra"};
constexpr std::size_t kPool = sizeof kHardwarePool / sizeof kHardwarePool[0];

void cap(json& arr, std::size_t n) {
  if (arr.is_array() && arr.size() > n) arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(n), arr.end());
}

std::string shrink(const std::string& input) {
  json j;
  try {
    j = whichgpu::parse_json(input);  // same limits as the API: safe to modify and dump
  } catch (...) {
    return input;
  }
  if (!j.is_object()) return input;
  auto c = j.find("candidates");
  if (c == j.end()) {
    j["candidates"] = json::object();
    c = j.find("candidates");
  }
  if (!c->is_object()) return j.dump(-1, ' ', false, json::error_handler_t::replace);
  json& cand = *c;
  // Pick defaults from the input so that different inputs reach different hardware.
  const std::size_t pick = input.size() % kPool;
  if (!cand.contains("hardware") || (cand["hardware"].is_array() && cand["hardware"].empty()))
    cand["hardware"] = json::array({kHardwarePool[pick], kHardwarePool[(pick + 1) % kPool]});
  if (!cand.contains("precisions") || (cand["precisions"].is_array() && cand["precisions"].empty()))
    cand["precisions"] = json::array({"bf16", "q4_k_m"});
  if (!cand.contains("devices") || (cand["devices"].is_array() && cand["devices"].empty()))
    cand["devices"] = json::array({1, 2});
  for (const char* k : {"hardware", "precisions", "devices", "engines"})
    if (cand.contains(k)) cap(cand[k], 2);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  whichgpu_fuzz::check_response(whichgpu::decide_json(shrink(input)));
  return 0;
}
