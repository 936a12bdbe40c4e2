// A validated evaluate request, resolved against the catalog: everything the
// engine needs, with the request's paths kept for errors and its warnings.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog.hpp"

namespace whichgpu {

struct Parallelism {
  int tensor = 1, pipeline = 1, data = 1;
  int devices() const { return tensor * pipeline * data; }
};

struct Workload {
  std::int64_t input_tokens = 0, output_tokens = 0;
  std::int64_t concurrency = 1;  // resolved (for "max": the memory/engine cap)
  bool concurrency_max = false;
  std::optional<double> request_rate_per_s;
};

struct Slo {
  std::optional<double> ttft_s, tpot_s, e2e_s;
  bool any() const { return ttft_s || tpot_s || e2e_s; }
};

struct Demand {
  std::optional<double> requests_per_s, output_tokens_per_day;
};

// Efficiency and scheduling figures actually used, after engine_options.
struct EngineParams {
  double memory_fraction = 0.9;  // meaning depends on the engine's memory policy
  int max_num_seqs = 256, max_num_batched_tokens = 2048, kv_block_tokens = 16;
  bool chunked_prefill = true;
  double memory_efficiency = 1.0;
  std::map<std::string, double> compute_efficiency;  // per math dtype
  double kernel_latency_s = 0, collective_latency_s = 0, step_overhead_s = 0;
  double request_overhead_s = 0;  // per request before its first token (admission, tokenizing, sampling)
  double runtime_reserve_bytes = 0, comm_buffer_bytes = 0;
  double compute_eff(const std::string& dtype) const;
  // Calibration: multiply the efficiencies by fitted factors, capped at 1.
  void scale(double memory_factor, double compute_factor);
};

struct Offload {
  std::string mode;          // layers | stream
  int gpu_layers = -1;       // -1 = auto (layers mode)
  Hardware host;             // the CPU the rest runs on / streams from
  double host_memory_GiB = 0;
  std::optional<Disk> disk;
  std::string kv_cache_on = "gpu";
};

struct Scenario {
  std::string model_id;  // catalog id or the pasted config's name
  Architecture arch;
  Hardware hw;
  Efficiency eff;  // the hardware family's figures (may be empty for custom hardware)
  Parallelism par;
  // Weight precision per tensor class ("default" plus model-native overrides).
  std::map<std::string, const Precision*> weights;
  const Precision* weights_main = nullptr;  // what the request named (or native default)
  const Precision* kv = nullptr;
  std::string math_dtype;      // dtype the GEMMs run in
  std::string fallback_from;   // precision requested but not runnable here
  const Engine* engine = nullptr;
  EngineParams ep;
  Workload wl;
  Slo slo;
  std::optional<Demand> demand;
  std::optional<Offload> offload;
  std::optional<double> price_per_device_hour;
  std::string price_profile = "on-demand-tier2";
  std::string price_source;  // "request" or "catalog: <offer>"
  std::string calibration;   // id of the calibration group applied, if any
  double utilization = 1.0;
  std::vector<std::string> warnings;
  std::vector<std::string> sources_used;  // "hardware:<id>#<source>" for explain

  // Weight bytes of each decoder layer on one tensor-parallel rank, computed once
  // (the hot loops of the engine read it per layer per step).
  std::vector<double> layer_bytes;
  std::vector<std::string> layer_kind;  // Layer::kind() of each layer
  std::vector<int> layer_sig;           // layers with equal signature cost the same
  int layer_sig_count = 0;
  void prepare();

  double weight_bits(const Tensor& t, std::int64_t layer) const;
  double act_bytes() const { return 2.0; }  // 16-bit activations between kernels
  double kv_bytes_per_element() const;
  // Bytes of device memory the framework can see (CUDA/ROCm total).
  double device_total_bytes() const;
  void warn(const std::string& w);
};

// Parses and validates an evaluate request (API.md) against the catalog.
Scenario parse_request(const json& request, const Catalog& cat);

// Shared by evaluate and decide: hardware from an id, {id, overrides} or a full object.
Hardware resolve_hardware(const json& v, const std::string& path, const Catalog& cat,
                          std::vector<std::string>& warnings);

}  // namespace whichgpu
