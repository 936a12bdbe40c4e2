// Parsers of the catalog's entry kinds other than hardware (SCHEMA.md): strict
// keys, ranges with units, provenance of every figure.
#include "catalog_entries.hpp"

#include <algorithm>

namespace whichgpu::detail {

void check_id(Reader& r, const std::string& id, const std::string& file) {
  bool ok = !id.empty() && (std::isdigit(static_cast<unsigned char>(id[0])) || (id[0] >= 'a' && id[0] <= 'z'));
  for (char c : id)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  if (!ok) r.error("out_of_range", "id", "id \"" + id.substr(0, 60) + "\" must match ^[a-z0-9][a-z0-9._-]*$");
  // Built-in entries live in data/<kind>/<id>.json; user bundles hold many per file.
  if (file.rfind("data/", 0) == 0) {
    auto slash = file.find_last_of('/');
    std::string base = file.substr(slash == std::string::npos ? 0 : slash + 1);
    if (base.size() > 5 && base.substr(base.size() - 5) == ".json" && base != id + ".json")
      r.error("invalid_combination", "id", "id \"" + id + "\" does not match its file name " + base);
  }
}

std::vector<std::string> string_list(Reader& r, const std::string& key) {
  const json& a = r.array(key);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(as_string(a[i], r.path_of(key) + "/" + std::to_string(i), r.file()));
  return out;
}

std::string opt_text(Reader& r, const std::string& key) { return r.opt_str(key).value_or(""); }


Efficiency parse_efficiency(const json& j, const std::string& file) {
  Reader r(j, "", file, "an efficiency entry");
  Efficiency e;
  read_head(r, e, j, file);
  e.memory_efficiency = read_figure(r, "memory_efficiency", 0.01, 1.0, "fraction of peak bandwidth", &e.sources);
  Reader ce = r.object("compute_efficiency");
  for (const auto& dt : dtypes())
    if (ce.present(dt))
      e.compute_efficiency[dt] = read_figure(ce, dt, 0.01, 1.0, "fraction of dense peak", &e.sources);
  ce.finish();
  if (e.compute_efficiency.empty()) r.error("missing_field", "compute_efficiency", "at least one data type");
  e.kernel_latency_s = read_figure(r, "kernel_latency_s", 0, 0.01, "s", &e.sources);
  e.collective_latency_s = read_figure(r, "collective_latency_s", 0, 0.01, "s", &e.sources);
  e.notes = opt_text(r, "notes");
  r.ignore("name");
  r.finish();
  return e;
}

Precision parse_precision(const json& j, const std::string& file) {
  Reader r(j, "", file, "a precision entry");
  Precision p;
  read_head(r, p, j, file);
  p.name = r.str("name");
  p.format = r.one_of("format", {"float", "fp8", "int-weight-only", "int-w8a8", "nf4", "fp4", "gguf"});
  p.math_dtype = r.one_of("math_dtype", dtypes());
  if (r.has("native_dtype")) p.native_dtype = r.one_of("native_dtype", dtypes());
  if (r.has("fallback")) p.fallback = r.str("fallback");
  Reader wb = r.object("weight_bits");
  for (const std::string cls : {"linear", "embedding", "lm_head", "attn_q", "attn_k", "attn_v",
                                "attn_o", "mlp_gate", "mlp_up", "mlp_down", "experts", "router", "norm"}) {
    bool required = cls == "linear" || cls == "embedding" || cls == "lm_head";
    if (required || wb.present(cls))
      p.weight_bits[cls] = read_figure(wb, cls, 1, 32, "bits per weight", &p.sources);
    if (p.weight_bits.count(cls) && !p.weight_bits[cls].known())
      wb.error("out_of_range", cls, "bits per weight must be a number");
  }
  wb.finish();
  if (const json* mb = r.find("more_bits")) {
    Reader m(*mb, r.path_of("more_bits"), file, "a more_bits object");
    MoreBits b;
    b.classes = string_list(m, "classes");
    b.value = read_figure(m, "value", 1, 32, "bits per weight", &p.sources);
    b.rule = m.one_of("rule", {"llama.cpp use_more_bits"});
    m.finish();
    p.more_bits = b;
  }
  p.kv_bits = read_figure(r, "kv_bits", 1, 32, "bits per KV element", &p.sources);
  p.quality_note = r.str("quality_note");
  if (r.has("quality_source")) p.quality_source = r.str("quality_source");
  p.notes = opt_text(r, "notes");
  r.finish();
  return p;
}

Engine parse_engine(const json& j, const std::string& file) {
  Reader r(j, "", file, "an engine entry");
  Engine e;
  read_head(r, e, j, file);
  e.name = r.str("name");
  e.version = r.str("version");
  e.runs_on = string_list(r, "runs_on");
  e.vendors = string_list(r, "vendors");
  e.precisions = string_list(r, "precisions");
  Reader m = r.object("memory");
  e.memory.policy = m.one_of("policy", {"fraction_of_total", "fraction_of_free_after_weights",
                                        "static_fraction", "none"});
  e.memory.fraction = read_figure(m, "fraction", 0.05, 1.0, "fraction of memory", &e.sources);
  if (e.memory.policy != "none" && !e.memory.fraction.known())
    m.error("missing_field", "fraction", "policy " + e.memory.policy + " needs a fraction");
  e.memory.kv_block_tokens = static_cast<int>(m.integer("kv_block_tokens", 1, 4096, "tokens"));
  e.memory.runtime_reserve_MiB = read_figure(m, "runtime_reserve_MiB", 0, 65536, "MiB", &e.sources);
  e.memory.comm_buffer_MiB = read_figure(m, "comm_buffer_MiB", 0, 65536, "MiB", &e.sources);
  e.memory.activation_model = m.one_of("activation_model", {"batched_tokens", "none"});
  m.finish();
  Reader s = r.object("scheduler");
  e.scheduler.max_num_seqs = static_cast<int>(s.integer("max_num_seqs", 1, 1'000'000, "sequences"));
  // null: the engine prefills a whole prompt in one forward pass, with no token budget.
  s.present("max_num_batched_tokens");
  e.scheduler.max_num_batched_tokens = static_cast<int>(
      s.opt_integer("max_num_batched_tokens", 1, 100'000'000, "tokens").value_or(0));
  e.scheduler.chunked_prefill = s.boolean("chunked_prefill");
  if (const json* l = s.find("large_device")) {
    Reader L(*l, s.path_of("large_device"), file, "a large_device object");
    e.scheduler.has_large = true;
    e.scheduler.large_min_memory_GiB = L.number("min_memory_GiB", 0, 4096, "GiB");
    if (L.present("exclude_architectures"))
      e.scheduler.large_exclude_architectures = string_list(L, "exclude_architectures");
    e.scheduler.large_max_num_seqs = static_cast<int>(L.integer("max_num_seqs", 1, 1'000'000, "sequences"));
    e.scheduler.large_max_num_batched_tokens =
        static_cast<int>(L.integer("max_num_batched_tokens", 1, 100'000'000, "tokens"));
    L.finish();
  }
  s.finish();
  e.step_overhead_s = read_figure(r, "step_overhead_s", 0, 1.0, "s", &e.sources);
  e.notes = opt_text(r, "notes");
  r.finish();
  return e;
}

Disk parse_disk(const json& j, const std::string& file) {
  Reader r(j, "", file, "a disk entry");
  Disk d;
  read_head(r, d, j, file);
  d.name = r.str("name");
  d.read_bandwidth_GBps = read_figure(r, "read_bandwidth_GBps", 0.01, 1000, "GB/s", &d.sources);
  if (!d.read_bandwidth_GBps.known()) r.error("out_of_range", "read_bandwidth_GBps", "needs a number");
  d.notes = opt_text(r, "notes");
  r.finish();
  return d;
}

PriceList parse_prices(const json& j, const std::string& file) {
  Reader r(j, "", file, "a price entry");
  PriceList p;
  read_head(r, p, j, file);
  p.unit = r.one_of("unit", {"device-hour", "socket-hour"});
  const json& pts = r.array("points");
  for (std::size_t i = 0; i < pts.size(); ++i) {
    Reader q(pts[i], r.path_of("points") + "/" + std::to_string(i), file, "a price point");
    PricePoint pp;
    pp.profile = q.one_of("profile", {"on-demand-hyperscaler", "on-demand-tier2", "reserved-1y", "spot"});
    pp.usd_per_hour = read_figure(q, "usd_per_hour", 0.001, 1000, "USD per hour", &p.sources);
    pp.date = q.str("date");
    pp.offer = q.str("offer");
    q.finish();
    p.points.push_back(pp);
  }
  p.notes = opt_text(r, "notes");
  r.finish();
  return p;
}

namespace {
PublishedCount parse_count(Reader& r, const std::string& key, const std::vector<Source>& src) {
  Reader c = r.object(key);
  PublishedCount pc;
  pc.text = c.str("text");
  c.ignore("text");
  json fig = c.raw();
  fig.erase("text");
  c.ignore_all({"value", "provenance", "source", "formula", "note", "supported"});
  c.finish();
  pc.figure = read_figure_value(fig, c.path(), c.file(), 1e6, 1e14, "parameters", &src, false);
  return pc;
}

}  // namespace

ModelEntry parse_model(const json& j, const std::string& file) {
  Reader r(j, "", file, "a model entry");
  ModelEntry m;
  read_head(r, m, j, file);
  m.name = r.str("name");
  m.hf_repo = r.str("hf_repo");
  m.hf_config = r.get("hf_config");
  m.arch = import_hf_config(m.hf_config, "/hf_config", file);
  Reader np = r.object("native_precision");
  for (const std::string cls : {"default", "linear", "experts", "embedding", "lm_head"})
    if (np.has(cls)) m.native_precision[cls] = np.str(cls);
  np.finish();
  if (!m.native_precision.count("default")) np.error("missing_field", "default", "native_precision needs default");
  Reader pp = r.object("published_params");
  m.published_total = parse_count(pp, "total", m.sources);
  if (pp.has("active")) m.published_active = parse_count(pp, "active", m.sources);
  pp.finish();
  m.param_convention = r.str("param_convention");
  m.param_count_exception = r.boolean("param_count_exception");
  m.notes = opt_text(r, "notes");
  r.finish();
  return m;
}

Benchmark parse_benchmark(const json& j, const std::string& file) {
  Reader r(j, "", file, "a benchmark entry");
  Benchmark b;
  read_head(r, b, j, file);
  b.source = r.str("source");
  b.locator = r.str("locator");
  b.engine_version = r.str("engine_version");
  b.request = r.get("request");
  if (!b.request.is_object()) r.error("wrong_type", "request", "expected an evaluate request object");
  b.metric = r.one_of("metric", {"decode.tpot_s", "decode.tokens_per_s_per_user", "prefill.ttft_s",
                                 "prefill.tokens_per_s", "throughput.output_tokens_per_s",
                                 "throughput.output_tokens_per_s_per_device",
                                 "throughput.total_tokens_per_s", "latency.e2e_s"});
  b.measured = r.number("measured", 1e-9, 1e12, "metric units");
  b.metric_definition = r.str("metric_definition");
  b.group = r.one_of("group", {"decode", "batched", "prefill"});
  b.notes = opt_text(r, "notes");
  r.ignore("name");
  r.finish();
  bool found = std::any_of(b.sources.begin(), b.sources.end(), [&](const Source& s) { return s.id == b.source; });
  if (!found) r.error("unknown_id", "source", "source \"" + b.source + "\" is not in sources");
  return b;
}

Calibration parse_calibration(const json& j, const std::string& file) {
  Reader r(j, "", file, "a calibration entry");
  Calibration c;
  read_head(r, c, j, file);
  c.engine = r.str("engine");
  c.efficiency_family = r.str("efficiency_family");
  // Physical bounds: a factor never lifts an efficiency above 1 (applied with a cap)
  // and overheads are not negative.
  c.memory_factor = read_figure(r, "memory_factor", 0.05, 2.0, "factor on memory efficiency", &c.sources);
  c.compute_factor = read_figure(r, "compute_factor", 0.05, 2.0, "factor on compute efficiency", &c.sources);
  c.step_overhead_s = read_figure(r, "step_overhead_s", 0, 1.0, "s", &c.sources);
  c.request_overhead_s = read_figure(r, "request_overhead_s", 0, 1.0, "s", &c.sources);
  c.n_points = static_cast<int>(r.integer("n_points", 0, 100000, "benchmarks"));
  c.n_sources = static_cast<int>(r.integer("n_sources", 0, 100000, "sources"));
  c.error_band = r.get("error_band");
  if (!c.error_band.is_object()) r.error("wrong_type", "error_band", "expected an object");
  c.notes = opt_text(r, "notes");
  r.finish();
  return c;
}

}  // namespace whichgpu::detail
