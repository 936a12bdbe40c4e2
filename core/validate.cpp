// validate: every benchmark of data/benchmarks predicted (with the committed
// calibration) and cross-validated (leaving its source out), with statistics.
#include "api.hpp"
#include "calibrate.hpp"

namespace whichgpu {

json validate_impl(const Catalog& cat) {
  std::vector<BenchPoint> pts = bench_points(cat);
  std::map<std::string, double> in_sample;
  json rows = json::array();
  for (const auto& p : pts) {
    const Benchmark& b = *p.bench;
    json row = {{"id", b.id}, {"metric", b.metric}, {"measured", b.measured}, {"group", b.group},
                {"request", b.request}, {"source", b.source}, {"url", p.source}, {"locator", b.locator},
                {"metric_definition", b.metric_definition}};
    if (!p.error.empty()) {
      row["error"] = p.error;
      rows.push_back(row);
      continue;
    }
    double pred = predict(cat, b, nullptr);
    in_sample[b.id] = speed_ratio(b, pred);
    row["predicted"] = pred;
    row["speed_error_rel"] = in_sample[b.id] - 1;
    row["calibration_group"] = p.group;
    row["family"] = p.family;
    row["engine"] = p.engine;
    rows.push_back(row);
  }
  std::map<std::string, double> cv = cross_validate(cat, group_points(pts));
  for (auto& row : rows)
    if (cv.count(row["id"])) row["cv_speed_error_rel"] = cv[row["id"].get<std::string>()] - 1;
  return json{{"benchmarks", rows},
              {"summary", {{"in_sample", summarize_errors(pts, in_sample)},
                           {"cross_validated", summarize_errors(pts, cv)},
                           {"definition",
                            "error = predicted speed / measured speed - 1 (speed = tokens/s, or 1 / time); "
                            "> 0 means whichgpu predicts faster than measured. Cross-validated: each source's "
                            "benchmarks predicted with factors fitted to the other sources only."}}}};
}

}  // namespace whichgpu
