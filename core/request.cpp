// Request validation: every field's type, range and path; catalog ids with
// suggestions; combinations that cannot run, named at the field that causes them.
#include <algorithm>
#include <cmath>

#include "scenario.hpp"

namespace whichgpu {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

const std::vector<std::string> kPrecisionClasses = {"linear", "experts", "embedding", "lm_head"};

// Figure value, or a fallback with a warning when the catalog holds null.
double figure_or(const Figure& f, double fallback, const std::string& what, Scenario& sc) {
  if (f.known()) return f.v();
  sc.warn(what + " is not published (null in the catalog); " + format_number(fallback) + " assumed");
  return fallback;
}

void resolve_precision(Scenario& sc, const Catalog& cat, const std::optional<std::string>& requested,
                       const ModelEntry* entry, const std::string& path) {
  std::string want = requested.value_or("");
  if (want.empty())
    want = entry ? entry->native_precision.at("default") : "bf16";
  const Precision* p = &cat.precision(want, path);
  const Hardware& hw = sc.hw;
  if (!p->native_dtype.empty() && !hw.runs_dtype(p->native_dtype)) {
    if (!p->fallback.empty()) {
      const Precision* fb = &cat.precision(p->fallback, path);
      sc.fallback_from = p->id;
      sc.warn(hw.name + " has no " + p->native_dtype + " math, so " + p->id + " runs as " + fb->id +
              " (as engines do: weights stay " + (fb->id == "fp16" ? "16-bit" : "low-bit") +
              ", math in 16-bit)");
      p = fb;
      if (!p->native_dtype.empty() && !hw.runs_dtype(p->native_dtype))
        throw Error("invalid_combination", hw.name + " runs neither " + sc.fallback_from + " nor " + p->id, path);
    } else if (p->format == "fp4") {
      sc.warn(hw.name + " has no FP4 math: " + p->id + " keeps 4-bit weights and computes in 16-bit");
    } else {
      throw Error("invalid_combination",
                  hw.name + " cannot run " + p->id + " (needs " + p->native_dtype + " support)", path);
    }
  }
  sc.weights_main = p;
  sc.weights["default"] = p;
  // A model whose checkpoint mixes formats (gpt-oss MXFP4 experts) keeps them
  // when the request names no precision.
  if (!requested && entry)
    for (const auto& [cls, pid] : entry->native_precision)
      if (cls != "default") sc.weights[cls] = &cat.precision(pid, "/model");
  // Math: the precision's own data type where the hardware has it, else 16-bit.
  std::string m = p->math_dtype;
  if (!hw.runs_dtype(m)) {
    for (const std::string alt : {"bf16", "fp16", "fp32"})
      if (hw.runs_dtype(alt)) {
        m = alt;
        break;
      }
  }
  sc.math_dtype = m;
}

void parse_engine_options(Scenario& sc, Reader& r, const Catalog& cat) {
  const Engine& e = *sc.engine;
  EngineParams& ep = sc.ep;
  const Hardware& hw = sc.hw;
  // Engine defaults for this hardware (vLLM: bigger budgets on >= 70 GiB non-A100 GPUs).
  ep.max_num_seqs = e.scheduler.max_num_seqs;
  ep.max_num_batched_tokens = e.scheduler.max_num_batched_tokens;
  if (e.scheduler.has_large && hw.memory_GiB.v() >= e.scheduler.large_min_memory_GiB &&
      std::find(e.scheduler.large_exclude_architectures.begin(),
                e.scheduler.large_exclude_architectures.end(),
                hw.architecture) == e.scheduler.large_exclude_architectures.end()) {
    ep.max_num_seqs = e.scheduler.large_max_num_seqs;
    ep.max_num_batched_tokens = e.scheduler.large_max_num_batched_tokens;
  }
  ep.chunked_prefill = e.scheduler.chunked_prefill;
  ep.kv_block_tokens = e.memory.kv_block_tokens;
  ep.memory_fraction = e.memory.fraction.known() ? e.memory.fraction.v() : 1.0;
  ep.runtime_reserve_bytes = figure_or(e.memory.runtime_reserve_MiB, 0, e.id + " runtime reserve", sc) * kMiB;
  ep.comm_buffer_bytes =
      sc.par.tensor > 1 ? figure_or(e.memory.comm_buffer_MiB, 0, e.id + " communication buffers", sc) * kMiB : 0;

  // Efficiencies: the hardware family's published figures; CPUs use their own.
  const Efficiency& f = sc.eff;
  const bool custom = f.id.empty();
  if (custom) {
    sc.warn("hardware \"" + hw.id + "\" names no efficiency_family: peak bandwidth and FLOPS are assumed (optimistic)");
  }
  if (hw.cpu && hw.kind == "cpu") {
    ep.memory_efficiency = figure_or(hw.cpu->achievable_bandwidth_fraction, 1.0, hw.name + " achievable bandwidth fraction", sc);
  } else if (!custom) {
    ep.memory_efficiency = figure_or(f.memory_efficiency, 1.0, f.id + " memory efficiency", sc);
  }
  for (const auto& dt : dtypes()) {
    auto it = f.compute_efficiency.find(dt);
    if (it != f.compute_efficiency.end() && it->second.known()) ep.compute_efficiency[dt] = it->second.v();
  }
  // The device's own measured fractions, where published, replace the family's.
  for (const auto& [dt, fig] : hw.compute_efficiency)
    if (fig.known()) ep.compute_efficiency[dt] = fig.v();
  if (hw.cpu && hw.cpu->achievable_compute_fraction.known() && ep.compute_efficiency.empty())
    for (const auto& dt : dtypes()) ep.compute_efficiency[dt] = hw.cpu->achievable_compute_fraction.v();
  if (!custom) {
    if (!ep.compute_efficiency.count(sc.math_dtype))
      sc.warn("no published compute efficiency for " + sc.math_dtype + " on " + f.id +
              (ep.compute_efficiency.empty() ? ": the dense peak is assumed (optimistic)"
                                             : ": the closest published data type's figure is used"));
    ep.kernel_latency_s = figure_or(f.kernel_latency_s, 0, f.id + " per-kernel latency", sc);
    ep.collective_latency_s = sc.par.tensor > 1 || sc.par.pipeline > 1
                                  ? figure_or(f.collective_latency_s, 0, f.id + " collective latency", sc)
                                  : (f.collective_latency_s.known() ? f.collective_latency_s.v() : 0);
  }

  // Calibration (`whichgpu calibrate`): factors fitted to published measurements of
  // this engine on this hardware family; engine_options can turn it off or override.
  const json* opts = r.find("engine_options");
  std::optional<Reader> o;
  if (opts) o.emplace(*opts, r.path_of("engine_options"), "", "engine_options");
  const bool use_cal = o ? o->opt_boolean("calibration").value_or(true) : true;
  const Calibration* cal = use_cal && !hw.efficiency_family.empty() ? cat.calibration(e.id, hw.efficiency_family) : nullptr;
  double mf = cal && cal->memory_factor.known() ? cal->memory_factor.v() : 1.0;
  double cf = cal && cal->compute_factor.known() ? cal->compute_factor.v() : 1.0;
  if (cal) sc.calibration = cal->id;
  if (e.step_overhead_s.known()) ep.step_overhead_s = e.step_overhead_s.v();
  else if (cal && cal->step_overhead_s.known()) ep.step_overhead_s = cal->step_overhead_s.v();
  else sc.warn(e.id + " step overhead is not published and not calibrated for this hardware; 0 assumed");
  if (cal && cal->request_overhead_s.known()) ep.request_overhead_s = cal->request_overhead_s.v();
  if (o) {
    if (auto v = o->opt_number("memory_factor", 0.05, 2.0, "factor")) mf = *v;
    if (auto v = o->opt_number("compute_factor", 0.05, 2.0, "factor")) cf = *v;
  }
  ep.scale(mf, cf);
  if (!o) return;
  Reader& opt = *o;
  if (auto v = opt.opt_number("gpu_memory_utilization", 0.05, 1.0, "fraction")) ep.memory_fraction = *v;
  if (auto v = opt.opt_integer("max_num_seqs", 1, 1'000'000, "sequences")) ep.max_num_seqs = static_cast<int>(*v);
  if (auto v = opt.opt_integer("max_num_batched_tokens", 1, 10'000'000, "tokens"))
    ep.max_num_batched_tokens = static_cast<int>(*v);
  if (auto v = opt.opt_integer("kv_block_tokens", 1, 4096, "tokens")) ep.kv_block_tokens = static_cast<int>(*v);
  if (auto v = opt.opt_number("memory_efficiency", 0.01, 1.0, "fraction of peak bandwidth")) ep.memory_efficiency = *v;
  if (const json* ce = opt.find("compute_efficiency")) {
    if (ce->is_number()) {
      double x = as_number(*ce, opt.path_of("compute_efficiency"), 0.01, 1.0, "fraction of dense peak");
      for (const auto& dt : dtypes()) ep.compute_efficiency[dt] = x;
    } else {
      Reader c(*ce, opt.path_of("compute_efficiency"), "", "a number or a map of data type to fraction");
      for (const auto& dt : dtypes())
        if (auto x = c.opt_number(dt, 0.01, 1.0, "fraction of dense peak")) ep.compute_efficiency[dt] = *x;
      c.finish();
    }
  }
  if (auto v = opt.opt_number("kernel_latency_s", 0, 0.1, "s")) ep.kernel_latency_s = *v;
  if (auto v = opt.opt_number("collective_latency_s", 0, 0.1, "s")) ep.collective_latency_s = *v;
  if (auto v = opt.opt_number("step_overhead_s", 0, 1.0, "s")) ep.step_overhead_s = *v;
  if (auto v = opt.opt_number("request_overhead_s", 0, 10.0, "s")) ep.request_overhead_s = *v;
  opt.finish();
}

}  // namespace

