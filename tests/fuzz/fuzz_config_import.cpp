// libFuzzer target: bytes -> parse_json (API limits) -> import_hf_config, the
// path a pasted config.json takes. A config that imports is then summarised
// (parameter counts, KV elements) and evaluated once as a custom model, since
// an imported architecture that breaks the engine is the same bug to a user.
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>

#include "api.hpp"
#include "fuzz_common.hpp"
#include "json_io.hpp"
#include "model.hpp"

namespace {

using whichgpu::json;

// The same envelope the API produces, for a call the API does not wrap.
template <class F>
std::string envelope(F&& f) {
  try {
    return json{{"ok", true}, {"result", f()}}.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const whichgpu::Error& e) {
    return whichgpu::error_json(e).dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::bad_alloc&) {
    return whichgpu::error_json(whichgpu::Error("too_large", "out of memory")).dump();
  } catch (const std::exception& e) {
    return whichgpu::error_json(whichgpu::Error("internal", std::string("internal error: ") + e.what()))
        .dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (...) {
    return whichgpu::error_json(whichgpu::Error("internal", "internal error")).dump();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  json config;
  bool imported = false;
  const std::string response = envelope([&] {
    config = whichgpu::parse_json(input);
    whichgpu::Architecture a = whichgpu::import_hf_config(config, "/model/hf_config");
    imported = true;
    return json{{"model_type", a.model_type},
                {"layers", a.layers},
                {"total_params", a.total_params()},
                {"active_params", a.active_params()},
                {"embedding_params", a.embedding_params()},
                {"kv_elements_per_layer", a.kv_elements_per_layer()},
                {"kv_elements_per_layer_per_rank_tp2", a.kv_elements_per_layer_per_rank(2)}};
  });
  whichgpu_fuzz::check_response(response);
  if (imported) {
    json req = {{"model", {{"name", "fuzz"}, {"hf_config", config}}},
                {"hardware", "nvidia-h100-sxm-80gb"},
                {"workload", {{"input_tokens", 128}, {"output_tokens", 16}}}};
    whichgpu_fuzz::check_response(
        whichgpu::evaluate_json(req.dump(-1, ' ', false, json::error_handler_t::replace)));
  }
  return 0;
}
