// decide: enumerate candidates -> evaluate -> keep infeasible ones with a reason
// -> rank with a deterministic key -> recommend, citing the computed figures.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "evaluate.hpp"

namespace whichgpu {
namespace {

struct Candidate {
  std::string hardware;
  int devices = 1;
  std::string precision, engine;
  bool offload = false;
};

struct Option {
  Candidate c;
  json request;
  bool feasible = false;
  std::string code, text;
  std::optional<Evaluation> ev;
  double rank_value = 0;
  bool priced = false;
  std::string key;  // deterministic tie-break
};

std::vector<std::string> strings_at(Reader& r, const std::string& key) {
  std::vector<std::string> out;
  const json* a = r.find(key);
  if (!a) return out;
  if (!a->is_array()) r.error("wrong_type", key, "expected an array of strings");
  for (std::size_t i = 0; i < a->size(); ++i) out.push_back(as_string((*a)[i], r.path_of(key) + "/" + std::to_string(i)));
  return out;
}

// Device counts worth trying for a class of hardware.
std::vector<int> default_devices(const Hardware& h) {
  if (h.kind == "cpu" || h.kind == "unified") return {1};
  std::vector<int> d{1, 2, 4, 8};
  if (h.interconnect.topology == "none" || h.interconnect.topology == "pcie" || h.interconnect.topology == "pairs")
    d = {1, 2, 4};
  return d;
}

// The seed articles' rules of thumb, checked against this request's computed
// options: where each applies, whether it holds, and the figures that say so.
json rules_of_thumb(const std::vector<Option>& options) {
  auto best_of = [&](const std::string& prefix) -> const Option* {
    // Options are ranked; the first feasible one of the family is its best.
    for (const auto& o : options)
      if (o.feasible && !o.c.offload && o.priced && o.c.hardware.rfind(prefix, 0) == 0) return &o;
    return nullptr;
  };
  const Option* any = nullptr;
  for (const auto& o : options)
    if (o.ev) {
      any = &o;
      break;
    }
  json rules = json::array();
  if (!any) return rules;
  const Scenario& sc = any->ev->sc;
  const double params = static_cast<double>(sc.arch.total_params());
  const Option* a100 = best_of("nvidia-a100");
  const Option* h100 = best_of("nvidia-h100");
  auto cost = [](const Option* o) { return o->ev->cost.usd_per_million_output_tokens; };
  auto name = [](const Option* o) {
    return o->c.hardware + " x" + std::to_string(o->c.devices) + " (" + o->ev->sc.weights_main->id + ")";
  };
  auto rule = [&](const std::string& text, bool applies, json holds, const std::string& evidence) {
    rules.push_back({{"rule", text}, {"source", "shared/seeds (articles on A100 vs H100 vs CPU offloading)"},
                     {"applies", applies}, {"holds", holds}, {"evidence", evidence}});
  };
  const bool big = params > 30e9, small = params < 13e9;
  const bool tight_latency = (sc.slo.ttft_s && *sc.slo.ttft_s < 1.0) || (sc.slo.e2e_s && *sc.slo.e2e_s < 1.0);
  const bool many_users = sc.wl.concurrency > 20 || sc.wl.concurrency_max;
  if (a100 && h100) {
    const double ca = cost(a100), ch = cost(h100);
    const std::string both = name(h100) + " $" + fmt("%.3f", ch) + " vs " + name(a100) + " $" + fmt("%.3f", ca) +
                             " per million output tokens";
    rule("H100 for models over 30B, sub-second latency or more than 20 concurrent users", big || tight_latency || many_users,
         ch <= ca, both);
    rule("A100 for models under 13B and tight budgets", small, ca <= ch, both);
    rule("A well-utilized A100 can match H100 per token", true, ca <= 1.1 * ch,
         both + " (holds within 10%)");
  } else {
    rule("H100 vs A100 rules", false, nullptr, "needs feasible, priced A100 and H100 options among the candidates");
  }
  const Option* off = nullptr;
  for (const auto& o : options)
    if (o.c.offload && o.ev) {
      off = &o;
      break;
    }
  if (off) {
    const bool slo = sc.slo.any();
    bool any_feasible = false;
    for (const auto& o : options) any_feasible = any_feasible || (o.c.offload && o.feasible);
    rule("CPU offloading only for batch jobs (no latency target)", true,
         slo ? json(!any_feasible) : json(off->ev->point.tpot_s > 0.1),
         "best offload option " + name(off) + ": " + fmt("%.3g", off->ev->point.tpot_s * 1e3) + " ms per token, TTFT " +
             fmt("%.3g", off->ev->point.ttft_s) + " s" + (off->feasible ? "" : " (" + off->text + ")"));
  }
  return rules;
}

}  // namespace

json decide_impl(const json& request, const Catalog& cat) {
  Reader r(request, "", "", "a decide request");
  // Fields passed through to every candidate's evaluate request.
  json base = json::object();
  base["model"] = r.get("model");
  base["workload"] = r.get("workload");
  for (const std::string k : {"slo", "engine_options", "price_profile", "price_per_device_hour_usd", "utilization", "demand"})
    if (r.present(k)) base[k] = r.get(k);
  std::optional<std::string> kv;
  if (const json* pj = r.find("precision")) {
    Reader p(*pj, "/precision", "", "a precision object");
    kv = p.opt_str("kv_cache");
    p.finish();
  }
  std::optional<double> budget_hour, budget_month;
  if (const json* bj = r.find("budget")) {
    Reader b(*bj, "/budget", "", "a budget object");
    budget_hour = b.opt_number("usd_per_hour", 0, 1e9, "USD per hour");
    budget_month = b.opt_number("usd_per_month", 0, 1e12, "USD per month");
    b.finish();
  }
  std::string rank_by = r.has("rank_by") ? r.one_of("rank_by", {"cost", "latency", "throughput"}) : "cost";

  std::vector<std::string> hw_ids, kinds{"gpu"}, precisions, engines;
  std::vector<int> devices;
  bool allow_offload = true;
  std::string offload_host = "amd-epyc-9654";
  std::optional<double> host_mem;
  if (const json* cj = r.find("candidates")) {
    Reader c(*cj, "/candidates", "", "a candidates object");
    hw_ids = strings_at(c, "hardware");
    if (c.present("kinds")) kinds = strings_at(c, "kinds");
    for (std::size_t i = 0; i < kinds.size(); ++i)
      if (kinds[i] != "gpu" && kinds[i] != "accelerator" && kinds[i] != "cpu" && kinds[i] != "unified")
        throw Error("out_of_range", "kind \"" + kinds[i].substr(0, 30) + "\" is not one of gpu, accelerator, cpu, unified",
                    "/candidates/kinds/" + std::to_string(i));
    precisions = strings_at(c, "precisions");
    engines = strings_at(c, "engines");
    if (const json* d = c.find("devices")) {
      if (!d->is_array()) c.error("wrong_type", "devices", "expected an array of device counts");
      for (std::size_t i = 0; i < d->size(); ++i)
        devices.push_back(static_cast<int>(as_integer((*d)[i], "/candidates/devices/" + std::to_string(i), 1, 1024, "devices")));
    }
    allow_offload = c.opt_boolean("allow_offload").value_or(true);
    if (auto h = c.opt_str("offload_host")) offload_host = *h;
    host_mem = c.opt_number("offload_host_memory_GiB", 1, 65536, "GiB");
    c.finish();
  }
  r.finish();
  for (std::size_t i = 0; i < precisions.size(); ++i) cat.precision(precisions[i], "/candidates/precisions/" + std::to_string(i));
  for (std::size_t i = 0; i < engines.size(); ++i) cat.engine(engines[i], "/candidates/engines/" + std::to_string(i));
  const Hardware& host = cat.hardware(offload_host, "/candidates/offload_host");
  if (host.kind != "cpu") throw Error("invalid_combination", "offload_host must be a CPU", "/candidates/offload_host");

  // Validate the shared part once, so a bad model or workload is an error, not N infeasible rows.
  {
    json probe = base;
    probe["hardware"] = hw_ids.empty() ? "nvidia-h100-sxm-80gb" : hw_ids.front();
    probe.erase("slo");
    if (!hw_ids.empty()) cat.hardware(hw_ids.front(), "/candidates/hardware/0");
    try {
      parse_request(probe, cat);
    } catch (const Error& e) {
      if (e.code != "invalid_combination") throw;
    }
  }
  for (std::size_t i = 0; i < hw_ids.size(); ++i) cat.hardware(hw_ids[i], "/candidates/hardware/" + std::to_string(i));
  if (hw_ids.empty())
    for (const auto& [id, h] : cat.all_hardware())
      if (std::find(kinds.begin(), kinds.end(), h.kind) != kinds.end()) hw_ids.push_back(id);

  // Enumerate.
  std::vector<Candidate> cands;
  for (const auto& id : hw_ids) {
    const Hardware& h = cat.hardware(id, "/candidates/hardware");
    bool cpuish = h.kind == "cpu" || h.kind == "unified";
    std::vector<std::string> precs = precisions;
    if (precs.empty()) precs = cpuish ? std::vector<std::string>{"q4_k_m", "q8_0", "bf16"}
                                      : std::vector<std::string>{"bf16", "fp8-w8a8", "awq-w4a16-g128"};
    std::vector<std::string> engs = engines;
    if (engs.empty()) engs = {cpuish ? "llama.cpp" : "vllm"};
    std::vector<int> devs = devices.empty() ? default_devices(h) : devices;
    for (int d : devs)
      for (const auto& p : precs)
        for (const auto& e : engs) {
          if (cpuish && d > 1) continue;
          cands.push_back(Candidate{id, d, p, e, false});
        }
    if (allow_offload && !cpuish) {
      std::vector<std::string> oprecs = precisions.empty() ? std::vector<std::string>{"bf16", "q4_k_m"} : precisions;
      for (const auto& p : oprecs) cands.push_back(Candidate{id, 1, p, "llama.cpp", true});
    }
  }

  // Evaluate.
  std::vector<Option> options;
  EvalOptions eo;
  eo.curve = false;
  for (const auto& c : cands) {
    Option o;
    o.c = c;
    json req = base;
    req["hardware"] = c.hardware;
    req["devices"] = c.devices;
    req["precision"] = {{"weights", c.precision}};
    if (kv) req["precision"]["kv_cache"] = *kv;
    req["engine"] = c.engine;
    if (c.offload) {
      req["offload"] = {{"mode", "layers"}, {"gpu_layers", "auto"}, {"host", host.id}};
      if (host_mem) req["offload"]["host_memory_GiB"] = *host_mem;
    }
    o.request = req;
    o.key = c.hardware + "|" + std::to_string(1000 + c.devices) + "|" + c.precision + "|" + c.engine + (c.offload ? "|offload" : "");
    try {
      Scenario sc = parse_request(req, cat);
      // An offload option only where the model does not fit the GPU alone.
      if (c.offload) {
        json plain = req;
        plain.erase("offload");
        plain["engine"] = "vllm";
        try {
          Scenario ps = parse_request(plain, cat);
          if (compute_memory(ps, 1).fits) continue;
        } catch (const Error&) {
        }
      }
      o.ev = evaluate_scenario(std::move(sc), cat, eo);
      const Evaluation& ev = *o.ev;
      const ServingPoint& pt = ev.point;
      const Slo& slo = ev.sc.slo;
      o.priced = ev.cost.priced;
      if (!ev.fits) {
        o.code = "does_not_fit";
        o.text = ev.reason;
      } else if (slo.ttft_s && pt.ttft_s > *slo.ttft_s) {
        o.code = "slo_missed";
        o.text = "misses TTFT by " + fmt("%.3g", pt.ttft_s - *slo.ttft_s) + " s (" + fmt("%.3g", pt.ttft_s) + " s > " + fmt("%.3g", *slo.ttft_s) + " s)";
      } else if (slo.tpot_s && pt.tpot_s > *slo.tpot_s) {
        o.code = "slo_missed";
        o.text = "misses TPOT by " + fmt("%.3g", (pt.tpot_s - *slo.tpot_s) * 1e3) + " ms (" + fmt("%.3g", pt.tpot_s * 1e3) + " ms > " + fmt("%.3g", *slo.tpot_s * 1e3) + " ms)";
      } else if (slo.e2e_s && pt.e2e_s > *slo.e2e_s) {
        o.code = "slo_missed";
        o.text = "misses end-to-end latency by " + fmt("%.3g", pt.e2e_s - *slo.e2e_s) + " s";
      } else if (o.priced && ((budget_hour && ev.cost.usd_per_hour > *budget_hour) ||
                              (budget_month && ev.cost.usd_per_month > *budget_month))) {
        o.code = "over_budget";
        o.text = "costs $" + fmt("%.2f", ev.cost.usd_per_hour) + "/h ($" + fmt("%.0f", ev.cost.usd_per_month) + "/month), over the budget";
      } else {
        o.feasible = true;
        if (!o.priced) {
          o.code = "unpriced";
          o.text = "no price for " + c.hardware + " in the catalog's " + ev.sc.price_profile + " profile: ranked after priced options";
        }
      }
      if (rank_by == "cost") o.rank_value = o.priced ? ev.cost.usd_per_million_output_tokens : 1e300;
      else if (rank_by == "latency") o.rank_value = pt.e2e_s;
      else o.rank_value = -pt.output_tokens_per_s;
    } catch (const Error& e) {
      const std::string& p = e.path;
      o.code = p.rfind("/precision", 0) == 0 ? "precision_unsupported"
               : p == "/engine"              ? "engine_unsupported"
               : p.rfind("/devices", 0) == 0 || p.rfind("/parallelism", 0) == 0 ? "parallelism_invalid"
                                                                                 : "engine_unsupported";
      o.text = e.what();
    }
    options.push_back(std::move(o));
  }

  // Rank: feasible first (priced before unpriced), by the key, ties by id.
  std::stable_sort(options.begin(), options.end(), [](const Option& a, const Option& b) {
    if (a.feasible != b.feasible) return a.feasible;
    if (a.rank_value != b.rank_value) return a.rank_value < b.rank_value;
    return a.key < b.key;
  });

  // Max concurrency within the SLO for the leaders (costly: a bisection each).
  auto option_json = [&](const Option& o) {
    json j;
    j["hardware"] = o.c.hardware;
    j["devices"] = o.c.devices;
    j["parallelism"] = {{"tensor", o.c.devices}, {"pipeline", 1}, {"data", 1}};
    j["engine"] = o.c.engine;
    j["offload"] = o.c.offload ? json{{"mode", "layers"}, {"host", host.id}} : json(nullptr);
    j["feasible"] = o.feasible;
    j["reason"] = o.code.empty() ? json(nullptr) : json{{"code", o.code}, {"text", o.text}};
    if (o.ev) {
      const Evaluation& ev = *o.ev;
      j["precision"] = ev.sc.weights_main->id;
      if (!ev.sc.fallback_from.empty()) j["precision_requested"] = ev.sc.fallback_from;
      j["ttft_s"] = ev.point.ttft_s;
      j["tpot_s"] = ev.point.tpot_s;
      j["e2e_s"] = ev.point.e2e_s;
      j["output_tokens_per_s"] = ev.point.output_tokens_per_s;
      j["max_concurrency"] = ev.mem.max_concurrency;
      j["max_concurrency_within_slo"] = ev.max_within_slo ? json(*ev.max_within_slo) : json(nullptr);
      j["usd_per_hour"] = ev.cost.priced ? json(ev.cost.usd_per_hour) : json(nullptr);
      j["usd_per_million_output_tokens"] = ev.cost.priced ? json(ev.cost.usd_per_million_output_tokens) : json(nullptr);
      j["warnings"] = ev.sc.warnings;
      if (o.c.offload && ev.plan) j["offload"]["gpu_layers"] = ev.plan->gpu_layers;
    } else {
      j["precision"] = o.c.precision;
    }
    j["request"] = o.request;
    return j;
  };

  json result;
  json opts = json::array();
  for (const auto& o : options) opts.push_back(option_json(o));
  result["options"] = opts;
  result["rank_by"] = rank_by;
  result["evaluated"] = options.size();
  result["rules_of_thumb"] = rules_of_thumb(options);
  const Option* best = options.empty() || !options[0].feasible ? nullptr : &options[0];
  const Option* second = options.size() > 1 && options[1].feasible ? &options[1] : nullptr;
  if (best) {
    json rec = option_json(*best);
    const Evaluation& ev = *best->ev;
    const double C = ev.concurrency;
    std::string what = best->c.hardware + " x" + std::to_string(best->c.devices) + " (" + ev.sc.weights_main->id + ", " +
                       best->c.engine + (best->c.offload ? ", layer offload" : "") + ")";
    std::string why = what + " ranks first by " + rank_by + ": ";
    if (best->priced) why += "$" + fmt("%.3f", ev.cost.usd_per_million_output_tokens) + " per million output tokens at $" + fmt("%.2f", ev.cost.usd_per_hour) + "/h; ";
    why += "at " + fmt("%.0f", C) + " concurrent users TTFT " + fmt("%.3g", ev.point.ttft_s) + " s, TPOT " +
           fmt("%.3g", ev.point.tpot_s * 1e3) + " ms, " + fmt("%.4g", ev.point.output_tokens_per_s) + " output tokens/s";
    const Slo& slo = ev.sc.slo;
    if (slo.ttft_s) why += " (TTFT target " + fmt("%.3g", *slo.ttft_s) + " s met)";
    if (slo.tpot_s) why += " (TPOT target " + fmt("%.3g", *slo.tpot_s * 1e3) + " ms met)";
    if (second && second->ev) {
      const Evaluation& e2 = *second->ev;
      why += ". Runner-up: " + second->c.hardware + " x" + std::to_string(second->c.devices) + " (" + e2.sc.weights_main->id + ")";
      if (second->priced && best->priced)
        why += " at $" + fmt("%.3f", e2.cost.usd_per_million_output_tokens) + " per million (" +
               fmt("%+.0f", (e2.cost.usd_per_million_output_tokens / ev.cost.usd_per_million_output_tokens - 1) * 100) + "%)";
      why += ", TPOT " + fmt("%.3g", e2.point.tpot_s * 1e3) + " ms";
    }
    std::size_t infeasible = std::count_if(options.begin(), options.end(), [](const Option& o) { return !o.feasible; });
    why += ". " + std::to_string(infeasible) + " of " + std::to_string(options.size()) + " options are infeasible (see reason).";
    rec["why"] = why;
    result["recommendation"] = rec;
    result["runner_up"] = second ? option_json(*second) : json(nullptr);
  } else {
    result["recommendation"] = nullptr;
    result["runner_up"] = nullptr;
    result["why"] = "no option is feasible: see each option's reason";
  }
  return result;
}

}  // namespace whichgpu
