// Serving, cost and the decision matrix: users within a latency target, $ per
// million tokens, a recommendation that cites its figures.
#include "helpers.hpp"

using namespace wt;
using Catch::Matchers::WithinRel;

namespace {
json eval70(const std::string& hw, int devices, json wl, json extra = json::object()) {
  json r = {{"model", "meta-llama-3.1-70b"}, {"hardware", hw}, {"devices", devices}, {"workload", wl}};
  for (auto it = extra.begin(); it != extra.end(); ++it) r[it.key()] = *it;
  return eval_ok(r);
}
}  // namespace

TEST_CASE("70B at TP=4 under a 50 ms TPOT target: H100 serves more users than A100", "[serving][issue6]") {
  json slo = {{"slo", {{"tpot_s", 0.05}}}};
  std::map<std::string, std::int64_t> within;
  for (const std::string hw : {"nvidia-h100-sxm-80gb", "nvidia-a100-sxm-80gb"}) {
    INFO(hw);
    json r = eval70(hw, 4, workload(1024, 256), slo);
    std::int64_t n = r["slo"]["max_concurrency_within_slo"].get<std::int64_t>();
    within[hw] = n;
    CHECK(n > 1);
    CHECK(n != r["memory"]["max_concurrency"].get<std::int64_t>());
    CHECK(n != r["efficiency"]["max_num_seqs"].get<std::int64_t>());
    CHECK(n != r["workload"]["max_running_per_replica"].get<std::int64_t>());
    json at = eval70(hw, 4, workload(1024, 256, static_cast<int>(n)), slo);
    CHECK(at["decode"]["tpot_s"].get<double>() <= 0.05);
    CHECK(at["slo"]["met"].get<bool>());
    json over = eval70(hw, 4, workload(1024, 256, static_cast<int>(n + 1)), slo);
    CHECK(over["decode"]["tpot_s"].get<double>() > 0.05);
    CHECK_FALSE(over["slo"]["met"].get<bool>());
  }
  CHECK(within["nvidia-h100-sxm-80gb"] > within["nvidia-a100-sxm-80gb"]);
}

TEST_CASE("concurrency 1 equals the engine's isolated figures", "[serving][issue6]") {
  json r = eval70("nvidia-h100-sxm-80gb", 2, workload(1024, 256));
  CHECK(r["prefill"]["ttft_s"].get<double>() == r["prefill"]["isolated_s"].get<double>());
  CHECK(r["decode"]["tpot_s"].get<double>() == r["decode"]["step_s"].get<double>());
  double e2e = r["prefill"]["ttft_s"].get<double>() + 255 * r["decode"]["tpot_s"].get<double>();
  CHECK_THAT(r["latency"]["e2e_s"].get<double>(), WithinRel(e2e, 1e-12));
  CHECK_THAT(r["throughput"]["output_tokens_per_s"].get<double>(), WithinRel(256 / e2e, 1e-12));
}

TEST_CASE("under load TTFT includes waiting and TPOT the prefill mixed into steps", "[serving][issue6]") {
  json one = eval70("nvidia-h100-sxm-80gb", 4, workload(2048, 256, 1));
  json many = eval70("nvidia-h100-sxm-80gb", 4, workload(2048, 256, 64));
  CHECK(many["prefill"]["ttft_s"].get<double>() > one["prefill"]["ttft_s"].get<double>());
  // A pure decode step of 64 sequences is faster than the mixed steps they see.
  CHECK(many["decode"]["tpot_s"].get<double>() > many["decode"]["step_s"].get<double>());
}

TEST_CASE("concurrency \"max\" resolves to the memory or engine cap", "[serving][issue6]") {
  json r = eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-a100-sxm-80gb"},
                    {"workload", {{"input_tokens", 512}, {"output_tokens", 128}, {"concurrency", "max"}}}});
  std::int64_t c = r["workload"]["concurrency"].get<std::int64_t>();
  CHECK(c == std::min<std::int64_t>(r["memory"]["max_concurrency"].get<std::int64_t>(), 256));  // vLLM A100 cap
  CHECK(r["curve"].back()["concurrency"].get<double>() == static_cast<double>(c));
}

