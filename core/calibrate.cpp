// Fitting efficiency factors per engine and hardware class to published
// measurements, and cross-validating them by leaving one source out.
#include "calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "evaluate.hpp"

namespace whichgpu {
namespace {

double metric_of(const Evaluation& ev, const std::string& metric) {
  const ServingPoint& p = ev.point;
  if (metric == "decode.tpot_s") return p.tpot_s;
  if (metric == "decode.tokens_per_s_per_user") return 1.0 / p.tpot_s;
  if (metric == "prefill.ttft_s") return p.ttft_s;
  if (metric == "prefill.tokens_per_s")
    return static_cast<double>(std::max<std::int64_t>(ev.sc.wl.input_tokens, 1)) / ev.prefill.total_s;
  if (metric == "throughput.output_tokens_per_s") return p.output_tokens_per_s;
  if (metric == "throughput.output_tokens_per_s_per_device") return p.output_tokens_per_s / ev.sc.par.devices();
  if (metric == "throughput.total_tokens_per_s") return p.output_tokens_per_s + p.input_tokens_per_s;
  if (metric == "latency.e2e_s") return p.e2e_s;
  throw Error("internal", "unknown benchmark metric " + metric);
}

bool is_time(const std::string& m) {
  auto ends = [&](const std::string& s) { return m.size() >= s.size() && m.compare(m.size() - s.size(), s.size(), s) == 0; };
  return ends("_s") && !ends("_per_s");
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string url_of(const Benchmark& b) {
  for (const auto& s : b.sources)
    if (s.id == b.source) return s.url;
  return b.source;
}

}  // namespace

double speed_ratio(const Benchmark& b, double predicted) {
  return is_time(b.metric) ? b.measured / predicted : predicted / b.measured;
}

std::vector<BenchPoint> bench_points(const Catalog& cat) {
  std::vector<BenchPoint> out;
  for (const auto& [id, b] : cat.all_benchmarks()) {
    BenchPoint p;
    p.bench = &b;
    p.source = url_of(b);
    try {
      json req = b.request;
      json& o = req["engine_options"];
      if (!o.is_object()) o = json::object();
      p.own_step_overhead = o.contains("step_overhead_s");
      p.own_request_overhead = o.contains("request_overhead_s");
      o["calibration"] = false;
      auto sc = std::make_shared<Scenario>(parse_request(req, cat));
      p.engine = sc->engine->id;
      p.family = sc->hw.efficiency_family.empty() ? "custom" : sc->hw.efficiency_family;
      p.group = p.engine + "-" + p.family;
      p.scenario = std::move(sc);
    } catch (const Error& e) {
      p.error = e.code + ": " + e.what();
    }
    out.push_back(std::move(p));
  }
  return out;
}

double predict(const Catalog& cat, const Benchmark& b, const Factors* f) {
  json req = b.request;
  if (f) {
    json& o = req["engine_options"];
    if (!o.is_object()) o = json::object();
    o["calibration"] = false;
    o["memory_factor"] = f->memory_factor;
    o["compute_factor"] = f->compute_factor;
    if (!o.contains("step_overhead_s")) o["step_overhead_s"] = f->step_overhead_s;
    if (!o.contains("request_overhead_s")) o["request_overhead_s"] = f->request_overhead_s;
  }
  EvalOptions eo;
  eo.curve = false;
  eo.slo_search = false;
  return metric_of(evaluate_scenario(parse_request(req, cat), cat, eo), b.metric);
}

double predict_point(const Catalog& cat, const BenchPoint& p, const Factors& f) {
  // What parse_request does with engine_options memory_factor / compute_factor /
  // step_overhead_s / request_overhead_s, applied to the parsed scenario's copy.
  Scenario sc = *p.scenario;
  EngineParams& ep = sc.ep;
  ep.scale(f.memory_factor, f.compute_factor);
  if (!p.own_step_overhead) ep.step_overhead_s = f.step_overhead_s;
  if (!p.own_request_overhead) ep.request_overhead_s = f.request_overhead_s;
  EvalOptions eo;
  eo.curve = false;
  eo.slo_search = false;
  return metric_of(evaluate_scenario(std::move(sc), cat, eo), p.bench->metric);
}

// At most one fitted parameter per five benchmarks (issue 8), counted over an
// engine's benchmarks: per-family refinements (one common factor from 5 points of
// the family, separate memory and compute factors from 10), engine-wide factors,
// the step overhead (from 10 points) and the request overhead (from three
// time-to-first-token points), in that order of priority (see fit_engine).
int factor_params(std::size_t points) { return static_cast<int>(std::min<std::size_t>(2, points / 5)); }

namespace {

// Golden-section minimum of f on [lo, hi].
template <class F>
double golden(double lo, double hi, F&& f) {
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double a = lo, b = hi, c = b - phi * (b - a), d = a + phi * (b - a);
  double fc = f(c), fd = f(d);
  for (int i = 0; i < 16; ++i) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = f(d);
    }
  }
  return 0.5 * (a + b);
}

std::map<std::string, std::vector<const BenchPoint*>> by_family(const std::vector<const BenchPoint*>& pts) {
  std::map<std::string, std::vector<const BenchPoint*>> m;
  for (const BenchPoint* p : pts) m[p->family].push_back(p);
  return m;
}

// Mean |log(predicted / measured speed)|: robust to the odd outlier, symmetric
// in over- and under-prediction.
double objective_engine(const Catalog& cat, const std::vector<const BenchPoint*>& pts, const EngineFit& fit) {
  double s = 0;
  for (const BenchPoint* p : pts) {
    Factors f = factors_for(fit, p->family);
    s += std::fabs(std::log(speed_ratio(*p->bench, predict_point(cat, *p, f))));
  }
  return s / static_cast<double>(pts.size());
}

}  // namespace

