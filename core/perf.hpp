// Step timing: operators on their roofs, tensor-parallel collectives on the link,
// pipeline stages, offload placement; prefill (TTFT) and decode (TPOT) in isolation.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "ops.hpp"

namespace whichgpu {

// Where each decoder layer's weights live and where its math runs (offload).
// Empty vectors = everything on the accelerator.
struct Placement {
  std::vector<char> on_cpu;    // math and weights on the host CPU (layer offload)
  std::vector<char> streamed;  // weights in host RAM, sent over PCIe every forward (stream)
  bool kv_on_host = false;     // attention over a host-resident KV cache runs on the CPU
  double disk_bytes_per_step = 0;  // weights spilled to disk, read every forward
  double disk_bytes_per_s = 0;
  double host_bytes_per_s = 0, host_flops_per_s = 0;  // CPU roof (achievable)
  double pcie_bytes_per_s = 0;  // one direction, achievable
  bool any() const { return !on_cpu.empty() || !streamed.empty() || kv_on_host || disk_bytes_per_step > 0; }
};

struct StepTime {
  double total_s = 0;      // all stages in sequence, plus the engine's step overhead
  double max_stage_s = 0;  // slowest stage (pipeline throughput)
  std::vector<OpRow> rows;
  std::map<std::string, double> by_bound;  // seconds per bound label
  std::string bound() const;
};

// Achievable one-way bytes/s of a PCIe link: its published rate, else the
// generation's x16 rate scaled by lanes, times 0.8 (shared/DATA-TRAPS.md).
double pcie_bytes_per_s(const HostLink& link);
// The roof an operator of `dtype` runs against on the accelerator.
Roof device_roof(const Scenario& sc, const std::string& dtype);
// Per-direction bandwidth (bytes/s) a tensor-parallel all-reduce gets, and why.
double tp_link_bytes_per_s(const Scenario& sc, std::string* how = nullptr);

StepTime time_step(const Scenario& sc, const std::vector<SeqGroup>& groups, const std::string& phase,
                   const Placement& pl);

// Isolated prefill of one prompt, in chunks of the engine's batched-token budget.
StepTime time_prefill(const Scenario& sc, const Placement& pl);
// One prompt's prefill in chunks of what `budget` leaves after `decoding`
// sequences that share every chunk's step (decoding at the mean context).
StepTime time_chunked_prefill(const Scenario& sc, const Placement& pl, double budget, double decoding);
// One decode step of `seqs` sequences per replica at the mean context.
StepTime time_decode(const Scenario& sc, double seqs, const Placement& pl);

// Merge rows of several steps (summing by name and layer kind).
void merge_rows(std::vector<OpRow>& into, const std::vector<OpRow>& rows);

}  // namespace whichgpu
