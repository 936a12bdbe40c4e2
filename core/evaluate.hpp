// evaluate: a request in, every figure of API.md's glossary out.
#pragma once
#include <optional>
#include <vector>

#include "offload.hpp"
#include "serving.hpp"

namespace whichgpu {

struct Cost {
  bool priced = false;
  double price_per_device_hour = 0, usd_per_hour = 0;
  double usd_per_million_output_tokens = 0, usd_per_million_input_tokens = 0, usd_per_million_tokens = 0;
  double usd_per_month = 0;
  std::string price_source;
};

struct Evaluation {
  Scenario sc;
  MemoryResult mem;
  std::optional<OffloadPlan> plan;
  Placement placement;
  StepTime prefill;  // isolated prefill (C = 1)
  StepTime decode;   // one decode step at the operating concurrency
  ServingPoint point;
  double concurrency = 1;  // operating point (mean for a request rate)
  bool saturated = false;
  std::int64_t cap = 1;  // running sequences per replica
  std::vector<ServingPoint> curve;
  std::optional<std::int64_t> max_within_slo;
  bool slo_met = true;
  bool fits = false;
  std::string reason;
  Cost cost;
};

// Options that make decide cheaper: it needs no curve and no ops rows.
struct EvalOptions {
  bool curve = true;
  bool slo_search = true;
};

Evaluation evaluate_scenario(Scenario sc, const Catalog& cat, const EvalOptions& opt = {});
json evaluation_to_json(const Evaluation& ev, const Catalog& cat);
// Price of one device-hour: request, else the catalog's profile point.
std::optional<double> catalog_price(const Catalog& cat, const std::string& hardware_id,
                                    const std::string& profile, std::string* offer);
Cost compute_cost(const Scenario& sc, const Catalog& cat, double output_tps, double input_tps);

}  // namespace whichgpu
