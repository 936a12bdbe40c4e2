// Continuous batching under a closed loop of C clients: chunked prefill mixed into
// decode steps, queueing for prefill capacity and running slots; the open-loop rate.
#pragma once
#include <vector>

#include "memory.hpp"
#include "perf.hpp"

namespace whichgpu {

struct ServingPoint {
  double concurrency = 1;  // deployment
  double running_per_replica = 1;
  double ttft_s = 0, tpot_s = 0, e2e_s = 0;
  double output_tokens_per_s = 0, input_tokens_per_s = 0, requests_per_s = 0;  // deployment
  bool queued = false;  // clients wait for a running slot (engine or memory cap)
};

struct ServingModel {
  const Scenario& sc;
  const Placement& pl;
  StepTime prefill;       // isolated prefill (C = 1)
  std::int64_t cap = 1;   // running sequences per replica the engine and memory allow
  ServingPoint at(double concurrency) const;
  // Open loop: the concurrency a Poisson rate produces (C = rate x e2e(C)); saturated
  // when the rate exceeds what `cap` sequences per replica can serve.
  ServingPoint at_rate(double rate, bool* saturated) const;
  // Largest concurrency <= max meeting every SLO target (0 = none).
  std::int64_t max_within_slo(std::int64_t max) const;
  bool meets(const ServingPoint& p) const;
};

}  // namespace whichgpu
