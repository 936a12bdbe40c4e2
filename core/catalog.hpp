// The catalog: hardware, efficiency families, models, precisions, engines, disks,
// prices and benchmarks, loaded strictly from data/ (embedded) plus user files.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "figure.hpp"
#include "model.hpp"

namespace whichgpu {

// Data types of dense_peak_TFLOPS, in a fixed order.
const std::vector<std::string>& dtypes();

struct Interconnect {
  std::string kind, topology;  // topology: switch | pairs | mesh | pcie | none
  int domain_size = 1;
  Figure bandwidth_GBps, per_peer_bandwidth_GBps;
};

struct HostLink {
  int pcie_gen = 0, lanes = 0;
  Figure bandwidth_GBps;
};

struct CpuInfo {
  int sockets = 1, cores = 1, memory_channels = 1;
  double memory_MTps = 0;
  std::string memory_type;
  Figure achievable_bandwidth_fraction, achievable_compute_fraction, max_memory_GiB;
};

struct Hardware {
  std::string id, name, vendor, kind, architecture, efficiency_family;
  int release_year = 0;
  Figure memory_GiB, usable_memory_MiB, driver_reserved_MiB, memory_bandwidth_GBps, tdp_W;
  std::map<std::string, Figure> peak_TFLOPS;  // dense; int8 in TOPS
  // Measured fractions of this device's own dense peak, overriding its efficiency
  // family's (a family can span a 72 W L4 and a 450 W RTX 4090).
  std::map<std::string, Figure> compute_efficiency;
  Interconnect interconnect;
  HostLink host_link;
  std::optional<CpuInfo> cpu;
  std::optional<Figure> gpu_wired_fraction;  // unified memory
  std::vector<Source> sources;
  std::string notes, file;
  json raw;

  bool runs_dtype(const std::string& dtype) const;  // has the math natively
  bool is_cpu() const { return kind == "cpu"; }
  bool is_unified() const { return kind == "unified"; }
};

struct Efficiency {
  std::string id;
  Figure memory_efficiency, kernel_latency_s, collective_latency_s;
  std::map<std::string, Figure> compute_efficiency;
  std::vector<Source> sources;
  std::string notes, file;
  json raw;
};

struct MoreBits {
  std::vector<std::string> classes;
  Figure value;
  std::string rule;
};

struct Precision {
  std::string id, name, format, math_dtype;
  std::string native_dtype;  // empty = runs anywhere
  std::string fallback;      // empty = none
  std::map<std::string, Figure> weight_bits;  // linear, embedding, lm_head, + overrides
  std::optional<MoreBits> more_bits;
  Figure kv_bits;
  std::string quality_note, quality_source;
  std::vector<Source> sources;
  std::string notes, file;
  json raw;

  // Bits per weight of a tensor class in decoder layer `layer` of `layers`.
  double bits(const std::string& cls, std::int64_t layer, std::int64_t layers) const;
  bool is_gguf() const { return format == "gguf"; }
};

struct EngineMemory {
  std::string policy;  // fraction_of_total | fraction_of_free_after_weights | static_fraction | none
  Figure fraction, runtime_reserve_MiB, comm_buffer_MiB;
  int kv_block_tokens = 16;
  std::string activation_model;  // batched_tokens | none
};

struct Scheduler {
  int max_num_seqs = 256, max_num_batched_tokens = 2048;
  bool chunked_prefill = true;
  bool has_large = false;
  double large_min_memory_GiB = 0;
  std::vector<std::string> large_exclude_architectures;
  int large_max_num_seqs = 0, large_max_num_batched_tokens = 0;
};

struct Engine {
  std::string id, name, version;
  std::vector<std::string> runs_on, vendors, precisions;
  EngineMemory memory;
  Scheduler scheduler;
  Figure step_overhead_s;
  std::vector<Source> sources;
  std::string notes, file;
  json raw;