void EngineParams::scale(double memory_factor, double compute_factor) {
  memory_efficiency = std::min(1.0, memory_efficiency * memory_factor);
  for (auto& kv : compute_efficiency) kv.second = std::min(1.0, kv.second * compute_factor);
  if (compute_efficiency.empty() && compute_factor != 1.0)
    for (const auto& dt : dtypes()) compute_efficiency[dt] = std::min(1.0, compute_factor);
}

double EngineParams::compute_eff(const std::string& dtype) const {
  auto it = compute_efficiency.find(dtype);
  if (it != compute_efficiency.end()) return it->second;
  // Closest published data type: 16-bit figures stand in for each other, then any.
  for (const std::string alt : {"bf16", "fp16", "fp8", "tf32", "fp32"}) {
    it = compute_efficiency.find(alt);
    if (it != compute_efficiency.end()) return it->second;
  }
  return 1.0;
}

void Scenario::warn(const std::string& w) {
  if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(w);
}

double Scenario::weight_bits(const Tensor& t, std::int64_t layer) const {
  if (t.cls == "norm" || t.cls == "router") return 16.0;
  const Precision* p = weights.at("default");
  if (t.routed) {
    auto it = weights.find("experts");
    if (it != weights.end()) p = it->second;
  } else if (t.cls != "embedding" && t.cls != "lm_head") {
    auto it = weights.find("linear");
    if (it != weights.end()) p = it->second;
  }
  return p->bits(t.routed ? "experts" : t.cls, layer, arch.layers);
}

