// evaluate: memory, timings, serving, cost and explanations for one request.
#include "evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace whichgpu {
namespace {

json memory_json(const DeviceMemory& d) {
  return json{{"weights_bytes", d.weights_bytes},     {"kv_cache_bytes", d.kv_cache_bytes},
              {"activation_bytes", d.activation_bytes}, {"reserved_bytes", d.reserved_bytes},
              {"required_bytes", d.required_bytes},   {"available_bytes", d.available_bytes},
              {"kv_cache_bytes_per_token", d.kv_cache_bytes_per_token}};
}

json rows_json(const std::vector<OpRow>& rows) {
  json a = json::array();
  for (const auto& r : rows)
    a.push_back(json{{"name", r.name},
                     {"phase", r.phase},
                     {"layer_kind", r.layer_kind},
                     {"count", r.count},
                     {"flops", r.flops},
                     {"bytes", r.bytes},
                     {"weight_bytes", r.weight_bytes},
                     {"kv_bytes", r.kv_bytes},
                     {"intensity", r.intensity()},
                     {"time_s", r.time_s},
                     {"bound", r.bound},
                     {"dtype", r.dtype}});
  return a;
}

json source_refs(const std::vector<Source>& sources, const std::string& prefix) {
  json a = json::array();
  for (const auto& s : sources) a.push_back(json{{"id", prefix + s.id}, {"title", s.title}, {"url", s.url}});
  return a;
}

// What binds an offloaded decode, and what would help (issue 7).
void offload_advice(Evaluation& ev) {
  Scenario& sc = ev.sc;
  const std::string bound = ev.decode.bound();
  double host_weights = 0, streamed = 0;
  int host_layers = 0;
  for (std::int64_t i = 0; i < sc.arch.layers; ++i) {
    bool on_cpu = !ev.placement.on_cpu.empty() && ev.placement.on_cpu[static_cast<std::size_t>(i)];
    bool stream = !ev.placement.streamed.empty() && ev.placement.streamed[static_cast<std::size_t>(i)];
    if (on_cpu) {
      host_weights += layer_weight_bytes(sc, i);
      ++host_layers;
    }
    if (stream) streamed += layer_weight_bytes(sc, i);
  }
  if (bound == "cpu-memory")
    sc.warn("decode is bound by host memory: " + std::to_string(host_layers) + " of " + std::to_string(sc.arch.layers) +
            " layers (" + fmt("%.1f", host_weights / 1e9) + " GB) are read from host RAM every token at " +
            fmt("%.0f", ev.placement.host_bytes_per_s / 1e9) +
            " GB/s; more VRAM (fewer offloaded layers), a lower-bit precision (e.g. q4_k_m) or a host with more "
            "memory bandwidth would help");
  else if (bound == "cpu-compute")
    sc.warn("decode is bound by the host CPU's arithmetic: a CPU with more cores or matrix units (AMX), or fewer "
            "offloaded layers, would help");
  else if (bound == "pcie")
    sc.warn("decode is bound by PCIe: " + fmt("%.1f", streamed / 1e9) + " GB of weights cross PCIe one way every forward pass at " +
            fmt("%.0f", ev.placement.pcie_bytes_per_s / 1e9) +
            " GB/s; larger batches amortize it, and more VRAM or a lower-bit precision shrinks it");
}

}  // namespace

std::optional<double> catalog_price(const Catalog& cat, const std::string& hardware_id,
                                    const std::string& profile, std::string* offer) {
  const PriceList* pl = cat.prices(hardware_id);
  if (!pl) return std::nullopt;
  const PricePoint* best = nullptr;
  for (const auto& p : pl->points)
    if (p.profile == profile && p.usd_per_hour.known() && (!best || p.date > best->date)) best = &p;
  if (!best) return std::nullopt;
  if (offer) *offer = best->offer + " (" + best->date + ")";
  return best->usd_per_hour.v();
}

