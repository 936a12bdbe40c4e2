// The API boundary: parse with limits, run, and catch everything.
#include "api.hpp"

#include <new>

#include "evaluate.hpp"

namespace whichgpu {

json decide_impl(const json& request, const Catalog& cat);  // decide.cpp
json validate_impl(const Catalog& cat);                     // validate.cpp
json calibrate_impl(const Catalog& cat);                    // calibrate.cpp

std::string version() { return WHICHGPU_VERSION; }

json error_json(const Error& e) {
  json err = {{"code", e.code}, {"message", e.what()}, {"path", e.path}};
  if (!e.file.empty()) err["file"] = e.file;
  return json{{"ok", false}, {"error", err}};
}

namespace {
// Runs `f` and turns every failure into an error response.
template <class F>
std::string guarded(F&& f) {
  try {
    return json{{"ok", true}, {"result", f()}}.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const Error& e) {
    return error_json(e).dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::bad_alloc&) {
    return error_json(Error("too_large", "out of memory while handling the request")).dump();
  } catch (const std::exception& e) {
    return error_json(Error("internal", std::string("internal error: ") + e.what())).dump(-1, ' ', false,
                                                                                           json::error_handler_t::replace);
  } catch (...) {
    return error_json(Error("internal", "internal error")).dump();
  }
}
}  // namespace

json evaluate(const json& request, const Catalog& cat) {
  return evaluation_to_json(evaluate_scenario(parse_request(request, cat), cat), cat);
}

json decide(const json& request, const Catalog& cat) { return decide_impl(request, cat); }

std::string evaluate_json(const std::string& request, const Catalog& cat) {
  return guarded([&] { return evaluate(parse_json(request), cat); });
}

std::string decide_json(const std::string& request, const Catalog& cat) {
  return guarded([&] { return decide(parse_json(request), cat); });
}

std::string catalog_json(const std::string& kind, const Catalog& cat) {
  return guarded([&] { return cat.list(kind); });
}

std::string calibrate_json(const Catalog& cat) {
  return guarded([&] { return calibrate_impl(cat); });
}

std::string validate_json(const Catalog& cat) {
  return guarded([&] { return validate_impl(cat); });
}

}  // namespace whichgpu
