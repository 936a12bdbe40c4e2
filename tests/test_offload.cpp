// CPU inference and offload: hand-derived with the catalog's cited efficiencies.
#include "helpers.hpp"

using namespace wt;
using Catch::Matchers::WithinRel;

namespace {
double achievable_bw(const std::string& id) {
  const auto& h = cat().hardware(id, "");
  double frac = h.cpu ? h.cpu->achievable_bandwidth_fraction.v()
                      : cat().efficiency(h.efficiency_family).memory_efficiency.v();
  return h.memory_bandwidth_GBps.v() * 1e9 * frac;
}
double decode_weight_bytes(const json& r) {
  double b = 0;
  for (const auto& o : r["ops"])
    if (o["phase"] == "decode") b += o["weight_bytes"].get<double>() + o["kv_bytes"].get<double>();
  return b;
}
json offload_req(const std::string& gpu, const std::string& host, double host_gib, json extra = json::object()) {
  json off = {{"mode", "layers"}, {"gpu_layers", "auto"}, {"host", host}, {"host_memory_GiB", host_gib}};
  for (auto it = extra.begin(); it != extra.end(); ++it) off[it.key()] = *it;
  return json{{"model", "meta-llama-3.1-70b"}, {"hardware", gpu}, {"precision", {{"weights", "bf16"}}},
              {"workload", workload(128, 128)}, {"offload", off}};
}
}  // namespace

TEST_CASE("CPU-only decode is bytes per token over achievable bandwidth", "[offload][issue7]") {
  json r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "amd-epyc-9654"}, {"precision", {{"weights", "bf16"}}},
                    {"workload", workload(128, 128)}});
  double expect = decode_weight_bytes(r) / achievable_bw("amd-epyc-9654");
  CHECK_THAT(r["decode"]["tpot_s"].get<double>(), WithinRel(expect, 0.15));
  double tps = r["decode"]["tokens_per_s_per_user"].get<double>();
  CHECK(tps >= 1.0);
  CHECK(tps <= 5.0);  // the articles' 1-5 tokens/s for a server CPU
  CHECK(r["decode"]["bound"] == "cpu-memory");
  CHECK(r["engine"]["id"] == "llama.cpp");

  json q = eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", "amd-ryzen-9-7950x"}, {"precision", {{"weights", "q4_k_m"}}},
                    {"workload", workload(128, 128)}});
  CHECK_THAT(q["memory"]["total"]["weights_bytes"].get<double>(), WithinRel(4.58 * 1073741824.0, 0.02));
  CHECK_THAT(q["decode"]["tpot_s"].get<double>(), WithinRel(decode_weight_bytes(q) / achievable_bw("amd-ryzen-9-7950x"), 0.15));
}

TEST_CASE("70B on an RTX 4090 with layers offloaded to an EPYC 9654 host", "[offload][issue7]") {
  json r = eval_ok(offload_req("nvidia-rtx-4090-24gb", "amd-epyc-9654", 256));
  REQUIRE(r["memory"]["fits"].get<bool>());
  int gpu_layers = r["offload"]["gpu_layers"].get<int>();
  CHECK(gpu_layers > 0);
  CHECK(gpu_layers < 80);
  // Hand computation: GPU layers from VRAM, the rest (and the head) from host RAM,
  // activations across PCIe at each boundary.
  const auto& m = cat().model("meta-llama-3.1-70b", "");
  double layer = 0;
  for (const auto& t : m.arch.layer[0].tensors) layer += static_cast<double>(t.params()) * 2;
  double head = 128256.0 * 8192 * 2 + 8192 * 2;
  double gpu_part = gpu_layers * layer / achievable_bw("nvidia-rtx-4090-24gb");
  double host_part = ((80 - gpu_layers) * layer + head) / achievable_bw("amd-epyc-9654");
  double boundary = 2 * 8192 * 2 / (31.5e9 * 0.8);
  CHECK_THAT(r["decode"]["tpot_s"].get<double>(), WithinRel(gpu_part + host_part + boundary, 0.15));
  CHECK(r["decode"]["bound"] == "cpu-memory");
  REQUIRE(r["placement"].size() == 2);
  CHECK(r["placement"][0]["math_on"] == "cpu");
  CHECK(r["placement"][1]["weights_on"] == "gpu");
  CHECK(r["placement"][1]["layers"] == json({80 - gpu_layers, 79}));
}

