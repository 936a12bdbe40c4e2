// Memory model: weights by precision, KV per token and in total, engine budgets,
// tensor and pipeline parallel splits, sliding windows, MLA, MoE.
#include "helpers.hpp"

using namespace wt;
using Catch::Matchers::WithinRel;

TEST_CASE("Llama-3.1-70B weights at BF16 and FP8 (embedding and head stay BF16)", "[memory][issue2]") {
  json r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"},
                    {"workload", workload(1024, 256)}});
  CHECK_THAT(r["memory"]["total"]["weights_bytes"].get<double>(), WithinRel(141.1e9, 0.005));
  r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"},
               {"precision", {{"weights", "fp8-w8a8"}}}, {"workload", workload(1024, 256)}});
  CHECK_THAT(r["memory"]["total"]["weights_bytes"].get<double>(), WithinRel(72.7e9, 0.01));
  CHECK(r["precision"]["weights"] == "fp8-w8a8");
  CHECK(r["precision"]["math"] == "fp8");
}

TEST_CASE("Llama-3.1-70B KV cache per token at BF16 is 2 x 80 x 8 x 128 x 2", "[memory][issue2]") {
  json r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"},
                    {"workload", workload(1024, 256)}});
  CHECK(r["memory"]["kv_cache_bytes_per_token"].get<double>() == 327680.0);
  CHECK_FALSE(r["memory"]["fits"].get<bool>());  // 141 GB on one 80 GB device
  CHECK(r["memory"].contains("reason"));
}

TEST_CASE("Llama-3.1-70B on two H100 SXM at TP=2 fits with vLLM's budget", "[memory][issue2]") {
  json r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"devices", 2},
                    {"workload", workload(1024, 256)}});
  const json& d = r["memory"]["per_device"];
  CHECK(r["memory"]["fits"].get<bool>());
  // CUDA-visible total: the catalog's nvidia-smi total less its cited driver reserve.
  const auto& hw = cat().hardware("nvidia-h100-sxm-80gb", "");
  double visible_mib = hw.usable_memory_MiB.v() - hw.driver_reserved_MiB.v();
  CHECK(visible_mib > 81000);
  CHECK(visible_mib < 81200);  // not nvidia-smi's 81,559
  CHECK_THAT(d["available_bytes"].get<double>(), WithinRel(0.9 * visible_mib * 1048576.0, 1e-12));
  CHECK_THAT(d["weights_bytes"].get<double>(), WithinRel(70555025408.0, 1e-6));
  CHECK_THAT(d["kv_cache_bytes"].get<double>(), WithinRel(209715200.0, 1e-9));
  double expect = 70555025408.0 + 209715200.0 + d["activation_bytes"].get<double>() + d["reserved_bytes"].get<double>();
  CHECK_THAT(d["required_bytes"].get<double>(), WithinRel(expect, 0.01));
  // vLLM's profile: non-torch memory grows with NCCL buffers at TP > 1.
  CHECK(d["reserved_bytes"].get<double>() > 2 * 1833.0 * 1048576.0 * 0.99);
}

TEST_CASE("Llama-3.1-8B on one H100: vLLM KV-cache capacity matches a published startup log", "[memory][issue2]") {
  // vLLM PR #10511 (youkaichao, 2024-12-13), `vllm serve meta-llama/Meta-Llama-3-8B` on one H100 80GB:
  //   total_gpu_memory 79.22GiB, gpu_memory_utilization 0.90, model weights take 14.96GiB,
  //   non_torch_memory 1.79GiB, PyTorch activation peak memory 1.26GiB, available_kv_cache_memory 53.29GiB
  // https://github.com/vllm-project/vllm/pull/10511 . Llama 3 8B and 3.1 8B have identical shapes
  // (32 layers, 8 KV heads of 128): 53.29 GiB / 131,072 B per token = 436,551 tokens.
  const double published_tokens = 53.29 * 1073741824.0 / 131072.0;
  json r = eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-h100-sxm-80gb"},
                    {"workload", workload(1024, 256)}});
  CHECK_THAT(r["memory"]["kv_capacity_tokens"].get<double>(), WithinRel(published_tokens, 0.05));
  CHECK_THAT(r["memory"]["per_device"]["weights_bytes"].get<double>(), WithinRel(14.96 * 1073741824.0, 0.01));
}

TEST_CASE("DeepSeek-V3 caches the MLA latent: 61 x 576 x 2 B, replicated at TP=8", "[memory][issue4]") {
  json r = eval_ok({{"model", "deepseek-v3"}, {"hardware", "nvidia-h200-sxm-141gb"}, {"devices", 8},
                    {"precision", {{"weights", "fp8-w8a8"}}}, {"workload", workload(1024, 256)}});
  CHECK(r["memory"]["kv_cache_bytes_per_token"].get<double>() == 70272.0);
  CHECK(r["memory"]["per_device"]["kv_cache_bytes_per_token"].get<double>() == 70272.0);
}