double Scenario::kv_bytes_per_element() const { return kv->kv_bits.v() / 8.0; }

double Scenario::device_total_bytes() const {
  if (hw.kind == "cpu") return hw.memory_GiB.v() * kGiB;
  if (hw.kind == "unified") {
    double frac = hw.gpu_wired_fraction && hw.gpu_wired_fraction->known() ? hw.gpu_wired_fraction->v() : 1.0;
    return hw.memory_GiB.v() * kGiB * frac;
  }
  if (hw.usable_memory_MiB.known()) {
    double reserve = hw.driver_reserved_MiB.known() ? hw.driver_reserved_MiB.v() : 0.0;
    return (hw.usable_memory_MiB.v() - reserve) * kMiB;
  }
  return hw.memory_GiB.v() * kGiB;
}

Hardware resolve_hardware(const json& v, const std::string& path, const Catalog& cat,
                          std::vector<std::string>& warnings) {
  if (v.is_string()) return cat.hardware(v.get<std::string>(), path);
  if (!v.is_object()) throw Error("wrong_type", "expected a hardware id or object, got " + type_name(v), path);
  auto id = v.find("id");
  if (id == v.end() || !id->is_string())
    throw Error("missing_field", "a hardware object needs \"id\" (a catalog id to override, or a new id)", path + "/id");
  const auto& all = cat.all_hardware();
  auto base = all.find(id->get<std::string>());
  if (base != all.end()) {
    // {"id": catalog id, overrides...}: merge the overrides onto the cited entry.
    json merged = base->second.raw;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!merged.contains(it.key()) && it.key() != "id")
        throw Error("unknown_key", "unknown hardware field \"" + it.key().substr(0, 60) + "\"",
                    path + "/" + pointer_token(it.key()));
      merged[it.key()] = *it;
    }
    for (auto it = v.begin(); it != v.end(); ++it)
      if (it.key() != "id") warnings.push_back("hardware field " + it.key() + " overridden by the request");
    Hardware h = Catalog::parse_hardware(merged, "", path, true);
    h.sources = base->second.sources;
    return h;
  }
  return Catalog::parse_hardware(v, "", path, true);
}

