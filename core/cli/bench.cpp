// whichgpu bench: speed figures (median, p99) for the core evaluation, JSON
// parse and serialization, a full-catalog decide and the concurrency sweep.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "api.hpp"
#include "evaluate.hpp"

using whichgpu::json;

namespace {

template <class F>
void measure(const char* name, int n, F&& f) {
  std::vector<double> t;
  t.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto a = std::chrono::steady_clock::now();
    f();
    auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double, std::micro>(b - a).count());
  }
  std::sort(t.begin(), t.end());
  double med = t[t.size() / 2];
  double p99 = t[std::min(t.size() - 1, static_cast<std::size_t>(t.size() * 0.99))];
  std::printf("%-46s n=%-5d median %10.1f us   p99 %10.1f us\n", name, n, med, p99);
}

}  // namespace

int run_bench(const whichgpu::Catalog& cat) {
  const std::string text =
      R"({"model":"meta-llama-3.1-70b","hardware":"nvidia-h100-sxm-80gb","devices":2,)"
      R"("workload":{"input_tokens":1024,"output_tokens":256,"concurrency":1}})";
  json req = json::parse(text);
  whichgpu::Scenario sc = whichgpu::parse_request(req, cat);
  whichgpu::EvalOptions no_curve;
  no_curve.curve = false;
  std::printf("whichgpu %s bench (native)\n", whichgpu::version().c_str());
  measure("JSON parse of the request", 2000, [&] { (void)whichgpu::parse_json(text); });
  measure("request validation (parse_request)", 2000, [&] { (void)whichgpu::parse_request(req, cat); });
  measure("core evaluation, parsed request -> result", 2000,
          [&] { (void)whichgpu::evaluate_scenario(sc, cat, no_curve); });
  whichgpu::Evaluation ev = whichgpu::evaluate_scenario(sc, cat);
  measure("result -> JSON serialization", 500, [&] { (void)whichgpu::evaluation_to_json(ev, cat).dump(); });
  measure("evaluate_json end to end (with curve)", 300, [&] { (void)whichgpu::evaluate_json(text, cat); });
  json sweep = req;
  sweep["workload"]["concurrency"] = "max";
  measure("concurrency sweep (\"max\", curve)", 100, [&] { (void)whichgpu::evaluate(sweep, cat); });
  const std::string decide =
      R"({"model":"meta-llama-3.1-70b","workload":{"input_tokens":1024,"output_tokens":256,"concurrency":40},)"
      R"("slo":{"ttft_s":1.0},"candidates":{"kinds":["gpu","accelerator"]}})";
  measure("full-catalog decide (GPUs + accelerators)", 5, [&] { (void)whichgpu::decide_json(decide, cat); });
  return 0;
}
