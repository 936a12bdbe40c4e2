// The JSON API every front end calls (CLI, wasm module, tests): strings in,
// strings out, errors as data, never an exception across the boundary.
#pragma once
#include <string>

#include "catalog.hpp"

namespace whichgpu {

std::string version();

// {"ok": true, "result": ...} or {"ok": false, "error": {code, message, path, file?}}.
std::string evaluate_json(const std::string& request, const Catalog& cat = Catalog::builtin());
std::string decide_json(const std::string& request, const Catalog& cat = Catalog::builtin());
std::string catalog_json(const std::string& kind, const Catalog& cat = Catalog::builtin());
std::string validate_json(const Catalog& cat = Catalog::builtin());
std::string calibrate_json(const Catalog& cat = Catalog::builtin());

// The same, on parsed JSON (for tests and the benchmark).
json evaluate(const json& request, const Catalog& cat);
json decide(const json& request, const Catalog& cat);
json error_json(const Error& e);

}  // namespace whichgpu