Scenario parse_request(const json& request, const Catalog& cat) {
  Reader r(request, "", "", "an evaluate request");
  Scenario sc;

  // Model: catalog id or a pasted config.json.
  const ModelEntry* entry = nullptr;  // the catalog's, not a copy
  const json& m = r.get("model");
  if (m.is_string()) {
    entry = &cat.model(m.get<std::string>(), "/model");
    sc.model_id = entry->id;
    sc.arch = entry->arch;
  } else if (m.is_object()) {
    Reader mr(m, "/model", "", "a model object {name, hf_config}");
    sc.model_id = mr.opt_str("name").value_or("custom model");
    sc.arch = import_hf_config(mr.get("hf_config"), "/model/hf_config");
    mr.finish();
  } else {
    throw Error("wrong_type", "expected a model id or {\"name\", \"hf_config\"}, got " + type_name(m), "/model");
  }

  // Hardware.
  sc.hw = resolve_hardware(r.get("hardware"), "/hardware", cat, sc.warnings);
  if (!sc.hw.runs_dtype("bf16") && !sc.hw.runs_dtype("fp16") && !sc.hw.runs_dtype("fp32"))
    throw Error("invalid_combination",
                sc.hw.name + ": no dense 16- or 32-bit peak is published, so timings would be a guess; give "
                             "{\"id\": \"" + sc.hw.id + "\", \"dense_peak_TFLOPS\": {...}} with the figures you trust",
                "/hardware");
  if (!sc.hw.efficiency_family.empty()) {
    const auto& effs = cat.all_efficiency();
    auto it = effs.find(sc.hw.efficiency_family);
    if (it == effs.end())
      unknown_id("efficiency family", sc.hw.efficiency_family, {}, "/hardware/efficiency_family");
    sc.eff = it->second;
  }

  // Layout.
  auto dev = r.opt_integer("devices", 1, 65536, "devices");
  Parallelism& P = sc.par;
  if (const json* pj = r.find("parallelism")) {
    Reader pr(*pj, "/parallelism", "", "a parallelism object");
    auto t = pr.opt_integer("tensor", 1, 1024, "devices");
    P.pipeline = static_cast<int>(pr.opt_integer("pipeline", 1, 1024, "stages").value_or(1));
    P.data = static_cast<int>(pr.opt_integer("data", 1, 65536, "replicas").value_or(1));
    pr.finish();
    P.tensor = static_cast<int>(t.value_or(dev ? std::max<std::int64_t>(1, *dev / (P.pipeline * P.data)) : 1));
    if (dev && *dev != P.devices())
      throw Error("invalid_combination",
                  "devices (" + std::to_string(*dev) + ") must equal tensor x pipeline x data (" +
                      std::to_string(P.tensor) + " x " + std::to_string(P.pipeline) + " x " +
                      std::to_string(P.data) + ")",
                  "/devices");
  } else {
    P.tensor = static_cast<int>(dev.value_or(1));
  }
  const Architecture& A = sc.arch;
  if (A.heads % P.tensor != 0)
    throw Error("invalid_combination",
                "tensor parallel " + std::to_string(P.tensor) + " does not divide the model's " +
                    std::to_string(A.heads) + " attention heads",
                r.has("parallelism") ? "/parallelism/tensor" : "/devices");
  if (!A.mla && A.kv_heads % P.tensor != 0 && P.tensor % A.kv_heads != 0)
    throw Error("invalid_combination",
                "tensor parallel " + std::to_string(P.tensor) + " neither divides nor is a multiple of the model's " +
                    std::to_string(A.kv_heads) + " KV heads",
                r.has("parallelism") ? "/parallelism/tensor" : "/devices");
  if (P.pipeline > A.layers)
    throw Error("invalid_combination", "more pipeline stages than layers (" + std::to_string(A.layers) + ")",
                "/parallelism/pipeline");
  if ((sc.hw.kind == "cpu" || sc.hw.kind == "unified") && P.tensor * P.pipeline > 1)
    throw Error("invalid_combination",
                "CPU and unified-memory hardware run one device per replica here (tensor = pipeline = 1)",
                "/parallelism");
  if (P.tensor > 1 && sc.hw.interconnect.topology == "none")
    sc.warn(sc.hw.name + " has no peer-to-peer link: tensor-parallel all-reduces go through host memory");

  // Workload.
  Reader w = r.object("workload");
  sc.wl.input_tokens = w.integer("input_tokens", 0, 10'000'000, "tokens");
  sc.wl.output_tokens = w.integer("output_tokens", 1, 10'000'000, "tokens");
  const json* conc = w.find("concurrency");
  auto rate = w.opt_number("request_rate_per_s", 1e-6, 1e7, "requests/s");
  if (conc && rate)
    w.error("invalid_combination", "request_rate_per_s", "give either concurrency or request_rate_per_s, not both");
  if (conc) {
    if (conc->is_string()) {
      if (conc->get<std::string>() != "max")
        w.error("out_of_range", "concurrency", "concurrency is a number of sequences or \"max\"");
      sc.wl.concurrency_max = true;
    } else {
      sc.wl.concurrency = as_integer(*conc, "/workload/concurrency", 1, 10'000'000, "sequences");
    }
  }
  sc.wl.request_rate_per_s = rate;
  w.finish();
  if (A.max_position > 0 && sc.wl.input_tokens + sc.wl.output_tokens > A.max_position)
    sc.warn("input + output tokens (" + std::to_string(sc.wl.input_tokens + sc.wl.output_tokens) +
            ") exceed the model's max_position_embeddings (" + std::to_string(A.max_position) + ")");

  // A known gap of the model (README, "How accurate is whichgpu"): serving runs of
  // MLA + fine-grained MoE models publish times to first token several times the
  // roofline's, in every engine measured.
  if (A.mla && A.experts > 0)
    sc.warn("time to first token: published serving runs of MLA + fine-grained MoE models (DeepSeek-V3/R1; "
            "5 runs, 2 sources, vLLM and SGLang) measured it 2.5-16x longer than this model predicts; "
            "see `whichgpu validate`");

  // Precision.
  std::optional<std::string> wreq, kvreq;
  if (const json* pj = r.find("precision")) {
    Reader pr(*pj, "/precision", "", "a precision object {weights, kv_cache}");
    wreq = pr.opt_str("weights");
    kvreq = pr.opt_str("kv_cache");
    pr.finish();
  }
  resolve_precision(sc, cat, wreq, entry, "/precision/weights");
  {
    std::string kvid = kvreq.value_or(sc.hw.runs_dtype("bf16") || sc.hw.kind == "cpu" ? "bf16" : "fp16");
    sc.kv = &cat.precision(kvid, "/precision/kv_cache");
    if (!sc.kv->kv_bits.known())
      throw Error("invalid_combination", kvid + " is not a KV-cache format", "/precision/kv_cache");
  }

  // Offload.
  if (const json* oj = r.find("offload")) {
    Reader o(*oj, "/offload", "", "an offload object");
    Offload off;
    off.mode = o.one_of("mode", {"layers", "stream"});
    if (const json* gl = o.find("gpu_layers")) {
      if (gl->is_string()) {
        if (gl->get<std::string>() != "auto") o.error("out_of_range", "gpu_layers", "gpu_layers is a number or \"auto\"");
      } else {
        off.gpu_layers = static_cast<int>(as_integer(*gl, "/offload/gpu_layers", 0, A.layers - 1, "layers"));
      }
    }
    if (off.mode == "stream" && o.present("gpu_layers") && off.gpu_layers >= 0)
      o.error("invalid_combination", "gpu_layers", "gpu_layers applies to mode \"layers\"; streaming keeps what fits");
    std::string host = o.str("host");
    off.host = cat.hardware(host, "/offload/host");
    if (off.host.kind != "cpu")
      o.error("invalid_combination", "host", "the offload host must be a CPU entry (kind cpu)");
    off.host_memory_GiB = o.opt_number("host_memory_GiB", 1, 65536, "GiB").value_or(off.host.memory_GiB.v());
    if (auto d = o.opt_str("disk")) off.disk = cat.disk(*d, "/offload/disk");
    if (o.has("kv_cache_on")) off.kv_cache_on = o.one_of("kv_cache_on", {"gpu", "cpu"});
    o.finish();
    if (sc.hw.kind == "cpu" || sc.hw.kind == "unified")
      throw Error("invalid_combination", "offload needs a GPU as the hardware; this hardware already runs from host memory", "/offload");
    if (P.devices() > 1)
      throw Error("invalid_combination", "offload is modelled for one GPU (devices = 1)", "/offload");
    sc.offload = off;
  }

  // Engine.
  std::string eid;
  if (auto e = r.opt_str("engine")) {
    eid = *e;
  } else {
    bool cpuish = sc.hw.kind == "cpu" || sc.hw.kind == "unified";
    bool gguf = sc.weights_main->is_gguf();
    bool layer_offload = sc.offload && sc.offload->mode == "layers";
    if (cpuish || gguf || layer_offload) eid = "llama.cpp";
    else if (sc.offload) eid = "accelerate";
    else eid = "vllm";
  }
  sc.engine = &cat.engine(eid, "/engine");
  if (!sc.engine->runs_hardware(sc.hw))
    throw Error("invalid_combination", sc.engine->name + " does not run on " + sc.hw.name, "/engine");
  if (!sc.engine->runs_precision(sc.weights_main->id))
    throw Error("invalid_combination",
                sc.engine->name + " does not run " + sc.weights_main->id + " weights" +
                    (sc.fallback_from.empty() ? "" : " (the fallback for " + sc.fallback_from + ")"),
                "/precision/weights");
  parse_engine_options(sc, r, cat);

  // SLO, demand, money.
  if (const json* sj = r.find("slo")) {
    Reader s(*sj, "/slo", "", "an slo object");
    sc.slo.ttft_s = s.opt_number("ttft_s", 1e-6, 1e6, "s");
    sc.slo.tpot_s = s.opt_number("tpot_s", 1e-6, 1e6, "s");
    sc.slo.e2e_s = s.opt_number("e2e_s", 1e-6, 1e7, "s");
    s.finish();
  }
  if (const json* dj = r.find("demand")) {
    Reader d(*dj, "/demand", "", "a demand object");
    Demand dm;
    dm.requests_per_s = d.opt_number("requests_per_s", 1e-9, 1e9, "requests/s");
    dm.output_tokens_per_day = d.opt_number("output_tokens_per_day", 1, 1e18, "tokens/day");
    d.finish();
    if (!dm.requests_per_s == !dm.output_tokens_per_day)
      throw Error("invalid_combination", "demand needs exactly one of requests_per_s, output_tokens_per_day", "/demand");
    sc.demand = dm;
  }
  sc.price_per_device_hour = r.opt_number("price_per_device_hour_usd", 0, 1e6, "USD per device-hour");
  if (auto pp = r.opt_str("price_profile"))
    sc.price_profile = r.one_of("price_profile", {"on-demand-hyperscaler", "on-demand-tier2", "reserved-1y", "spot"});
  sc.utilization = r.opt_number("utilization", 0.001, 1.0, "fraction of paid hours").value_or(1.0);
  r.finish();
  sc.prepare();
  return sc;
}

}  // namespace whichgpu
