// Calibration against published measurements: predictions for benchmarks, the
// per-group fit of efficiency factors, and leave-one-source-out cross-validation.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "scenario.hpp"

namespace whichgpu {

struct Factors {
  double memory_factor = 1, compute_factor = 1, step_overhead_s = 0, request_overhead_s = 0;
};

struct BenchPoint {
  const Benchmark* bench = nullptr;
  // The request parsed once with calibration off; fits re-evaluate it under
  // trial factors without re-parsing (shared: BenchPoints are copied around).
  std::shared_ptr<const Scenario> scenario;
  bool own_step_overhead = false, own_request_overhead = false;  // set by the request itself
  std::string group;   // calibration group: "<engine>-<efficiency family>"
  std::string engine, family, source;  // source: the benchmark's cited URL
  std::string error;   // the request failed (code: message)
};

// The benchmarks of the catalog with their groups.
std::vector<BenchPoint> bench_points(const Catalog& cat);

// Predicted metric: with the catalog's calibration (factors == nullptr) or with
// calibration off and the given factors.
double predict(const Catalog& cat, const Benchmark& b, const Factors* factors);
// The same prediction from a BenchPoint's parsed scenario under the given factors
// (calibration off), as predict(cat, *p.bench, &factors) computes it.
double predict_point(const Catalog& cat, const BenchPoint& p, const Factors& factors);
// predicted speed / measured speed (time metrics inverted).
double speed_ratio(const Benchmark& b, double predicted);

// What calibration fits for one engine, in two levels: engine-wide factors over
// all its benchmarks (they carry to hardware families without data), refined per
// hardware family where the family has enough benchmarks of its own; and the
// engine's step and request overheads across families.
struct EngineFit {
  bool overhead_fitted = false, request_fitted = false;
  double overhead = 0, request_overhead = 0;
  Factors base;                       // engine-wide memory and compute factors
  std::set<std::string> families;     // hardware families the fit saw
  // The engine-wide factors carry to unseen families only when fitted on two or
  // more: one family's figures say nothing about another's (vLLM on ROCm is not
  // vLLM on CUDA).
  bool base_general() const { return families.size() >= 2; }
  int base_params = 0;                // 0, 1 (common) or 2
  std::map<std::string, Factors> family;  // refinements, multiplying base
  std::map<std::string, int> params;  // fitted refinement factors per family (1 common, or 2)
  int total_params() const;
};
int factor_params(std::size_t points);
EngineFit fit_engine(const Catalog& cat, const std::vector<const BenchPoint*>& pts);
Factors factors_for(const EngineFit& fit, const std::string& family);

// Summary statistics of speed errors (ratio - 1): n, sources, median_abs_rel,
// within_25_share, bias_rel, status ("ok" or "insufficient data").
json error_stats(const std::vector<double>& errors, const std::vector<std::string>& sources);

std::map<std::string, std::vector<const BenchPoint*>> group_points(const std::vector<BenchPoint>& pts);
// Benchmark id -> speed ratio predicted by factors fitted without its source.
std::map<std::string, double> cross_validate(const Catalog& cat,
                                             const std::map<std::string, std::vector<const BenchPoint*>>& groups);
// Overall and per group / family / engine statistics of (ratio - 1).
json summarize_errors(const std::vector<BenchPoint>& pts, const std::map<std::string, double>& ratio);

// `whichgpu calibrate`: the data/calibration entries to commit, and the figures.
json calibrate_impl(const Catalog& cat);

}  // namespace whichgpu
