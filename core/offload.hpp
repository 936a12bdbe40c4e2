// CPU offload planning: which layers stay on the GPU, what the host holds, what
// spills to disk, and the roofs of the host; also CPU-only memory checks.
#pragma once
#include <string>
#include <vector>

#include "memory.hpp"
#include "perf.hpp"

namespace whichgpu {

struct OffloadPlan {
  Placement placement;
  std::vector<bool> on_device;  // layer weights resident on the accelerator
  int gpu_layers = 0;           // layers mode: layers whose math runs on the GPU
  double host_bytes = 0;        // what the host must hold (weights, KV, buffers)
  double host_capacity_bytes = 0;
  double spilled_bytes = 0;     // beyond host memory, read from disk every forward
  bool host_fits = true;
  std::string reason;
  json placement_json = json::array();
};

// Plans an offloaded deployment (sc.offload must be set). `concurrency` sizes KV.
OffloadPlan plan_offload(Scenario& sc, std::int64_t concurrency);

}  // namespace whichgpu