int EngineFit::total_params() const {
  int n = base_params + (overhead_fitted ? 1 : 0) + (request_fitted ? 1 : 0);
  for (const auto& kv : params) n += kv.second;
  return n;
}

Factors factors_for(const EngineFit& fit, const std::string& family) {
  Factors f = fit.base_general() || fit.families.count(family) ? fit.base : Factors{};
  auto it = fit.family.find(family);
  if (it != fit.family.end()) {
    f.memory_factor *= it->second.memory_factor;
    f.compute_factor *= it->second.compute_factor;
  }
  f.step_overhead_s = fit.overhead;
  f.request_overhead_s = fit.request_overhead;
  return f;
}

EngineFit fit_engine(const Catalog& cat, const std::vector<const BenchPoint*>& pts) {
  EngineFit fit;
  const auto fams = by_family(pts);
  const int n = static_cast<int>(pts.size());
  const int budget = n / 5;
  for (const auto& kv : fams) fit.families.insert(kv.first);
  // The per-request overhead only shows in time to first token: a candidate where
  // the engine has at least three TTFT measurements.
  const auto ttft_points = std::count_if(pts.begin(), pts.end(),
                                         [](const BenchPoint* p) { return p->bench->metric == "prefill.ttft_s"; });
  auto add_base = [&] { fit.base_params = std::max(0, std::min(2, budget - fit.total_params())); };
  auto add_overheads = [&] {
    fit.overhead_fitted = n >= 10 && fit.total_params() + 1 <= budget;
    fit.request_fitted = ttft_points >= 3 && fit.total_params() + 1 <= budget;
  };
  auto add_families = [&] {
    if (fams.size() < 2) return;  // one family: the engine-wide factors describe it
    std::vector<std::pair<std::size_t, std::string>> by_size;
    for (const auto& kv : fams) by_size.emplace_back(kv.second.size(), kv.first);
    std::sort(by_size.begin(), by_size.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    for (const auto& [size, fam] : by_size) {
      int k = std::min(factor_params(size), budget - fit.total_params());
      if (k <= 0) continue;
      fit.family[fam] = Factors{};
      fit.params[fam] = k;
    }
  };
  // The budget goes first to families with data of their own, then to the
  // engine-wide factors (which then describe the families without refinements:
  // a data-rich family cannot drag them), then to the overheads. Of the three
  // orders tried (overheads or engine-wide factors first), this one gave the lowest
  // leave-one-source-out error.
  add_families();
  add_base();
  add_overheads();
  // Coordinate descent on a 1-D golden-section search per factor; a move is kept
  // only when it lowers the objective over the points the factor touches.
  auto fit_pair = [&](Factors& f, int k, const std::vector<const BenchPoint*>& over) {
    auto obj = [&](const Factors& g) {
      Factors keep = f;
      f = g;
      double v = objective_engine(cat, over, fit);
      f = keep;
      return v;
    };
    if (k == 1) {
      double x = golden(0.3, 1.3, [&](double v) { return obj(Factors{v, v, 0, 0}); });
      if (obj(Factors{x, x, 0, 0}) <= obj(f)) f = Factors{x, x, 0, 0};
    } else if (k == 2) {
      double m = golden(0.3, 1.3, [&](double v) { return obj(Factors{v, f.compute_factor, 0, 0}); });
      if (obj(Factors{m, f.compute_factor, 0, 0}) <= obj(f)) f.memory_factor = m;
      double c = golden(0.3, 1.3, [&](double v) { return obj(Factors{f.memory_factor, v, 0, 0}); });
      if (obj(Factors{f.memory_factor, c, 0, 0}) <= obj(f)) f.compute_factor = c;
    }
  };
  for (int sweep = 0; sweep < 3; ++sweep) {
    fit_pair(fit.base, fit.base_params, pts);
    for (auto& entry : fit.family) fit_pair(entry.second, fit.params.at(entry.first), fams.at(entry.first));
    // The engine-wide overheads, each over all of the engine's benchmarks.
    auto fit_overhead = [&](double EngineFit::*field, double hi) {
      auto obj = [&](double x) {
        EngineFit trial = fit;
        trial.*field = x;
        return objective_engine(cat, pts, trial);
      };
      double x = golden(0.0, hi, obj);
      if (obj(x) <= obj(fit.*field)) fit.*field = x;
    };
    if (fit.overhead_fitted) fit_overhead(&EngineFit::overhead, 0.02);
    if (fit.request_fitted) fit_overhead(&EngineFit::request_overhead, 0.05);
  }
  return fit;
}

json error_stats(const std::vector<double>& errors, const std::vector<std::string>& sources) {
  std::set<std::string> src(sources.begin(), sources.end());
  json j = {{"n", errors.size()}, {"sources", src.size()}};
  j["status"] = errors.size() >= 5 && src.size() >= 2 ? "ok" : "insufficient data";
  if (errors.empty()) return j;
  std::vector<double> abs_e;
  for (double e : errors) abs_e.push_back(std::fabs(e));
  j["median_abs_rel"] = median(abs_e);
  j["within_25_share"] =
      static_cast<double>(std::count_if(abs_e.begin(), abs_e.end(), [](double x) { return x <= 0.25; })) /
      static_cast<double>(errors.size());
  j["bias_rel"] = median(errors);
  return j;
}

std::map<std::string, std::vector<const BenchPoint*>> group_points(const std::vector<BenchPoint>& pts) {
  std::map<std::string, std::vector<const BenchPoint*>> groups;
  for (const auto& p : pts)
    if (p.error.empty()) groups[p.group].push_back(&p);
  return groups;
}

std::map<std::string, double> cross_validate(const Catalog& cat,
                                             const std::map<std::string, std::vector<const BenchPoint*>>& groups) {
  // Leave-one-source-out, per engine: each source's points predicted by the
  // factors and overhead fitted to the engine's other sources.
  std::map<std::string, std::vector<const BenchPoint*>> engines;
  for (const auto& [g, gp] : groups)
    for (const BenchPoint* p : gp) engines[p->engine].push_back(p);
  std::map<std::string, double> ratio;
  for (const auto& [e, ep] : engines) {
    std::set<std::string> srcs;
    for (const BenchPoint* p : ep) srcs.insert(p->source);
    for (const auto& held : srcs) {
      std::vector<const BenchPoint*> train, test;
      for (const BenchPoint* p : ep) (p->source == held ? test : train).push_back(p);
      EngineFit fit = train.empty() ? EngineFit{} : fit_engine(cat, train);
      for (const BenchPoint* p : test) {
        Factors f = factors_for(fit, p->family);
        ratio[p->bench->id] = speed_ratio(*p->bench, predict_point(cat, *p, f));
      }
    }
  }
  return ratio;
}

json summarize_errors(const std::vector<BenchPoint>& pts, const std::map<std::string, double>& ratio) {
  std::vector<double> all;
  std::vector<std::string> all_src;
  std::map<std::string, std::map<std::string, std::vector<double>>> err;
  std::map<std::string, std::map<std::string, std::vector<std::string>>> src;
  for (const auto& p : pts) {
    auto it = ratio.find(p.bench->id);
    if (it == ratio.end()) continue;
    double e = it->second - 1;
    all.push_back(e);
    all_src.push_back(p.source);
    for (const auto& [dim, key] : {std::pair<std::string, std::string>{"group", p.bench->group},
                                   {"family", p.family}, {"engine", p.engine}}) {
      err[dim][key].push_back(e);
      src[dim][key].push_back(p.source);
    }
  }
  json s = {{"overall", error_stats(all, all_src)}};
  for (const auto& [dim, m] : err)
    for (const auto& [key, e] : m) s["by_" + dim][key] = error_stats(e, src[dim][key]);
  return s;
}

namespace {

json source_list(const std::set<std::string>& urls) {
  json sources = json::array();
  int n = 0;
  for (const auto& u : urls)
    sources.push_back({{"id", "s" + std::to_string(++n)}, {"title", "calibration benchmark source"}, {"url", u},
                       {"kind", "benchmark"}});
  return sources;
}

// Cross-validated error bands of a set of points, per metric group.
json bands_of(const std::vector<const BenchPoint*>& pts, const std::map<std::string, double>& cv_ratio) {
  std::map<std::string, std::vector<double>> err;
  std::map<std::string, std::vector<std::string>> src;
  for (const BenchPoint* p : pts) {
    err[p->bench->group].push_back(cv_ratio.at(p->bench->id) - 1);
    src[p->bench->group].push_back(p->source);
  }
  json band = json::object();
  for (const auto& [metric_group, e] : err) band[metric_group] = error_stats(e, src.at(metric_group));
  return band;
}

json not_fitted(const std::string& why) { return json{{"value", nullptr}, {"supported", true}, {"note", "not fitted: " + why}}; }

json fitted(double v, const std::string& formula) {
  return json{{"value", v}, {"provenance", "derived"}, {"formula", formula}};
}

// One data/calibration entry: the factors in force for `family` ("*": any family
// of the engine without its own entry) and the cross-validated error bands of `pts`.
json calibration_entry(const std::string& engine, const std::string& family, const EngineFit& ef,
                       const std::vector<const BenchPoint*>& pts, std::size_t engine_n,
                       const std::map<std::string, double>& cv_ratio) {
  std::set<std::string> srcs;
  for (const BenchPoint* p : pts) srcs.insert(p->source);
  const bool refined = family != "*" && ef.family.count(family) > 0;
  const Factors f = factors_for(ef, family);
  const std::string objective = "coordinate descent minimizing mean |log(predicted/measured speed)|";
  std::string formula =
      ef.base_params > 0
          ? "fitted by whichgpu calibrate: engine-wide factor" +
                std::string(ef.base_params == 1 ? " (one common factor for memory and compute)" : "") + " over all " +
                std::to_string(engine_n) + " " + engine + " benchmarks of data/benchmarks"
          : "fitted by whichgpu calibrate: no engine-wide factor (the parameter budget went to the families)";
  if (refined)
    formula += ", times a " + family + " refinement" +
               (ef.params.at(family) == 1 ? " (one common factor)" : "") + " over its " + std::to_string(pts.size()) +
               " benchmarks (" + std::to_string(srcs.size()) + " sources)";
  formula += "; " + objective;
  const bool any = ef.base_params > 0 || refined;
  const std::string few = engine + " has " + std::to_string(engine_n) + " benchmarks; a factor needs 5 (one parameter per five)";
  json memory_factor = any ? fitted(f.memory_factor, formula) : not_fitted(few);
  json compute_factor = any ? fitted(f.compute_factor, formula) : not_fitted(few);
  json request_overhead =
      ef.request_fitted
          ? fitted(f.request_overhead_s, "fitted by whichgpu calibrate to the time-to-first-token benchmarks among all " +
                                             std::to_string(engine_n) + " " + engine + " benchmarks; " + objective)
          : not_fitted(engine + " has too few time-to-first-token benchmarks (3 needed) or parameters to spare");
  json step_overhead =
      ef.overhead_fitted
          ? fitted(f.step_overhead_s, "fitted by whichgpu calibrate across all " + std::to_string(engine_n) + " " + engine +
                                          " benchmarks of data/benchmarks (every hardware family); " + objective)
          : not_fitted(engine + " has " + std::to_string(engine_n) +
                       " benchmarks; its step overhead needs 10 and a parameter to spare after the family and engine-wide factors");
  std::string id = engine + "-" + (family == "*" ? std::string("any") : family);
  for (auto& ch : id)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_')) ch = '-';
  const std::string scope = family == "*" ? "any hardware family without an entry of its own" : family + " hardware";
  return {{"id", id},
          {"engine", engine},
          {"efficiency_family", family},
          {"memory_factor", memory_factor},
          {"compute_factor", compute_factor},
          {"step_overhead_s", step_overhead},
          {"request_overhead_s", request_overhead},
          {"n_points", pts.size()},
          {"n_sources", srcs.size()},
          {"error_band", bands_of(pts, cv_ratio)},
          {"sources", source_list(srcs)},
          {"notes", "Efficiency factors of " + engine + " on " + scope +
                        ", multiplying the hardware family's cited efficiencies (capped at 1). "
                        "error_band: leave-one-source-out cross-validated speed errors per metric group" +
                        (family == "*" ? " over all of the engine's benchmarks." : ".")}};
}

}  // namespace

json calibrate_impl(const Catalog& cat) {
  std::vector<BenchPoint> pts = bench_points(cat);
  const auto groups = group_points(pts);
  std::map<std::string, double> cv_ratio = cross_validate(cat, groups);
  std::map<std::string, std::vector<const BenchPoint*>> engine_pts;
  for (const auto& [g, gp] : groups)
    for (const BenchPoint* p : gp) engine_pts[p->engine].push_back(p);
  json entries = json::array();
  for (const auto& [e, ep] : engine_pts) {
    const EngineFit ef = fit_engine(cat, ep);
    if (ef.base_general()) entries.push_back(calibration_entry(e, "*", ef, ep, ep.size(), cv_ratio));
    for (const auto& [g, gp] : groups)
      if (gp.front()->engine == e) entries.push_back(calibration_entry(e, gp.front()->family, ef, gp, ep.size(), cv_ratio));
  }
  json summary = summarize_errors(pts, cv_ratio);
  // The pooled entry: error bands for requests whose engine has no calibration.
  std::set<std::string> srcs;
  for (const auto& p : pts)
    if (p.error.empty()) srcs.insert(p.source);
  auto none = json{{"value", nullptr}, {"supported", true}, {"note", "the pooled entry carries error bands only"}};
  entries.push_back({{"id", "all"},
                     {"engine", "*"},
                     {"efficiency_family", "*"},
                     {"memory_factor", none},
                     {"compute_factor", none},
                     {"step_overhead_s", none},
                     {"request_overhead_s", none},
                     {"n_points", summary["overall"]["n"]},
                     {"n_sources", srcs.size()},
                     {"error_band", summary.value("by_group", json::object())},
                     {"sources", source_list(srcs)},
                     {"notes", "Leave-one-source-out cross-validated speed errors of every benchmark, per metric group; "
                               "used as the error band where an engine has no calibration entry."}});
  return json{{"entries", entries}, {"cross_validated", summary}};
}

}  // namespace whichgpu
