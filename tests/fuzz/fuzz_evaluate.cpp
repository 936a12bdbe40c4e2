// libFuzzer target: raw bytes -> whichgpu::evaluate_json (the page's and CLI's entry point).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string request(reinterpret_cast<const char*>(data), size);
  whichgpu_fuzz::check_response(whichgpu::evaluate_json(request));
  return 0;
}