TEST_CASE("host memory too small: infeasible without a disk, disk-bound with one", "[offload][issue7]") {
  json r = eval_ok(offload_req("nvidia-rtx-4090-24gb", "amd-epyc-9654", 32));
  CHECK_FALSE(r["memory"]["fits"].get<bool>());
  CHECK(r["memory"]["reason"].get<std::string>().find("host memory") != std::string::npos);
  json d = eval_ok(offload_req("nvidia-rtx-4090-24gb", "amd-epyc-9654", 32, {{"disk", "nvme-pcie4"}}));
  CHECK(d["memory"]["fits"].get<bool>());
  CHECK(d["decode"]["bound"] == "disk");
  double spilled = d["offload"]["spilled_bytes"].get<double>();
  CHECK(spilled > 50e9);
  double disk_bw = cat().disk("nvme-pcie4", "").read_bandwidth_GBps.v() * 1e9;
  CHECK(d["decode"]["tpot_s"].get<double>() >= spilled / disk_bw);
  CHECK(d["warnings"].dump().find("every token") != std::string::npos);
}

TEST_CASE("more GPU layers never slow decode when the GPU out-streams the host", "[offload][issue7]") {
  double prev = 1e9;
  for (int n : {1, 2, 4, 6, 8, 10, 12}) {
    json req = offload_req("nvidia-rtx-4090-24gb", "amd-ryzen-9-7950x", 192, {{"gpu_layers", n}});
    json r = eval_ok(req);
    double t = r["decode"]["tpot_s"].get<double>();
    CHECK(t <= prev);
    prev = t;
  }
  json t4 = eval_ok(offload_req("nvidia-t4-16gb", "amd-epyc-9654", 256));
  CHECK(t4["warnings"].dump().find("may not help") != std::string::npos);
}

TEST_CASE("streaming weights over PCIe is PCIe bound at batch 1", "[offload][issue7]") {
  json r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"precision", {{"weights", "bf16"}}},
                    {"workload", workload(128, 128)},
                    {"offload", {{"mode", "stream"}, {"host", "amd-epyc-9654"}, {"host_memory_GiB", 512}}}});
  double streamed = 0;
  for (const auto& p : r["placement"]) streamed += p["bytes_per_token_over"]["pcie"].get<double>();
  CHECK(streamed > 50e9);
  double pcie_one_way = cat().hardware("nvidia-h100-sxm-80gb", "").host_link.bandwidth_GBps.v() * 1e9;
  CHECK(r["decode"]["tpot_s"].get<double>() >= streamed / pcie_one_way);
  CHECK(r["decode"]["bound"] == "pcie");
  CHECK(r["engine"]["id"] == "accelerate");
}

TEST_CASE("offloading what does not fit one H100 is at least 3x slower than two H100s", "[offload][issue7]") {
  json off = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"workload", workload(1024, 256)},
                      {"offload", {{"mode", "layers"}, {"gpu_layers", "auto"}, {"host", "amd-epyc-9654"}}}});
  json tp2 = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"devices", 2},
                      {"workload", workload(1024, 256)}});
  CHECK(off["decode"]["tpot_s"].get<double>() >= 3 * tp2["decode"]["tpot_s"].get<double>());
}

TEST_CASE("Apple silicon runs from the share of RAM the GPU may wire", "[offload][issue7]") {
  json r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "apple-m2-ultra"}, {"precision", {{"weights", "q4_k_m"}}},
                    {"workload", workload(128, 128)}});
  const auto& h = cat().hardware("apple-m2-ultra", "");
  CHECK_THAT(r["memory"]["device_total_bytes"].get<double>(),
             WithinRel(h.memory_GiB.v() * 1073741824.0 * h.gpu_wired_fraction->v(), 1e-12));
  CHECK(r["memory"]["fits"].get<bool>());
  json big = eval_ok({{"model", "meta-llama-3.1-405b"}, {"hardware", "apple-m2-ultra"}, {"precision", {{"weights", "q4_k_m"}}},
                      {"workload", workload(128, 128)}});
  CHECK_FALSE(big["memory"]["fits"].get<bool>());
}

TEST_CASE("offload input errors name their field", "[offload][issue7]") {
  json r = offload_req("nvidia-rtx-4090-24gb", "nvidia-h100-sxm-80gb", 64);
  CHECK(eval_err(r)["path"] == "/offload/host");
  r = offload_req("nvidia-rtx-4090-24gb", "amd-epyc-9654", 64, {{"gpu_layers", 80}});
  CHECK(eval_err(r)["path"] == "/offload/gpu_layers");
  r = offload_req("nvidia-rtx-4090-24gb", "amd-epyc-9654", 64, {{"disk", "floppy"}});
  CHECK(eval_err(r)["code"] == "unknown_id");
  r = offload_req("nvidia-rtx-4090-24gb", "amd-epyc-9654", -5);
  CHECK(eval_err(r)["path"] == "/offload/host_memory_GiB");
}
