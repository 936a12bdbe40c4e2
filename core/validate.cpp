// validate: every benchmark in data/benchmarks/ predicted and compared with its
// measurement; error statistics overall and per group, family and engine.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "api.hpp"
#include "evaluate.hpp"

namespace whichgpu {
namespace {

double metric_value(const json& result, const std::string& metric) {
  const json* node = &result;
  std::size_t start = 0;
  while (start <= metric.size()) {
    std::size_t dot = metric.find('.', start);
    std::string part = metric.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(part))
      throw Error("internal", "result has no field " + metric);
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!node->is_number()) throw Error("internal", "result field " + metric + " is not a number");
  return node->get<double>();
}

// tpot_s, ttft_s, e2e_s are times; tokens_per_s, ..._per_s are rates.
bool is_time_metric(const std::string& m) {
  auto ends = [&](const std::string& suf) { return m.size() >= suf.size() && m.compare(m.size() - suf.size(), suf.size(), suf) == 0; };
  return ends("_s") && !ends("_per_s");
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Point {
  std::string id, group, family, engine, source;
  double err = 0;  // speed error: predicted speed / measured speed - 1 (> 0: predicts faster)
};

json summarize(const std::vector<const Point*>& pts) {
  std::vector<double> abs_e, e;
  std::set<std::string> sources;
  for (const Point* p : pts) {
    abs_e.push_back(std::fabs(p->err));
    e.push_back(p->err);
    sources.insert(p->source);
  }
  std::size_t within = std::count_if(abs_e.begin(), abs_e.end(), [](double x) { return x <= 0.25; });
  json j = {{"n", pts.size()}, {"sources", sources.size()}};
  if (pts.size() < 5 || sources.size() < 2) {
    j["status"] = "insufficient data";
  } else {
    j["status"] = "ok";
  }
  if (!pts.empty()) {
    j["median_abs_rel"] = median(abs_e);
    j["within_25_share"] = static_cast<double>(within) / static_cast<double>(pts.size());
    j["bias_rel"] = median(e);
  }
  return j;
}

}  // namespace

json validate_impl(const Catalog& cat) {
  std::vector<Point> points;
  json rows = json::array();
  for (const auto& [id, b] : cat.all_benchmarks()) {
    json row = {{"id", id}, {"metric", b.metric}, {"measured", b.measured}, {"group", b.group},
                {"request", b.request}, {"source", b.source}, {"locator", b.locator}};
    for (const auto& s : b.sources)
      if (s.id == b.source) row["url"] = s.url;
    try {
      json res = evaluate(b.request, cat);
      double pred = metric_value(res, b.metric);
      double speed_ratio = is_time_metric(b.metric) ? b.measured / pred : pred / b.measured;
      Point p;
      p.id = id;
      p.group = b.group;
      p.source = b.source + "@" + (row.contains("url") ? row["url"].get<std::string>() : b.source);
      p.err = speed_ratio - 1.0;
      std::string hw = res["hardware"]["id"].get<std::string>();
      p.family = cat.all_hardware().count(hw) ? cat.all_hardware().at(hw).efficiency_family : "custom";
      p.engine = res["engine"]["id"].get<std::string>();
      row["predicted"] = pred;
      row["error_rel"] = (pred - b.measured) / b.measured;
      row["speed_error_rel"] = p.err;
      row["family"] = p.family;
      row["engine"] = p.engine;
      points.push_back(p);
    } catch (const Error& e) {
      row["error"] = {{"code", e.code}, {"message", e.what()}, {"path", e.path}};
    }
    rows.push_back(row);
  }
  std::vector<const Point*> all;
  std::map<std::string, std::vector<const Point*>> by_group, by_family, by_engine;
  for (const auto& p : points) {
    all.push_back(&p);
    by_group[p.group].push_back(&p);
    by_family[p.family].push_back(&p);
    by_engine[p.engine].push_back(&p);
  }
  json summary = {{"overall", summarize(all)}};
  for (auto* m : {&by_group, &by_family, &by_engine}) {
    std::string name = m == &by_group ? "group" : (m == &by_family ? "family" : "engine");
    json g = json::object();
    for (const auto& [k, v] : *m) g[k] = summarize(v);
    summary["by_" + name] = g;
  }
  summary["definition"] =
      "error = predicted speed / measured speed - 1 (speed = tokens/s, or 1 / time); > 0 means whichgpu predicts faster than measured";
  return json{{"benchmarks", rows}, {"summary", summary}};
}

}  // namespace whichgpu
