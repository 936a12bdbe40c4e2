// Strict catalog loading: every entry of data/ (and of user files) checked for
// keys, types, ranges, units and provenance before anything computes with it.
#include "catalog.hpp"

#include <algorithm>
#include <mutex>

#include "catalog_entries.hpp"
#include "embedded_data.hpp"

namespace whichgpu {
using namespace detail;
namespace {

const std::vector<std::string> kDtypes = {"fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp4"};
const std::vector<std::string> kKinds = {"hardware", "efficiency", "models",     "precisions", "engines",
                                         "disks",    "prices",     "benchmarks", "calibration"};
template <class M>
std::vector<std::string> keys_of(const M& m) {
  std::vector<std::string> k;
  for (const auto& kv : m) k.push_back(kv.first);
  return k;
}

template <class M>
const typename M::mapped_type& lookup(const M& m, const std::string& what, const std::string& id,
                                      const std::string& path) {
  auto it = m.find(id);
  if (it == m.end()) unknown_id(what, id, keys_of(m), path);
  return it->second;
}

}  // namespace

const std::vector<std::string>& dtypes() { return kDtypes; }

[[noreturn]] void unknown_id(const std::string& what, const std::string& id,
                             const std::vector<std::string>& ids, const std::string& path) {
  std::string near = nearest(id, ids);
  std::string shown = id.size() > 60 ? id.substr(0, 60) + "..." : id;
  throw Error("unknown_id",
              "unknown " + what + " \"" + shown + "\"" +
                  (near.empty() ? "" : " (did you mean \"" + near + "\"?)") +
                  "; `whichgpu catalog` lists them",
              path);
}

bool Hardware::runs_dtype(const std::string& dtype) const {
  auto it = peak_TFLOPS.find(dtype);
  return it != peak_TFLOPS.end() && it->second.known();
}

double Precision::bits(const std::string& cls, std::int64_t layer, std::int64_t layers) const {
  if (more_bits && layer >= 0 &&
      std::find(more_bits->classes.begin(), more_bits->classes.end(), cls) != more_bits->classes.end()) {
    // llama.cpp use_more_bits(i, n): i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2 (integer division).
    std::int64_t n8 = layers / 8;
    bool more = layer < n8 || layer >= 7 * layers / 8 || (layer - n8) % 3 == 2;
    if (more) return more_bits->value.v();
  }
  auto it = weight_bits.find(cls);
  if (it != weight_bits.end()) return it->second.v();
  if (cls == "norm" || cls == "router") return 16.0;  // engines keep these in 16-bit
  return weight_bits.at("linear").v();
}

bool Engine::runs_precision(const std::string& p) const {
  return std::find(precisions.begin(), precisions.end(), p) != precisions.end();
}

bool Engine::runs_hardware(const Hardware& hw) const {
  // Custom hardware (a request's own object) is taken at its word about its kind.
  return std::find(runs_on.begin(), runs_on.end(), hw.kind) != runs_on.end() &&
         (hw.vendor == "custom" || std::find(vendors.begin(), vendors.end(), hw.vendor) != vendors.end());
}

Hardware Catalog::parse_hardware(const json& j, const std::string& file, const std::string& path,
                                 bool user) {
  Reader r(j, path, file, "a hardware entry");
  Hardware h;
  h.file = file;
  h.raw = j;
  h.id = r.str("id");
  check_id(r, h.id, user ? "" : file);
  h.name = user ? r.opt_str("name").value_or(h.id) : r.str("name");
  if (!user || r.has("sources")) h.sources = read_sources(r);
  const auto* src = &h.sources;
  h.vendor = user ? r.opt_str("vendor").value_or("custom") : r.one_of("vendor", {"nvidia", "amd", "intel", "google", "apple"});
  h.kind = r.one_of("kind", {"gpu", "accelerator", "cpu", "unified"});
  h.architecture = user ? r.opt_str("architecture").value_or("custom") : r.str("architecture");
  h.efficiency_family = user ? r.opt_str("efficiency_family").value_or("") : r.str("efficiency_family");
  h.release_year = static_cast<int>(user ? r.opt_integer("release_year", 2010, 2030, "").value_or(2026)
                                         : r.integer("release_year", 2010, 2030, ""));
  h.memory_GiB = read_figure(r, "memory_GiB", 0.001, 65536, "GiB", src, user);
  if (!h.memory_GiB.known()) r.error("out_of_range", "memory_GiB", "memory_GiB must be a number");
  auto optional_fig = [&](const std::string& key, double lo, double hi, const std::string& unit) {
    if (user && !r.present(key)) {
      Figure f;
      f.supported = true;
      return f;
    }
    return read_figure(r, key, lo, hi, unit, src, user);
  };
  h.usable_memory_MiB = optional_fig("usable_memory_MiB", 1, 67'108'864, "MiB");
  h.driver_reserved_MiB = optional_fig("driver_reserved_MiB", 0, 65536, "MiB");
  h.memory_bandwidth_GBps = read_figure(r, "memory_bandwidth_GBps", 0.1, 100000, "GB/s", src, user);
  if (!h.memory_bandwidth_GBps.known())
    r.error("out_of_range", "memory_bandwidth_GBps", "memory_bandwidth_GBps must be a number");
  h.tdp_W = optional_fig("tdp_W", 1, 5000, "W");
  Reader pk = r.object("dense_peak_TFLOPS");
  for (const auto& dt : kDtypes) {
    if (user && !pk.present(dt)) {
      Figure f;
      f.supported = false;
      h.peak_TFLOPS[dt] = f;
      continue;
    }
    h.peak_TFLOPS[dt] = read_figure(pk, dt, 0.001, 100000, dt == "int8" ? "TOPS" : "TFLOPS", src, user);
  }
  pk.finish();
  if (const json* ce = r.find("compute_efficiency")) {
    Reader c(*ce, r.path_of("compute_efficiency"), file, "a map of data type to fraction of dense peak");
    for (const auto& dt : kDtypes)
      if (c.present(dt)) h.compute_efficiency[dt] = read_figure(c, dt, 0.01, 1.0, "fraction of dense peak", src, user);
    c.finish();
  }
  auto maybe = [&](const std::string& dt) { return h.runs_dtype(dt) || h.peak_TFLOPS[dt].supported; };
  if (!maybe("bf16") && !maybe("fp16") && !maybe("fp32"))
    r.error("missing_field", "dense_peak_TFLOPS", "needs a peak (or an unknown one) for one of bf16, fp16, fp32");
  if (const json* ic = r.find("interconnect")) {
    Reader c(*ic, r.path_of("interconnect"), file, "an interconnect object");
    h.interconnect.kind = c.one_of("kind", {"nvlink", "infinity-fabric", "pcie", "ici", "ethernet", "none"});
    h.interconnect.topology = c.one_of("topology", {"switch", "pairs", "mesh", "pcie", "none"});
    h.interconnect.domain_size = static_cast<int>(c.integer("domain_size", 1, 100000, "devices"));
    h.interconnect.bandwidth_GBps = read_figure(c, "bandwidth_GBps", 0.01, 100000, "GB/s", src, user);
    if (c.present("per_peer_bandwidth_GBps"))
      h.interconnect.per_peer_bandwidth_GBps =
          read_figure(c, "per_peer_bandwidth_GBps", 0.01, 100000, "GB/s", src, user);
    c.finish();
  } else if (!user) {
    r.get("interconnect");
  } else {
    h.interconnect.kind = "none";
    h.interconnect.topology = "none";
  }
  if (const json* hl = r.find("host_link")) {
    Reader c(*hl, r.path_of("host_link"), file, "a host_link object");
    // null where the device has no PCIe host link of its own (TPU hosts, Apple silicon).
    c.present("pcie_gen");
    c.present("lanes");
    h.host_link.pcie_gen = static_cast<int>(c.opt_integer("pcie_gen", 1, 7, "").value_or(0));
    h.host_link.lanes = static_cast<int>(c.opt_integer("lanes", 1, 64, "lanes").value_or(0));
    h.host_link.bandwidth_GBps = read_figure(c, "bandwidth_GBps", 0.01, 10000, "GB/s", src, user);
    c.finish();
  } else if (!user) {
    r.get("host_link");
  }
  if (const json* cj = r.find("cpu")) {
    Reader c(*cj, r.path_of("cpu"), file, "a cpu object");
    CpuInfo ci;
    ci.sockets = static_cast<int>(c.integer("sockets", 1, 16, "sockets"));
    ci.cores = static_cast<int>(c.integer("cores", 1, 4096, "cores"));
    ci.memory_channels = static_cast<int>(c.integer("memory_channels", 1, 64, "channels"));
    ci.memory_MTps = c.number("memory_MTps", 100, 20000, "MT/s");
    ci.memory_type = c.str("memory_type");
    ci.achievable_bandwidth_fraction = read_figure(c, "achievable_bandwidth_fraction", 0.01, 1, "fraction", src, user);
    ci.achievable_compute_fraction = read_figure(c, "achievable_compute_fraction", 0.001, 1, "fraction", src, user);
    ci.max_memory_GiB = read_figure(c, "max_memory_GiB", 1, 65536, "GiB", src, user);
    c.finish();
    h.cpu = ci;
  }
  if (const json* uj = r.find("unified")) {
    Reader c(*uj, r.path_of("unified"), file, "a unified object");
    h.gpu_wired_fraction = read_figure(c, "gpu_wired_fraction", 0.05, 1, "fraction of RAM", src, user);
    c.finish();
  }
  if ((h.kind == "cpu" || h.kind == "unified") && !h.cpu && !user)
    r.error("missing_field", "cpu", "kind " + h.kind + " needs the cpu object");
  if (h.kind == "unified" && !h.gpu_wired_fraction && !user)
    r.error("missing_field", "unified", "kind unified needs the unified object");
  h.notes = opt_text(r, "notes");
  r.finish();
  return h;
}

void Catalog::load_entry(const std::string& kind, const std::string& file, const json& j) {
  auto put = [&](auto& map, auto&& entry) {
    std::string id = entry.id;
    map[id] = std::move(entry);
  };
  if (kind == "hardware") put(hardware_, parse_hardware(j, file, "", false));
  else if (kind == "efficiency") put(efficiency_, parse_efficiency(j, file));
  else if (kind == "models") put(models_, parse_model(j, file));
  else if (kind == "precisions") put(precisions_, parse_precision(j, file));
  else if (kind == "engines") put(engines_, parse_engine(j, file));
  else if (kind == "disks") put(disks_, parse_disk(j, file));
  else if (kind == "prices") put(prices_, parse_prices(j, file));
  else if (kind == "benchmarks") put(benchmarks_, parse_benchmark(j, file));
  else if (kind == "calibration") put(calibrations_, parse_calibration(j, file));
  else throw Error("catalog_invalid", "unknown catalog kind \"" + kind + "\"", "", file);
}

void Catalog::check_links() const {
  auto bad = [](const std::string& file, const std::string& path, const std::string& msg) {
    throw Error("catalog_invalid", msg, path, file);
  };
  for (const auto& [id, h] : hardware_)
    if (!efficiency_.count(h.efficiency_family))
      bad(h.file, "/efficiency_family", "efficiency family \"" + h.efficiency_family + "\" has no file in data/efficiency/");
  for (const auto& [id, e] : engines_)
    for (std::size_t i = 0; i < e.precisions.size(); ++i)
      if (!precisions_.count(e.precisions[i]))
        bad(e.file, "/precisions/" + std::to_string(i), "unknown precision \"" + e.precisions[i] + "\"");
  for (const auto& [id, p] : precisions_)
    if (!p.fallback.empty() && !precisions_.count(p.fallback))
      bad(p.file, "/fallback", "unknown fallback precision \"" + p.fallback + "\"");
  for (const auto& [id, m] : models_)
    for (const auto& [cls, pid] : m.native_precision)
      if (!precisions_.count(pid))
        bad(m.file, "/native_precision/" + cls, "unknown precision \"" + pid + "\"");
  for (const auto& [id, p] : prices_)
    if (!hardware_.count(id)) bad(p.file, "/id", "price list for unknown hardware \"" + id + "\"");
  for (const auto& [id, c] : calibrations_)
    if (c.engine == "*" && c.efficiency_family == "*") continue;  // the pooled entry
    else if (!engines_.count(c.engine)) bad(c.file, "/engine", "unknown engine \"" + c.engine + "\"");
    else if (c.efficiency_family != "*" && !efficiency_.count(c.efficiency_family))  // "*": engine-wide
      bad(c.file, "/efficiency_family", "unknown efficiency family \"" + c.efficiency_family + "\"");
}

const Catalog& Catalog::builtin() {
  static const Catalog* cat = [] {
    auto* c = new Catalog();
    for (const auto& f : detail::embedded_files()) {
      // data/<kind>/<id>.json
      auto first = f.path.find('/');
      auto second = f.path.find('/', first + 1);
      if (first == std::string::npos || second == std::string::npos) continue;
      std::string kind = f.path.substr(first + 1, second - first - 1);
      try {
        c->load_entry(kind, f.path, parse_json(f.content, 16u << 20, f.path));
      } catch (const Error& e) {
        throw Error("catalog_invalid", std::string("built-in catalog: ") + e.what(), e.path, f.path);
      }
    }
    c->check_links();
    return c;
  }();
  return *cat;
}

void Catalog::load_user_file(const std::string& file, const std::string& text) {
  try {
    json j = parse_json(text, 16u << 20, file);
    Reader r(j, "", file, "a catalog file {\"hardware\": [...], ...}");
    for (const auto& kind : kKinds) {
      const json* arr = r.find(kind);
      if (!arr) continue;
      if (!arr->is_array()) r.error("wrong_type", kind, "expected an array of entries");
      for (std::size_t i = 0; i < arr->size(); ++i) {
        try {
          load_entry(kind, file, (*arr)[i]);
        } catch (const Error& e) {
          throw Error(e.code, e.what(), "/" + kind + "/" + std::to_string(i) + e.path, file);
        }
      }
    }
    r.finish();
    check_links();
  } catch (const Error& e) {
    throw Error("catalog_invalid", std::string(e.what()), e.path, file);
  }
}

const Hardware& Catalog::hardware(const std::string& id, const std::string& path) const {
  return lookup(hardware_, "hardware", id, path);
}
const ModelEntry& Catalog::model(const std::string& id, const std::string& path) const {
  return lookup(models_, "model", id, path);
}
const Precision& Catalog::precision(const std::string& id, const std::string& path) const {
  return lookup(precisions_, "precision", id, path);
}
const Engine& Catalog::engine(const std::string& id, const std::string& path) const {
  return lookup(engines_, "engine", id, path);
}
const Disk& Catalog::disk(const std::string& id, const std::string& path) const {
  return lookup(disks_, "disk", id, path);
}
const Efficiency& Catalog::efficiency(const std::string& id) const {
  return lookup(efficiency_, "efficiency family", id, "/hardware/efficiency_family");
}
const Calibration* Catalog::calibration(const std::string& engine, const std::string& family) const {
  // The family's own entry, else the engine-wide one (family "*").
  const Calibration* any = nullptr;
  for (const auto& [id, c] : calibrations_) {
    if (c.engine != engine) continue;
    if (c.efficiency_family == family) return &c;
    if (c.efficiency_family == "*") any = &c;
  }
  return any;
}

const PriceList* Catalog::prices(const std::string& hardware_id) const {
  auto it = prices_.find(hardware_id);
  return it == prices_.end() ? nullptr : &it->second;
}

json Catalog::list(const std::string& kind) const {
  // Every listed entry has an id and a name (API.md); kinds whose files carry no
  // name get a descriptive one.
  auto entries = [this](const auto& map) {
    json a = json::array();
    for (const auto& kv : map) {
      json e = kv.second.raw;
      if (!e.contains("name")) {
        auto hw = hardware_.find(kv.first);
        e["name"] = hw != hardware_.end() ? hw->second.name + " prices" : kv.first;
      }
      a.push_back(std::move(e));
    }
    return a;
  };
  if (kind == "hardware") return entries(hardware_);
  if (kind == "models") {
    json a = json::array();
    for (const auto& [id, m] : models_) {
      json e = m.raw;
      e["derived_params"] = {{"total", m.arch.total_params()}, {"active", m.arch.active_params()}};
      a.push_back(e);
    }
    return a;
  }
  if (kind == "precisions") return entries(precisions_);
  if (kind == "engines") return entries(engines_);
  if (kind == "disks") return entries(disks_);
  if (kind == "prices") return entries(prices_);
  if (kind == "benchmarks") return entries(benchmarks_);
  if (kind == "efficiency") return entries(efficiency_);
  if (kind == "calibration") return entries(calibrations_);
  if (kind.empty()) {
    json all;
    for (const auto& k : kKinds) all[k] = list(k);
    return all;
  }
  unknown_id("catalog kind", kind, kKinds, "/kind");
}

}  // namespace whichgpu