Cost compute_cost(const Scenario& sc, const Catalog& cat, double output_tps, double input_tps) {
  Cost c;
  std::string offer;
  std::optional<double> price = sc.price_per_device_hour;
  if (price) {
    c.price_source = "request";
  } else {
    price = catalog_price(cat, sc.hw.id, sc.price_profile, &offer);
    if (price) c.price_source = "catalog " + sc.price_profile + ": " + offer;
  }
  if (!price) return c;
  c.priced = true;
  c.price_per_device_hour = *price;
  c.usd_per_hour = *price * sc.par.devices();
  if (sc.offload && !sc.price_per_device_hour) {
    std::string host_offer;
    if (auto hp = catalog_price(cat, sc.offload->host.id, sc.price_profile, &host_offer)) {
      c.usd_per_hour += *hp;
      c.price_source += "; host " + host_offer;
    }
  }
  const double u = sc.utilization;
  auto per_million = [&](double tps) { return tps > 0 ? c.usd_per_hour / (tps * 3600.0 * u) * 1e6 : 0.0; };
  c.usd_per_million_output_tokens = per_million(output_tps);
  c.usd_per_million_input_tokens = per_million(input_tps);
  c.usd_per_million_tokens = per_million(output_tps + input_tps);
  c.usd_per_month = c.usd_per_hour * 730.0;
  return c;
}

Evaluation evaluate_scenario(Scenario sc_in, const Catalog& cat, const EvalOptions& opt) {
  Evaluation ev;
  ev.sc = std::move(sc_in);
  Scenario& sc = ev.sc;
  const Parallelism& P = sc.par;
  std::int64_t requested = sc.wl.concurrency_max ? 1 : sc.wl.concurrency;

  auto plan_memory = [&](std::int64_t c) {
    if (sc.offload) {
      ev.plan = plan_offload(sc, c);
      ev.placement = ev.plan->placement;
      ev.mem = compute_memory(sc, c, ev.plan->on_device);
    } else {
      ev.mem = compute_memory(sc, c);
    }
  };
  // The engine's cap comes from memory at one sequence; memory is then reported
  // at the sequences that actually run (clients beyond the cap queue).
  plan_memory(1);
  ev.cap = std::max<std::int64_t>(1, std::min<std::int64_t>(sc.ep.max_num_seqs, ev.mem.steady_running_per_replica));
  if (sc.offload && sc.engine->id == "llama.cpp") ev.cap = std::min<std::int64_t>(ev.cap, std::max<std::int64_t>(1, requested));

  ev.prefill = time_prefill(sc, ev.placement);
  ServingModel sm{sc, ev.placement, ev.prefill, ev.cap};

  if (sc.wl.concurrency_max) {
    ev.concurrency = static_cast<double>(ev.cap * P.data);
    ev.point = sm.at(ev.concurrency);
  } else if (sc.wl.request_rate_per_s) {
    ev.point = sm.at_rate(*sc.wl.request_rate_per_s, &ev.saturated);
    ev.concurrency = ev.point.concurrency;
    if (ev.saturated)
      sc.warn("the request rate exceeds what this deployment serves (" + fmt("%.3g", ev.point.requests_per_s) +
              " requests/s at its maximum concurrency): queues grow without bound; figures shown are at saturation");
  } else {
    ev.concurrency = static_cast<double>(requested);
    ev.point = sm.at(ev.concurrency);
    if (ev.point.queued)
      sc.warn("concurrency " + std::to_string(requested) + " exceeds the " + std::to_string(ev.cap * P.data) +
              " sequences the engine runs at once (memory or max_num_seqs): the rest queue, which TTFT includes");
  }
  const std::int64_t running = std::min<std::int64_t>(
      static_cast<std::int64_t>(std::ceil(ev.concurrency - 1e-9)), ev.cap * P.data);
  if (running > 1) plan_memory(running);
  ev.decode = time_decode(sc, std::max(1.0, std::min<double>(ev.point.running_per_replica, ev.concurrency / P.data)), ev.placement);

  if (ev.plan) offload_advice(ev);
  ev.fits = ev.mem.fits && (!ev.plan || ev.plan->host_fits);
  ev.reason = !ev.mem.fits ? ev.mem.reason : (ev.plan && !ev.plan->host_fits ? ev.plan->reason : "");
  if (!ev.fits) sc.warn("does not fit: " + ev.reason + " (timings are shown for comparison)");

  if (opt.curve) {
    const std::int64_t top = ev.cap * P.data;
    for (std::int64_t c = 1;; c *= 2) {
      std::int64_t cc = std::min(c, top);
      ev.curve.push_back(sm.at(static_cast<double>(cc)));
      if (cc >= top) break;
    }
  }
  if (sc.slo.any()) {
    ev.slo_met = sm.meets(ev.point) && ev.fits;
    if (opt.slo_search) ev.max_within_slo = ev.fits ? sm.max_within_slo(ev.cap * P.data) : 0;
  }
  ev.cost = compute_cost(sc, cat, ev.point.output_tokens_per_s, ev.point.input_tokens_per_s);
  if (!ev.cost.priced)
    sc.warn("no price for " + sc.hw.id + " in profile " + sc.price_profile +
            ": give price_per_device_hour_usd for $ figures");
  return ev;
}