TEST_CASE("a request rate solves concurrency = rate x e2e, and saturation is a flag", "[serving][issue6]") {
  json base = {{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-h100-sxm-80gb"}};
  base["workload"] = {{"input_tokens", 512}, {"output_tokens", 128}, {"request_rate_per_s", 20}};
  json r = eval_ok(base);
  CHECK_FALSE(r["workload"]["saturated"].get<bool>());
  double c = r["workload"]["concurrency"].get<double>();
  CHECK_THAT(c, WithinRel(20 * r["latency"]["e2e_s"].get<double>(), 1e-6));
  CHECK_THAT(r["throughput"]["requests_per_s"].get<double>(), WithinRel(20.0, 1e-6));
  base["workload"]["request_rate_per_s"] = 1e5;
  r = eval_ok(base);
  CHECK(r["workload"]["saturated"].get<bool>());
  CHECK(r["warnings"].dump().find("exceeds") != std::string::npos);
}

TEST_CASE("cost per million tokens: the hand computation", "[cost][issue6]") {
  whichgpu::Scenario sc = whichgpu::parse_request(
      json{{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-a100-sxm-80gb"}, {"price_per_device_hour_usd", 2.50},
           {"workload", workload(128, 128)}},
      cat());
  // $2.50/h at 30 output tokens/s: 2.50 / (30 x 3600) x 10^6 = $23.148 per million.
  auto c = whichgpu::compute_cost(sc, cat(), 30, 0);
  CHECK_THAT(c.usd_per_million_output_tokens, WithinRel(23.148148, 1e-6));
  sc.price_per_device_hour = 4.50;
  CHECK_THAT(whichgpu::compute_cost(sc, cat(), 60, 0).usd_per_million_output_tokens, WithinRel(20.833333, 1e-6));
  CHECK_THAT(whichgpu::compute_cost(sc, cat(), 50, 0).usd_per_million_output_tokens, WithinRel(25.0, 1e-9));
  // Utilization and a month of 730 hours.
  sc.utilization = 0.5;
  auto h = whichgpu::compute_cost(sc, cat(), 60, 40);
  CHECK_THAT(h.usd_per_million_output_tokens, WithinRel(41.666667, 1e-6));
  CHECK_THAT(h.usd_per_million_tokens, WithinRel(4.50 / (100 * 3600 * 0.5) * 1e6, 1e-12));
  CHECK_THAT(h.usd_per_month, WithinRel(4.50 * 730, 1e-12));
}

TEST_CASE("cost in a full evaluate follows its own throughput; fleet sizing from demand", "[cost][issue6]") {
  json r = eval70("nvidia-h100-sxm-80gb", 2, workload(1024, 256, 8),
                  {{"price_per_device_hour_usd", 3.0}, {"demand", {{"requests_per_s", 10}}}});
  double tps = r["throughput"]["output_tokens_per_s"].get<double>();
  CHECK_THAT(r["cost"]["usd_per_hour"].get<double>(), WithinRel(6.0, 1e-12));
  CHECK_THAT(r["cost"]["usd_per_million_output_tokens"].get<double>(), WithinRel(6.0 / (tps * 3600) * 1e6, 1e-12));
  double per_replica = r["throughput"]["requests_per_s"].get<double>();
  std::int64_t replicas = r["fleet"]["replicas"].get<std::int64_t>();
  CHECK(replicas == static_cast<std::int64_t>(std::ceil(10 / per_replica)));
  CHECK(r["fleet"]["devices"].get<std::int64_t>() == 2 * replicas);
  CHECK_THAT(r["fleet"]["usd_per_month"].get<double>(), WithinRel(6.0 * replicas * 730, 1e-12));
}

TEST_CASE("A100 vs H100 $/M ratio is the price ratio times the bandwidth ratio", "[cost][issue6]") {
  const double pa = 1.80, ph = 3.20;
  json opts = {{"memory_efficiency", 0.85}, {"compute_efficiency", 0.7}, {"kernel_latency_s", 0.0},
               {"collective_latency_s", 0.0}, {"step_overhead_s", 0.0}};
  auto run = [&](const std::string& hw, double p) {
    return eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", hw}, {"price_per_device_hour_usd", p},
                    {"engine_options", opts}, {"workload", workload(128, 1024)}});
  };
  json a = run("nvidia-a100-sxm-80gb", pa), h = run("nvidia-h100-sxm-80gb", ph);
  double ratio = a["cost"]["usd_per_million_output_tokens"].get<double>() /
                 h["cost"]["usd_per_million_output_tokens"].get<double>();
  CHECK_THAT(ratio, WithinRel(pa / ph * 3350.0 / 2039.0, 0.02));
}

TEST_CASE("decide: 70B for 40 users under a 1 s TTFT target", "[decide][issue6]") {
  json r = decide_ok({{"model", "meta-llama-3.1-70b"},
                      {"workload", workload(1024, 256, 40)},
                      {"slo", {{"ttft_s", 1.0}}}});
  int offload = 0;
  for (const auto& o : r["options"]) {
    if (!o["offload"].is_null()) {
      ++offload;
      CHECK_FALSE(o["feasible"].get<bool>());
      CHECK(o["reason"]["code"].is_string());
    }
    if (!o["feasible"].get<bool>()) CHECK(!o["reason"]["text"].get<std::string>().empty());
  }
  CHECK(offload > 0);
  const json& rec = r["recommendation"];
  REQUIRE(rec.is_object());
  double ttft = rec["ttft_s"].get<double>();
  CHECK(ttft <= 1.0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", ttft);
  CHECK(rec["why"].get<std::string>().find(std::string("TTFT ") + buf) != std::string::npos);
  CHECK(r["runner_up"].is_object());
  // The articles' rules of thumb, checked against the computed options.
  std::map<std::string, json> rules;
  for (const auto& rule : r["rules_of_thumb"]) rules[rule["rule"].get<std::string>().substr(0, 12)] = rule;
  const json& h100 = rules["H100 for mod"];
  CHECK(h100["applies"].get<bool>());  // 70B and 40 users
  CHECK(h100["holds"].is_boolean());
  CHECK(h100["evidence"].get<std::string>().find("per million") != std::string::npos);
  CHECK_FALSE(rules["A100 for mod"]["applies"].get<bool>());
  CHECK(rules["CPU offloadi"]["holds"].get<bool>());  // no offload option meets a 1 s TTFT
  // Ranked by cost: no feasible priced option is cheaper than the recommendation.
  for (const auto& o : r["options"])
    if (o["feasible"].get<bool>() && o["usd_per_million_output_tokens"].is_number())
      CHECK(o["usd_per_million_output_tokens"].get<double>() >= rec["usd_per_million_output_tokens"].get<double>());
}

TEST_CASE("decide offers fp8-w8a8 only where FP8 runs", "[decide][issue6]") {
  json r = decide_ok({{"model", "meta-llama-3.1-8b"},
                      {"workload", workload(512, 128, 4)},
                      {"candidates",
                       {{"hardware", {"nvidia-h100-sxm-80gb", "nvidia-h200-sxm-141gb", "nvidia-b200-180gb", "nvidia-l40s-48gb",
                                      "amd-mi300x", "nvidia-a100-sxm-80gb", "nvidia-t4-16gb"}},
                        {"precisions", {"fp8-w8a8", "fp8-w8a16"}},
                        {"devices", {1}},
                        {"allow_offload", false}}}});
  std::map<std::string, std::set<std::string>> offered;  // feasible precisions as run
  std::map<std::string, std::string> warnings;
  for (const auto& o : r["options"]) {
    if (o["reason"].is_object() && o["reason"]["code"] == "precision_unsupported") continue;
    offered[o["hardware"]].insert(o["precision"].get<std::string>());
    warnings[o["hardware"]] += o.value("warnings", json::array()).dump();
  }
  for (const std::string hw : {"nvidia-h100-sxm-80gb", "nvidia-h200-sxm-141gb", "nvidia-b200-180gb", "nvidia-l40s-48gb", "amd-mi300x"})
    CHECK(offered[hw].count("fp8-w8a8") == 1);
  CHECK(offered["nvidia-a100-sxm-80gb"].count("fp8-w8a8") == 0);
  CHECK(offered["nvidia-a100-sxm-80gb"].count("fp8-w8a16") == 1);
  CHECK(warnings["nvidia-a100-sxm-80gb"].find("fp8-w8a16") != std::string::npos);
  CHECK(offered["nvidia-t4-16gb"].empty());
}

TEST_CASE("an offline batch job on CPUs gets tokens/s and $ per million", "[decide][issue6]") {
  json r = decide_ok({{"model", "meta-llama-3.1-8b"},
                      {"workload", workload(512, 256, 1)},
                      {"price_per_device_hour_usd", 2.0},
                      {"candidates", {{"kinds", {"cpu"}}}}});
  const json& rec = r["recommendation"];
  REQUIRE(rec.is_object());
  const auto& hw = cat().hardware(rec["hardware"].get<std::string>(), "");
  CHECK(hw.kind == "cpu");
  CHECK(rec["output_tokens_per_s"].get<double>() > 0);
  CHECK(rec["usd_per_million_output_tokens"].get<double>() > 0);
}

TEST_CASE("decide: budget and SLO reasons are specific", "[decide][issue6]") {
  json r = decide_ok({{"model", "meta-llama-3.1-8b"},
                      {"workload", workload(512, 128, 1)},
                      {"slo", {{"tpot_s", 0.012}}},
                      {"budget", {{"usd_per_hour", 2.5}}},
                      {"candidates", {{"hardware", {"nvidia-h100-sxm-80gb", "nvidia-l4-24gb", "nvidia-t4-16gb"}},
                                      {"precisions", {"bf16"}}, {"allow_offload", false}}}});
  std::set<std::string> codes;
  for (const auto& o : r["options"])
    if (o["reason"].is_object()) codes.insert(o["reason"]["code"].get<std::string>());
  CHECK(codes.count("slo_missed"));
  CHECK((codes.count("over_budget") || codes.count("does_not_fit")));
}
