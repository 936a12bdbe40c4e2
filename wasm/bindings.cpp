// Embind front end: forwards JSON strings to the core API and back. No C++
// objects cross into JS, and nothing here throws (errors are JSON data).
#include <emscripten/bind.h>

#include <string>

#include "api.hpp"

namespace {

std::string evaluate(const std::string& request) { return whichgpu::evaluate_json(request); }
std::string decide(const std::string& request) { return whichgpu::decide_json(request); }
std::string catalog(const std::string& kind) { return whichgpu::catalog_json(kind); }
std::string validate() { return whichgpu::validate_json(); }
std::string version() { return whichgpu::version(); }

}  // namespace

EMSCRIPTEN_BINDINGS(whichgpu) {
  emscripten::function("evaluate", &evaluate);
  emscripten::function("decide", &decide);
  emscripten::function("catalog", &catalog);
  emscripten::function("validate", &validate);
  emscripten::function("version", &version);
}