json evaluation_to_json(const Evaluation& ev, const Catalog& cat) {
  const Scenario& sc = ev.sc;
  const Parallelism& P = sc.par;
  const ServingPoint& pt = ev.point;
  const double devices = P.devices();
  json r;
  r["model"] = sc.model_id;
  r["engine"] = {{"id", sc.engine->id}, {"version", sc.engine->version}};
  r["devices"] = P.devices();
  r["parallelism"] = {{"tensor", P.tensor}, {"pipeline", P.pipeline}, {"data", P.data}};
  r["precision"] = {{"weights", sc.weights_main->id}, {"kv_cache", sc.kv->id}, {"math", sc.math_dtype}};
  if (!sc.fallback_from.empty()) r["precision"]["fallback_from"] = sc.fallback_from;

  const MemoryResult& m = ev.mem;
  r["memory"] = {{"per_device", memory_json(m.per_device)},
                 {"total", memory_json(m.total)},
                 {"kv_cache_bytes_per_token", m.kv_cache_bytes_per_token},
                 {"device_total_bytes", m.device_total_bytes},
                 {"fits", ev.fits},
                 {"max_concurrency", m.max_concurrency},
                 {"steady_running_per_replica", m.steady_running_per_replica},
                 {"kv_capacity_tokens", m.kv_capacity_tokens},
                 {"stage_layers", m.stage_layers}};
  if (!ev.fits) r["memory"]["reason"] = ev.reason;

  const double prompt = static_cast<double>(std::max<std::int64_t>(sc.wl.input_tokens, 1));
  r["prefill"] = {{"ttft_s", pt.ttft_s},
                  {"isolated_s", ev.prefill.total_s + sc.ep.request_overhead_s},
                  {"tokens_per_s", prompt / ev.prefill.total_s},
                  {"bound", ev.prefill.bound()}};
  r["decode"] = {{"tpot_s", pt.tpot_s},
                 {"tokens_per_s_per_user", 1.0 / pt.tpot_s},
                 {"step_s", ev.decode.total_s},
                 {"bound", ev.decode.bound()}};
  r["latency"] = {{"e2e_s", pt.e2e_s}};
  r["throughput"] = {{"output_tokens_per_s", pt.output_tokens_per_s},
                     {"input_tokens_per_s", pt.input_tokens_per_s},
                     {"total_tokens_per_s", pt.output_tokens_per_s + pt.input_tokens_per_s},
                     {"output_tokens_per_s_per_device", pt.output_tokens_per_s / devices},
                     {"input_tokens_per_s_per_device", pt.input_tokens_per_s / devices},
                     {"requests_per_s", pt.requests_per_s}};
  r["workload"] = {{"input_tokens", sc.wl.input_tokens},
                   {"output_tokens", sc.wl.output_tokens},
                   {"concurrency", sc.wl.request_rate_per_s ? json(ev.concurrency)
                                                            : json(static_cast<std::int64_t>(ev.concurrency))},
                   {"running_per_replica", pt.running_per_replica},
                   {"max_running_per_replica", ev.cap},
                   {"saturated", ev.saturated}};
  if (sc.wl.request_rate_per_s) r["workload"]["request_rate_per_s"] = *sc.wl.request_rate_per_s;

  json curve = json::array();
  for (const auto& c : ev.curve)
    curve.push_back(json{{"concurrency", c.concurrency},
                         {"tokens_per_s_per_user", 1.0 / c.tpot_s},
                         {"output_tokens_per_s_per_device", c.output_tokens_per_s / devices},
                         {"ttft_s", c.ttft_s},
                         {"tpot_s", c.tpot_s}});
  r["curve"] = curve;

  const Cost& c = ev.cost;
  if (c.priced) {
    r["cost"] = {{"price_per_device_hour_usd", c.price_per_device_hour},
                 {"price_source", c.price_source},
                 {"usd_per_hour", c.usd_per_hour},
                 {"usd_per_million_output_tokens", c.usd_per_million_output_tokens},
                 {"usd_per_million_input_tokens", c.usd_per_million_input_tokens},
                 {"usd_per_million_tokens", c.usd_per_million_tokens},
                 {"usd_per_month", c.usd_per_month},
                 {"utilization", sc.utilization}};
  } else {
    r["cost"] = {{"price_per_device_hour_usd", nullptr}, {"usd_per_hour", nullptr},
                 {"usd_per_million_output_tokens", nullptr}, {"usd_per_million_input_tokens", nullptr},
                 {"usd_per_million_tokens", nullptr}, {"usd_per_month", nullptr},
                 {"utilization", sc.utilization}};
  }
  if (sc.demand) {
    double req_s = sc.demand->requests_per_s
                       ? *sc.demand->requests_per_s
                       : *sc.demand->output_tokens_per_day / 86400.0 / static_cast<double>(sc.wl.output_tokens);
    double per_replica = pt.requests_per_s / P.data;
    double need = per_replica > 0 ? std::ceil(req_s / per_replica - 1e-9) : 0;
    if (!(need <= 1e12))
      throw Error("invalid_combination",
                  "demand of " + fmt("%.3g", req_s) + " requests/s needs more than 10^12 replicas of this deployment",
                  "/demand");
    std::int64_t replicas = std::max<std::int64_t>(static_cast<std::int64_t>(need), 1);
    std::int64_t devs = replicas * P.tensor * P.pipeline;
    json f = {{"requests_per_s", req_s}, {"replicas", replicas}, {"devices", devs}};
    if (c.priced) {
      f["usd_per_hour"] = c.usd_per_hour / devices * static_cast<double>(devs);
      f["usd_per_month"] = c.usd_per_hour / devices * static_cast<double>(devs) * 730.0;
    } else {
      f["usd_per_hour"] = nullptr;
      f["usd_per_month"] = nullptr;
    }
    r["fleet"] = f;
  }
  if (sc.slo.any()) {
    json t;
    if (sc.slo.ttft_s) t["ttft_s"] = *sc.slo.ttft_s;
    if (sc.slo.tpot_s) t["tpot_s"] = *sc.slo.tpot_s;
    if (sc.slo.e2e_s) t["e2e_s"] = *sc.slo.e2e_s;
    r["slo"] = {{"met", ev.slo_met}, {"targets", t}};
    r["slo"]["max_concurrency_within_slo"] = ev.max_within_slo ? json(*ev.max_within_slo) : json(nullptr);
  }

  json ops = rows_json(ev.prefill.rows);
  for (auto& row : rows_json(ev.decode.rows)) ops.push_back(row);
  r["ops"] = ops;

  // Hardware and its roofs.
  const Hardware& hw = sc.hw;
  json ridge = json::object();
  for (const auto& dt : dtypes()) {
    if (!hw.runs_dtype(dt)) continue;
    Roof roof = device_roof(sc, dt);
    double bw = hw.memory_bandwidth_GBps.v() * 1e9;
    ridge[dt] = {{"peak_flops_per_byte", hw.peak_TFLOPS.at(dt).v() * 1e12 / bw},
                 {"effective_flops_per_byte", roof.flops_per_s / roof.bytes_per_s},
                 {"peak_flops_per_s", hw.peak_TFLOPS.at(dt).v() * 1e12},
                 {"effective_flops_per_s", roof.flops_per_s}};
  }
  std::string link_how;
  double link = (P.tensor > 1 || P.pipeline > 1) ? tp_link_bytes_per_s(sc, &link_how) : 0;
  r["hardware"] = {{"id", hw.id},
                   {"name", hw.name},
                   {"kind", hw.kind},
                   {"memory_bandwidth_bytes_per_s", hw.memory_bandwidth_GBps.v() * 1e9},
                   {"effective_bandwidth_bytes_per_s", hw.memory_bandwidth_GBps.v() * 1e9 * sc.ep.memory_efficiency},
                   {"ridge_point", ridge}};
  if (link > 0) r["hardware"]["link"] = {{"bytes_per_s", link}, {"how", link_how}};
  r["efficiency"] = {{"memory_efficiency", sc.ep.memory_efficiency},
                     {"compute_efficiency", sc.ep.compute_eff(sc.math_dtype)},
                     {"kernel_latency_s", sc.ep.kernel_latency_s},
                     {"collective_latency_s", sc.ep.collective_latency_s},
                     {"step_overhead_s", sc.ep.step_overhead_s},
                     {"request_overhead_s", sc.ep.request_overhead_s},
                     {"max_num_seqs", sc.ep.max_num_seqs},
                     {"max_num_batched_tokens", sc.ep.max_num_batched_tokens},
                     {"kv_block_tokens", sc.ep.kv_block_tokens},
                     {"family", sc.eff.id},
                     {"calibration", sc.calibration.empty() ? json(nullptr) : json(sc.calibration)}};
  if (ev.plan) {
    r["placement"] = ev.plan->placement_json;
    r["offload"] = {{"mode", sc.offload->mode},
                    {"gpu_layers", ev.plan->gpu_layers},
                    {"host", sc.offload->host.id},
                    {"host_bytes", ev.plan->host_bytes},
                    {"host_capacity_bytes", ev.plan->host_capacity_bytes},
                    {"spilled_bytes", ev.plan->spilled_bytes},
                    {"kv_cache_on", sc.offload->kv_cache_on}};
  }

  // How each headline figure is computed, with the numbers substituted.
  json src = source_refs(hw.sources, "hardware:" + hw.id + "#");
  for (auto& s : source_refs(sc.eff.sources, "efficiency:" + sc.eff.id + "#")) src.push_back(s);
  for (auto& s : source_refs(sc.engine->sources, "engine:" + sc.engine->id + "#")) src.push_back(s);
  auto mit = cat.all_models().find(sc.model_id);
  if (mit != cat.all_models().end())
    for (auto& s : source_refs(mit->second.sources, "model:" + sc.model_id + "#")) src.push_back(s);
  const double bw_eff = hw.memory_bandwidth_GBps.v() * sc.ep.memory_efficiency;
  json ex;
  ex["memory.per_device.required_bytes"] = {
      {"formula", "weights + KV cache (block-rounded, per sequence x sequences per replica) + activation workspace + runtime reserve"},
      {"values", fmt("%.4g", m.per_device.weights_bytes) + " + " + fmt("%.4g", m.per_device.kv_cache_bytes) + " + " +
                     fmt("%.4g", m.per_device.activation_bytes) + " + " + fmt("%.4g", m.per_device.reserved_bytes) +
                     " = " + fmt("%.4g", m.per_device.required_bytes) + " B; available " +
                     fmt("%.4g", m.per_device.available_bytes) + " B (" + sc.engine->memory.policy + ")"}};
  ex["decode.tpot_s"] = {
      {"formula", "per decode step: sum over operators of max(FLOPs / (peak x compute efficiency), bytes / (bandwidth x memory efficiency)) + kernels x per-kernel latency, + all-reduces + engine step overhead; under load, prefill chunks of other requests share the steps"},
      {"values", "step of " + fmt("%.0f", std::max(1.0, pt.running_per_replica)) + " sequence(s): " +
                     fmt("%.4g", ev.decode.total_s) + " s; effective bandwidth " + fmt("%.0f", bw_eff) +
                     " GB/s (" + fmt("%.0f", hw.memory_bandwidth_GBps.v()) + " x " +
                     fmt("%.3f", sc.ep.memory_efficiency) + "); TPOT " + fmt("%.4g", pt.tpot_s) + " s"}};
  ex["prefill.ttft_s"] = {
      {"formula", "isolated: the prompt's chunks (max_num_batched_tokens each) on the roofline; under load: + waiting for a step and for prefill budget, with decodes sharing each chunk's step"},
      {"values", "isolated " + fmt("%.4g", ev.prefill.total_s) + " s for " + fmt("%.0f", prompt) +
                     " tokens; TTFT " + fmt("%.4g", pt.ttft_s) + " s"}};
  ex["throughput.output_tokens_per_s"] = {
      {"formula", "concurrency x output_tokens / e2e_s"},
      {"values", fmt("%.4g", ev.concurrency) + " x " + std::to_string(sc.wl.output_tokens) + " / " +
                     fmt("%.4g", pt.e2e_s) + " = " + fmt("%.4g", pt.output_tokens_per_s)}};
  if (c.priced)
    ex["cost.usd_per_million_output_tokens"] = {
        {"formula", "usd_per_hour / (output_tokens_per_s x 3600 x utilization) x 10^6"},
        {"values", fmt("%.4g", c.usd_per_hour) + " / (" + fmt("%.4g", pt.output_tokens_per_s) + " x 3600 x " +
                       fmt("%.3g", sc.utilization) + ") x 10^6 = " + fmt("%.4g", c.usd_per_million_output_tokens)},
        {"price", c.price_source}};
  ex["sources"] = src;
  r["explain"] = ex;

  // Error bands: how far predictions of this kind landed from published
  // measurements (leave-one-source-out), for this engine and family if there
  // is a group with enough data, else pooled over every benchmark.
  {
    const auto& cals = cat.all_calibrations();
    const Calibration* own = nullptr;
    if (!sc.calibration.empty() && cals.count(sc.calibration)) own = &cals.at(sc.calibration);
    else if (const Calibration* c = cat.calibration(sc.engine->id, sc.hw.efficiency_family)) own = c;
    const Calibration* pooled = cals.count("all") ? &cals.at("all") : nullptr;
    auto band = [&](const std::string& metric_group) -> json {
      for (const Calibration* c : {own, pooled}) {
        if (!c || !c->error_band.contains(metric_group)) continue;
        const json& b = c->error_band[metric_group];
        if (b.value("status", "") != "ok") continue;
        json out = b;
        out["group"] = (c == pooled ? std::string("all") : c->id) + "/" + metric_group;
        return out;
      }
      return nullptr;
    };
    const bool batched = ev.concurrency > 1;
    json eb = json::object();
    for (const auto& [field, metric_group] :
         {std::pair<std::string, std::string>{"decode.tpot_s", batched ? "batched" : "decode"},
          {"prefill.ttft_s", "prefill"},
          {"throughput.output_tokens_per_s", batched ? "batched" : "decode"},
          {"latency.e2e_s", batched ? "batched" : "decode"}}) {
      json b = band(metric_group);
      if (!b.is_null()) eb[field] = b;
    }
    if (!eb.empty()) r["error_band"] = eb;
  }
  r["warnings"] = sc.warnings;
  return r;
}

}  // namespace whichgpu
