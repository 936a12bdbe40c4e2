// Accuracy against published measurements: the cross-validated figures may not
// regress past the committed baseline (tests/accuracy/baseline.json).
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "calibrate.hpp"
#include "helpers.hpp"

using namespace wt;

namespace {
// validate runs every benchmark and the leave-one-source-out fits (seconds, more
// under sanitizers): once for the tests that read it.
const json& validated() {
  static const json r = json::parse(whichgpu::validate_json());
  return r;
}
}  // namespace


TEST_CASE("cross-validated accuracy does not regress past the baseline and meets the targets", "[accuracy][issue8]") {
  std::ifstream f(std::filesystem::path(WHICHGPU_SOURCE_DIR) / "tests" / "accuracy" / "baseline.json");
  REQUIRE(f.good());
  json base = json::parse(f);
  const json& r = validated();
  REQUIRE(r["ok"].get<bool>());
  const json& cv = r["result"]["summary"]["cross_validated"];
  auto check = [](const json& now, const json& was, const std::string& what) {
    INFO(what << ": now " << now.dump() << " baseline " << was.dump());
    CHECK(now["n"].get<int>() >= was["n"].get<int>());
    CHECK(now["median_abs_rel"].get<double>() <= was["median_abs_rel"].get<double>() + 0.02);
    CHECK(now["within_25_share"].get<double>() >= was["within_25_share"].get<double>() - 0.05);
  };
  check(cv["overall"], base["overall"], "overall");
  for (auto it = base["by_group"].begin(); it != base["by_group"].end(); ++it)
    check(cv["by_group"][it.key()], *it, it.key());
  // Every benchmark maps to a request that evaluates.
  int errors = 0;
  for (const auto& b : r["result"]["benchmarks"]) errors += b.contains("error") ? 1 : 0;
  CHECK(errors == 0);
  CHECK(r["result"]["benchmarks"].size() >= 40);
  SECTION("and the issue's targets hold") {
    // Met since session 2: decode and batched median |error| <= 15% with >= 75% within
    // +-25%; time to first token / prefill median <= 25%; no hardware family or
    // engine with enough data (5 points, 2 sources) worse than 30% median.
    for (const std::string g : {"decode", "batched"}) {
      INFO(g << ": " << cv["by_group"][g].dump());
      CHECK(cv["by_group"][g]["median_abs_rel"].get<double>() <= 0.15);
      CHECK(cv["by_group"][g]["within_25_share"].get<double>() >= 0.75);
    }
    CHECK(cv["by_group"]["prefill"]["median_abs_rel"].get<double>() <= 0.25);
    for (const std::string dim : {"by_family", "by_engine"})
      for (auto it = cv[dim].begin(); it != cv[dim].end(); ++it) {
        INFO(dim << " " << it.key() << ": " << it->dump());
        if ((*it)["status"] == "ok") CHECK((*it)["median_abs_rel"].get<double>() <= 0.30);
      }
  }
}

TEST_CASE("calibration stays physical and within one parameter per five points", "[accuracy][issue8]") {
  // The fit's parameters, per engine: engine-wide factors, overheads and per-family
  // refinements together at most one per five of the engine's benchmarks.
  std::map<std::string, std::vector<const whichgpu::BenchPoint*>> by_engine;
  const auto points = whichgpu::bench_points(cat());
  for (const auto& p : points)
    if (p.error.empty()) by_engine[p.engine].push_back(&p);
  for (const auto& [engine, pts] : by_engine) {
    INFO(engine);
    const whichgpu::EngineFit fit = whichgpu::fit_engine(cat(), pts);
    CHECK(fit.total_params() * 5 <= static_cast<int>(pts.size()));
    CHECK(fit.overhead >= 0);
    CHECK(fit.request_overhead >= 0);
    if (fit.families.size() < 2) CHECK(fit.family.empty());  // one family: the engine-wide factors describe it
  }
  // The committed entries: one step and request overhead per engine, factors
  // within the searched range, engine-wide entries only for engines seen on two
  // or more families.
  std::map<std::string, double> overhead, request;
  for (const auto& [id, c] : cat().all_calibrations()) {
    if (id == "all") continue;
    INFO(id);
    if (c.memory_factor.known()) {
      CHECK(c.compute_factor.known());
      CHECK(c.memory_factor.v() >= 0.3 * 0.3);
      CHECK(c.memory_factor.v() <= 1.3 * 1.3);
    }
    if (c.efficiency_family == "*") {
      std::set<std::string> fams;
      for (const auto* p : by_engine[c.engine]) fams.insert(p->family);
      CHECK(fams.size() >= 2);
    }
    if (c.step_overhead_s.known()) {
      CHECK(c.step_overhead_s.v() >= 0);
      if (overhead.count(c.engine)) CHECK(overhead[c.engine] == c.step_overhead_s.v());
      overhead[c.engine] = c.step_overhead_s.v();
    }
    if (c.request_overhead_s.known()) {
      CHECK(c.request_overhead_s.v() >= 0);
      if (request.count(c.engine)) CHECK(request[c.engine] == c.request_overhead_s.v());
      request[c.engine] = c.request_overhead_s.v();
    }
  }
  // Applied efficiencies never exceed 1.
  for (const std::string hw : {"nvidia-h100-sxm-80gb", "nvidia-h200-sxm-141gb", "apple-m2-ultra", "amd-mi300x"}) {
    json req = {{"model", "meta-llama-3.1-8b"}, {"hardware", hw}, {"workload", workload(128, 128)}};
    req["engine"] = hw == "apple-m2-ultra" ? "llama.cpp" : (hw == "amd-mi300x" ? "vllm" : "tensorrt-llm");
    json r = eval_ok(req);
    CHECK(r["efficiency"]["memory_efficiency"].get<double>() <= 1.0);
    CHECK(r["efficiency"]["compute_efficiency"].get<double>() <= 1.0);
  }
}

