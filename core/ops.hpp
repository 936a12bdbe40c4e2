// The one operator-cost function (FLOPs and bytes per operator for any token
// counts) and the roofline step that turns them into time with a bound label.
#pragma once
#include <string>
#include <vector>

#include "scenario.hpp"

namespace whichgpu {

// Sequences in a step that share a shape: `seqs` sequences each computing
// `q_tokens` new tokens after `ctx_before` cached ones. Prefill: (1, prompt, 0);
// decode: (C, 1, context); a chunk: (1, chunk, tokens already prefilled).
struct SeqGroup {
  double seqs = 1, q_tokens = 1, ctx_before = 0;
};

// Where an operator's math runs and what limits it.
struct Roof {
  double flops_per_s = 0;   // peak x compute efficiency, for the op's data type
  double bytes_per_s = 0;   // bandwidth x memory efficiency
  double kernel_latency_s = 0;
  std::string compute_label = "compute", memory_label = "memory";
};

struct OpRow {
  std::string name, phase, layer_kind;
  double count = 0;  // instances in one step (layers of this kind, or 1)
  double flops = 0, bytes = 0, time_s = 0;
  double weight_bytes = 0, kv_bytes = 0, act_bytes = 0;
  double kernels = 0;
  std::string bound, dtype;
  double intensity() const { return bytes > 0 ? flops / bytes : 0; }
};

// Roofline time of a row (flops and bytes already summed over `count`).
void apply_roof(OpRow& row, const Roof& roof);

// FLOPs and bytes of every operator of decoder layers [first, last) (grouped by
// layer kind) plus the global operators this stage holds, for one step.
// Rows are per device. `on_device` (offload) filters layers; empty = all.
std::vector<OpRow> step_ops(const Scenario& sc, const std::vector<SeqGroup>& groups,
                            std::int64_t first, std::int64_t last, bool with_embedding,
                            bool with_head, const std::string& phase);

// Expected distinct experts a layer reads when `tokens` tokens each pick k of E.
double experts_touched(double experts, double k, double tokens);

// Sum of attended KV positions for q new tokens after c cached ones, each
// position seeing at most `window` (0 = all): causal, so a prefill counts half.
double attended_pairs(double q, double c, double window);

}  // namespace whichgpu
