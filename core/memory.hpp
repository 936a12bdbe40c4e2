// The memory model: weights, KV cache, activation workspace and runtime reserve per
// device under tensor and pipeline parallelism, judged against the engine's budget.
#pragma once
#include <cstdint>
#include <vector>

#include "scenario.hpp"

namespace whichgpu {

struct DeviceMemory {
  double weights_bytes = 0, kv_cache_bytes = 0, activation_bytes = 0, reserved_bytes = 0;
  double required_bytes = 0, available_bytes = 0;
  double kv_cache_bytes_per_token = 0;  // on this device, averaged over the context
};

struct MemoryResult {
  DeviceMemory per_device;  // the fullest device
  DeviceMemory total;       // all devices
  double kv_cache_bytes_per_token = 0;  // one copy, whole model, averaged over the context
  double kv_bytes_per_sequence_device = 0;  // block-rounded, on the fullest device
  double kv_bytes_per_sequence_mean_device = 0;  // at prompt + half the output
  std::int64_t steady_running_per_replica = 0;   // sequences a paged cache keeps running
  double kv_capacity_bytes_device = 0;      // what the budget leaves for KV on that device
  double device_total_bytes = 0;            // CUDA/ROCm-visible memory of one device
  bool fits = false;
  std::int64_t max_concurrency = 0;  // deployment, memory only
  std::int64_t kv_capacity_tokens = 0;  // per replica, at full-attention bytes per token
  int fullest_stage = 0;
  std::vector<std::int64_t> stage_layers;  // layers per pipeline stage
  std::string reason;  // why it does not fit
};

// Layers per pipeline stage, as vLLM splits them: the remainder goes one each to
// the stages before the last, from the second-to-last backwards.
std::vector<std::int64_t> split_layers(std::int64_t layers, int stages);

// Bytes of one tensor held by one tensor-parallel rank.
double tensor_bytes_per_rank(const Scenario& sc, const Tensor& t, std::int64_t layer);
// Weight bytes of decoder layer i on one rank.
double layer_weight_bytes(const Scenario& sc, std::int64_t i);
// KV bytes per token of layer i on one rank (no window averaging).
double layer_kv_bytes_per_token(const Scenario& sc, std::int64_t i);

// `on_device[i]` says whether layer i's weights live on the accelerator (offload);
// empty = all of them. Concurrency is the deployment's.
MemoryResult compute_memory(const Scenario& sc, std::int64_t concurrency,
                            const std::vector<bool>& on_device = {});

}  // namespace whichgpu