TEST_CASE("results carry error bands for their headline figures", "[accuracy][issue8]") {
  json r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"devices", 2},
                    {"workload", workload(1024, 256)}});
  for (const std::string f : {"decode.tpot_s", "prefill.ttft_s", "throughput.output_tokens_per_s"}) {
    INFO(f);
    REQUIRE(r["error_band"].contains(f));
    const json& b = r["error_band"][f];
    CHECK(b["n"].get<int>() >= 5);
    CHECK(b["median_abs_rel"].get<double>() > 0);
    CHECK(b["within_25_share"].get<double>() <= 1);
    CHECK(b["group"].is_string());
  }
}

TEST_CASE("calibration carries engine-wide factors only across families it has seen two of", "[accuracy][issue8]") {
  std::vector<whichgpu::BenchPoint> pts = whichgpu::bench_points(cat());
  std::vector<const whichgpu::BenchPoint*> rocm, vllm_all;
  for (const auto& p : pts)
    if (p.error.empty() && p.engine == "vllm") {
      vllm_all.push_back(&p);
      if (p.family == "amd-cdna3") rocm.push_back(&p);
    }
  REQUIRE(rocm.size() >= 10);
  // Fitted on ROCm alone: its factors apply to ROCm and to nothing else.
  const whichgpu::EngineFit only = whichgpu::fit_engine(cat(), rocm);
  CHECK_FALSE(only.base_general());
  const whichgpu::Factors on_rocm = whichgpu::factors_for(only, "amd-cdna3");
  const whichgpu::Factors on_cuda = whichgpu::factors_for(only, "nvidia-hopper");
  CHECK(on_rocm.memory_factor != 1.0);
  CHECK(on_cuda.memory_factor == 1.0);
  CHECK(on_cuda.compute_factor == 1.0);
  // Fitted on several families: a family without data gets the engine-wide factors.
  const whichgpu::EngineFit all = whichgpu::fit_engine(cat(), vllm_all);
  CHECK(all.base_general());
  CHECK(all.total_params() * 5 <= static_cast<int>(vllm_all.size()));
  const whichgpu::Factors unseen = whichgpu::factors_for(all, "nvidia-blackwell");
  CHECK(unseen.memory_factor == all.base.memory_factor);
  // And the committed catalog does the same for a request: TensorRT-LLM on an L40S
  // (Ada: no TensorRT-LLM benchmarks) uses the engine-wide entry.
  json r = eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-l40s-48gb"}, {"engine", "tensorrt-llm"},
                    {"workload", workload(512, 128)}});
  CHECK(r["efficiency"]["calibration"].get<std::string>() == "tensorrt-llm-any");
}

TEST_CASE("a device's own measured GEMM efficiency replaces its family's", "[accuracy][issue8]") {
  // The Ada family value is the 72 W L4's (0.445 FP16); the RTX 4090 measures 0.941.
  auto eff = [](const std::string& hw) {
    json r = eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", hw}, {"precision", {{"weights", "fp16"}}},
                      {"engine", "llama.cpp"}, {"engine_options", {{"calibration", false}}},
                      {"workload", workload(512, 128)}});
    return r["efficiency"]["compute_efficiency"].get<double>();
  };
  CHECK_THAT(eff("nvidia-rtx-4090-24gb"), Catch::Matchers::WithinRel(0.941, 1e-9));
  CHECK_THAT(eff("nvidia-l4-24gb"), Catch::Matchers::WithinRel(0.445, 1e-9));
  // A pasted hardware entry may carry its own figure too; out-of-range is refused with the path.
  json bad = json::parse(whichgpu::evaluate_json(json({{"model", "meta-llama-3.1-8b"}, {"engine", "llama.cpp"},
      {"hardware", {{"id", "my-gpu"}, {"kind", "gpu"}, {"memory_GiB", 24}, {"memory_bandwidth_GBps", 1000},
                    {"dense_peak_TFLOPS", {{"fp16", 100}}}, {"compute_efficiency", {{"fp16", 1.5}}}}},
      {"workload", workload(512, 128)}}).dump()));
  CHECK_FALSE(bad["ok"].get<bool>());
  CHECK(bad["error"]["path"].get<std::string>() == "/hardware/compute_efficiency/fp16");
}

TEST_CASE("MLA + MoE results warn about the measured time-to-first-token gap", "[accuracy][issue8]") {
  auto warns = [](const std::string& model) {
    json r = eval_ok({{"model", model}, {"hardware", "nvidia-h200-sxm-141gb"}, {"devices", 8},
                      {"workload", workload(1024, 256)}});
    for (const auto& w : r["warnings"])
      if (w.get<std::string>().find("MLA + fine-grained MoE") != std::string::npos) return true;
    return false;
  };
  CHECK(warns("deepseek-v3"));
  CHECK_FALSE(warns("meta-llama-3.1-70b"));
  CHECK_FALSE(warns("mixtral-8x7b"));  // MoE without MLA: no published gap
}