  bool runs_precision(const std::string& p) const;
  bool runs_hardware(const Hardware& hw) const;
};

struct Disk {
  std::string id, name, file;
  Figure read_bandwidth_GBps;
  std::vector<Source> sources;
  std::string notes;
  json raw;
};

struct PricePoint {
  std::string profile, date, offer;
  Figure usd_per_hour;
};

struct PriceList {
  std::string id, unit, file;
  std::vector<PricePoint> points;
  std::vector<Source> sources;
  std::string notes;
  json raw;
};

struct PublishedCount {
  std::string text;
  Figure figure;
};

struct ModelEntry {
  std::string id, name, hf_repo, param_convention, file;
  json hf_config;
  Architecture arch;
  std::map<std::string, std::string> native_precision;  // class -> precision id ("default")
  std::optional<PublishedCount> published_total, published_active;
  bool param_count_exception = false;
  std::vector<Source> sources;
  std::string notes;
  json raw;
};

// Factors fitted to data/benchmarks for one engine on one hardware family
// (`whichgpu calibrate`), with the cross-validated error of that group.
struct Calibration {
  std::string id, engine, efficiency_family, file;
  Figure memory_factor, compute_factor, step_overhead_s, request_overhead_s;
  int n_points = 0, n_sources = 0;
  json error_band;  // {"decode"|"batched"|"prefill": {median_abs_rel, within_25_share, bias_rel, n}}
  std::vector<Source> sources;
  std::string notes;
  json raw;
};

struct Benchmark {
  std::string id, source, locator, engine_version, metric, metric_definition, group, file;
  json request;
  double measured = 0;
  std::vector<Source> sources;
  std::string notes;
  json raw;
};

class Catalog {
 public:
  // The catalog embedded in this binary, parsed once.
  static const Catalog& builtin();
  // Adds (or replaces, by id) the entries of a user catalog file:
  // {"hardware": [...], "models": [...], ...}. Throws catalog_invalid naming the file.
  void load_user_file(const std::string& file, const std::string& text);
  // Loads one entry of `kind` (folder name) from its JSON text.
  void load_entry(const std::string& kind, const std::string& file, const json& j);
  // Cross-references: efficiency families, precisions named by engines, benchmark ids.
  void check_links() const;

  const Hardware& hardware(const std::string& id, const std::string& path) const;
  const ModelEntry& model(const std::string& id, const std::string& path) const;
  const Precision& precision(const std::string& id, const std::string& path) const;
  const Engine& engine(const std::string& id, const std::string& path) const;
  const Disk& disk(const std::string& id, const std::string& path) const;
  const Efficiency& efficiency(const std::string& id) const;
  const PriceList* prices(const std::string& hardware_id) const;

  const std::map<std::string, Hardware>& all_hardware() const { return hardware_; }
  const std::map<std::string, ModelEntry>& all_models() const { return models_; }
  const std::map<std::string, Precision>& all_precisions() const { return precisions_; }
  const std::map<std::string, Engine>& all_engines() const { return engines_; }
  const std::map<std::string, Disk>& all_disks() const { return disks_; }
  const std::map<std::string, PriceList>& all_prices() const { return prices_; }
  const std::map<std::string, Efficiency>& all_efficiency() const { return efficiency_; }
  const std::map<std::string, Benchmark>& all_benchmarks() const { return benchmarks_; }
  const std::map<std::string, Calibration>& all_calibrations() const { return calibrations_; }
  // The fitted group for an engine on a hardware family, or nullptr.
  const Calibration* calibration(const std::string& engine, const std::string& family) const;

  // `whichgpu catalog <kind>`: [{id, name, ...}] for one kind, or every kind.
  json list(const std::string& kind) const;

  static Hardware parse_hardware(const json& j, const std::string& file, const std::string& path,
                                 bool user);

 private:
  std::map<std::string, Hardware> hardware_;
  std::map<std::string, Efficiency> efficiency_;
  std::map<std::string, ModelEntry> models_;
  std::map<std::string, Precision> precisions_;
  std::map<std::string, Engine> engines_;
  std::map<std::string, Disk> disks_;
  std::map<std::string, PriceList> prices_;
  std::map<std::string, Benchmark> benchmarks_;
  std::map<std::string, Calibration> calibrations_;
};

// Throws unknown_id with the nearest id as a suggestion.
[[noreturn]] void unknown_id(const std::string& what, const std::string& id,
                             const std::vector<std::string>& ids, const std::string& path);

}  // namespace whichgpu