TEST_CASE("DeepSeek-V3 with no precision named loads as its checkpoint: FP8 linears and experts", "[memory][issue4]") {
  // The checkpoint stores every linear weight, routed experts included, as FP8 with
  // 128x128 block scales; embedding, norms, router and lm_head in BF16. 8 x H200 is
  // its standard deployment and must fit.
  json native = eval_ok({{"model", "deepseek-v3"}, {"hardware", "nvidia-h200-sxm-141gb"}, {"devices", 8},
                         {"workload", workload(1024, 256)}});
  json fp8 = eval_ok({{"model", "deepseek-v3"}, {"hardware", "nvidia-h200-sxm-141gb"}, {"devices", 8},
                      {"precision", {{"weights", "fp8-w8a8"}}}, {"workload", workload(1024, 256)}});
  CHECK(native["memory"]["fits"].get<bool>());
  const double w_native = native["memory"]["total"]["weights_bytes"].get<double>();
  const double w_fp8 = fp8["memory"]["total"]["weights_bytes"].get<double>();
  // fp8-w8a8 keeps embedding and lm_head in 16 bits too: the same bytes.
  CHECK_THAT(w_native, WithinRel(w_fp8, 1e-12));
  CHECK(w_native < 0.75e12);  // 671 B parameters, not 1.34 TB of BF16 experts
}

TEST_CASE("Mixtral-8x7B holds all experts", "[memory][issue4]") {
  const auto& m = cat().model("mixtral-8x7b", "");
  CHECK_THAT(static_cast<double>(m.arch.total_params()), WithinRel(46702792704.0, 0.005));
  json r = eval_ok({{"model", "mixtral-8x7b"}, {"hardware", "nvidia-h200-sxm-141gb"},
                    {"workload", workload(1024, 256)}});
  CHECK_THAT(r["memory"]["total"]["weights_bytes"].get<double>(), WithinRel(46702792704.0 * 2, 0.005));
}

TEST_CASE("Gemma 2 9B: sliding-window layers hold at most the window", "[memory][issue4]") {
  json r = eval_ok({{"model", "gemma-2-9b"}, {"hardware", "nvidia-h100-sxm-80gb"},
                    {"workload", workload(8191, 1)}});
  // 21 global layers x 8,192 tokens x 8,192 B + 21 windowed layers x 4,096 x 8,192 B.
  CHECK_THAT(r["memory"]["per_device"]["kv_cache_bytes"].get<double>(), WithinRel(2113929216.0, 0.01));
  double per_tok = r["memory"]["kv_cache_bytes_per_token"].get<double>();
  CHECK_THAT(per_tok, WithinRel(258048.0, 1e-9));
  CHECK(per_tok != 344064.0);
  CHECK(per_tok != 172032.0);
}

TEST_CASE("Pipeline parallel 3 splits Llama-3.1-70B 27/27/26; stage 0 is the fullest", "[memory][issue4]") {
  json r = eval_ok({{"model", "meta-llama-3.1-70b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"devices", 3},
                    {"parallelism", {{"tensor", 1}, {"pipeline", 3}}}, {"workload", workload(1024, 256)}});
  CHECK(r["memory"]["stage_layers"] == json({27, 27, 26}));
  CHECK_THAT(r["memory"]["per_device"]["weights_bytes"].get<double>(), WithinRel(48306683904.0, 0.001));
}

TEST_CASE("A tied-embedding model holds its embedding on the first and the last stage", "[memory][issue4]") {
  const auto& m = cat().model("gemma-2-9b", "");
  REQUIRE(m.arch.tied);
  json bf16 = {{"weights", "bf16"}};
  json one = eval_ok({{"model", "gemma-2-9b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"precision", bf16},
                      {"workload", workload(512, 64)}});
  json two = eval_ok({{"model", "gemma-2-9b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"devices", 2},
                      {"precision", bf16}, {"parallelism", {{"tensor", 1}, {"pipeline", 2}}},
                      {"workload", workload(512, 64)}});
  double emb = static_cast<double>(m.arch.embedding_params()) * 2.0;
  CHECK_THAT(two["memory"]["total"]["weights_bytes"].get<double>(),
             WithinRel(one["memory"]["total"]["weights_bytes"].get<double>() + emb, 1e-9));
}

TEST_CASE("TensorRT-LLM gives KV a fraction of the memory free after weights", "[memory][issue4]") {
  json r = eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"engine", "tensorrt-llm"},
                    {"workload", workload(1024, 256)}});
  const json& d = r["memory"]["per_device"];
  double fixed = d["weights_bytes"].get<double>() + d["activation_bytes"].get<double>() + d["reserved_bytes"].get<double>();
  double total = r["memory"]["device_total_bytes"].get<double>();
  double frac = cat().engine("tensorrt-llm", "").memory.fraction.v();
  CHECK_THAT(d["available_bytes"].get<double>(), WithinRel(fixed + frac * (total - fixed), 1e-12));
}

TEST_CASE("max_concurrency counts whole KV blocks per sequence", "[memory][issue2]") {
  json a = eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"workload", workload(1001, 8)}});
  json b = eval_ok({{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"workload", workload(1008, 8)}});
  // 1,009 and 1,016 tokens both round up to 64 blocks of 16.
  CHECK(a["memory"]["max_concurrency"] == b["memory"]["max_concurrency"]);
  double cap = a["memory"]["kv_capacity_tokens"].get<double>();
  CHECK(a["memory"]["max_concurrency"].get<double>() == std::floor(cap / 1024.0));
}
