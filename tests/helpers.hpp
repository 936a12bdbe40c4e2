// Test helpers: run requests through the same API the CLI and page use.
#pragma once
#include <catch2/catch.hpp>
#include <string>

#include "api.hpp"
#include "evaluate.hpp"

namespace wt {
using whichgpu::json;

inline const whichgpu::Catalog& cat() { return whichgpu::Catalog::builtin(); }

// Evaluates and requires ok: true; returns result.
inline json eval_ok(const json& req) {
  json r = json::parse(whichgpu::evaluate_json(req.dump()));
  INFO(r.dump().substr(0, 600));
  REQUIRE(r["ok"].get<bool>());
  return r["result"];
}

inline json eval_err(const json& req) {
  json r = json::parse(whichgpu::evaluate_json(req.dump()));
  INFO(r.dump().substr(0, 600));
  REQUIRE_FALSE(r["ok"].get<bool>());
  return r["error"];
}

inline json decide_ok(const json& req) {
  json r = json::parse(whichgpu::decide_json(req.dump()));
  INFO(r.dump().substr(0, 600));
  REQUIRE(r["ok"].get<bool>());
  return r["result"];
}

// Efficiencies 1, latencies 0: the pure roofline.
inline json ideal_options() {
  return json{{"memory_efficiency", 1.0}, {"compute_efficiency", 1.0}, {"kernel_latency_s", 0.0},
              {"collective_latency_s", 0.0}, {"step_overhead_s", 0.0}};
}

inline double op_time(const json& result, const std::string& phase, const std::string& name,
                      const std::string& kind = "") {
  double t = 0;
  bool found = false;
  for (const auto& o : result["ops"])
    if (o["phase"] == phase && o["name"] == name && (kind.empty() || o["layer_kind"] == kind)) {
      t += o["time_s"].get<double>();
      found = true;
    }
  REQUIRE(found);
  return t;
}

inline json workload(int in, int out, int c = 1) {
  return json{{"input_tokens", in}, {"output_tokens", out}, {"concurrency", c}};
}
}  // namespace wt
