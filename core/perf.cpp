// Step timing on the roofline: operators, collectives, pipeline hand-offs, offload
// links and the engine's per-step overhead; prefill and decode in isolation.
#include "perf.hpp"

#include <algorithm>
#include <cmath>

#include "memory.hpp"

namespace whichgpu {
namespace {

constexpr double kGB = 1e9;

// Share of one-way PCIe bandwidth transfers achieve: PCIe 4.0 x16 moves about 25
// of its 31.5 GB/s one way and 5.0 x16 about 55 of 63 (shared/DATA-TRAPS.md);
// 0.8 is the lower of the two.
constexpr double kPcieEfficiency = 0.8;

}  // namespace

double pcie_bytes_per_s(const HostLink& l) {
  if (l.bandwidth_GBps.known()) return l.bandwidth_GBps.v() * kGB * kPcieEfficiency;
  // One-way theoretical x16 rates per PCIe generation (PCI-SIG): 4, 8, 15.75, 31.5, 63, 121, 242 GB/s.
  static const double per_gen_x16[] = {0, 4.0, 8.0, 15.75, 31.5, 63.0, 121.0, 242.0};
  int gen = std::clamp(l.pcie_gen, 1, 7);
  double lanes = l.lanes > 0 ? l.lanes : 16;
  return per_gen_x16[gen] * lanes / 16.0 * kGB * kPcieEfficiency;
}

namespace {

void add_row(StepTime& st, OpRow row) {
  st.by_bound[row.bound] += row.time_s;
  st.rows.push_back(std::move(row));
}

}  // namespace

std::string StepTime::bound() const {
  std::string best = "memory";
  double t = -1;
  for (const auto& [label, s] : by_bound)
    if (s > t) {
      t = s;
      best = label;
    }
  return best;
}

Roof device_roof(const Scenario& sc, const std::string& dtype) {
  Roof r;
  const Hardware& hw = sc.hw;
  auto it = hw.peak_TFLOPS.find(dtype);
  double peak = (it != hw.peak_TFLOPS.end() && it->second.known()) ? it->second.v() : 0;
  if (peak <= 0)
    for (const std::string alt : {"bf16", "fp16", "fp32"})
      if (hw.runs_dtype(alt)) {
        peak = hw.peak_TFLOPS.at(alt).v();
        break;
      }
  r.flops_per_s = peak * 1e12 * sc.ep.compute_eff(dtype);
  r.bytes_per_s = hw.memory_bandwidth_GBps.v() * kGB * sc.ep.memory_efficiency;
  r.kernel_latency_s = sc.ep.kernel_latency_s;
  if (hw.kind == "cpu") {
    r.compute_label = "cpu-compute";
    r.memory_label = "cpu-memory";
  }
  return r;
}

double tp_link_bytes_per_s(const Scenario& sc, std::string* how) {
  const Interconnect& ic = sc.hw.interconnect;
  const int n = sc.par.tensor * sc.par.pipeline;
  auto pcie = [&](const std::string& why) {
    if (how) *how = why;
    return pcie_bytes_per_s(sc.hw.host_link);
  };
  if (ic.topology == "none")
    return pcie("no peer-to-peer: staged through host memory over PCIe") / 2;
  if (ic.topology == "pcie") return pcie("peer-to-peer over PCIe");
  if (n > ic.domain_size)
    return pcie("more devices (" + std::to_string(n) + ") than the " + ic.kind + " domain (" +
                std::to_string(ic.domain_size) + "): PCIe");
  if (ic.topology == "mesh" && ic.per_peer_bandwidth_GBps.known()) {
    double bw = ic.per_peer_bandwidth_GBps.v() * (sc.par.tensor - 1);
    if (ic.bandwidth_GBps.known()) bw = std::min(bw, ic.bandwidth_GBps.v());
    if (how) *how = ic.kind + " mesh: " + std::to_string(sc.par.tensor - 1) + " peers x per-peer bandwidth";
    return bw * kGB;
  }
  if (!ic.bandwidth_GBps.known()) return pcie(ic.kind + " bandwidth not published: PCIe assumed");
  if (how) *how = ic.kind + " " + ic.topology;
  return ic.bandwidth_GBps.v() * kGB;
}

StepTime time_step(const Scenario& sc, const std::vector<SeqGroup>& groups, const std::string& phase,
                   const Placement& pl) {
  const Architecture& A = sc.arch;
  const Parallelism& P = sc.par;
  StepTime st;
  double tokens = 0;
  for (const auto& g : groups) tokens += g.seqs * g.q_tokens;
  const double hop_bytes = tokens * static_cast<double>(A.hidden) * sc.act_bytes();
  const double link = P.tensor > 1 || P.pipeline > 1 ? tp_link_bytes_per_s(sc) : 0;
  const std::vector<std::int64_t> stages = split_layers(A.layers, P.pipeline);

  Roof cpu;
  cpu.flops_per_s = pl.host_flops_per_s;
  cpu.bytes_per_s = pl.host_bytes_per_s;
  cpu.compute_label = "cpu-compute";
  cpu.memory_label = "cpu-memory";
  auto on_cpu = [&](std::int64_t i) { return !pl.on_cpu.empty() && pl.on_cpu[static_cast<std::size_t>(i)]; };
  auto streamed = [&](std::int64_t i) { return !pl.streamed.empty() && pl.streamed[static_cast<std::size_t>(i)]; };
  const bool partial_cpu = std::any_of(pl.on_cpu.begin(), pl.on_cpu.end(), [](char c) { return c != 0; });

  std::int64_t first = 0;
  for (int s = 0; s < P.pipeline; ++s) {
    const std::int64_t last = first + stages[static_cast<std::size_t>(s)];
    double stage_time = 0;
    int transitions = 0;
    bool prev_cpu = partial_cpu;  // the embedding runs on the host when layers are offloaded
    // Contiguous runs of layers with one placement, then the head.
    std::int64_t a = first;
    while (a <= last) {
      bool head = a == last;
      std::int64_t b = a;
      bool cpu_seg = head ? partial_cpu : on_cpu(a);
      bool stream_seg = !head && streamed(a);
      if (!head)
        while (b < last && on_cpu(b) == cpu_seg && streamed(b) == stream_seg) ++b;
      if (head && s != P.pipeline - 1) break;
      if (cpu_seg != prev_cpu) ++transitions;
      prev_cpu = cpu_seg;
      std::vector<OpRow> rows =
          step_ops(sc, groups, a, b, s == 0 && a == first, head, phase);
      for (auto& r : rows) {
        if (r.name == "all_reduce") {
          // Ring all-reduce: 2(n-1)/n of the message over each device's link, plus latency.
          const double n = P.tensor;
          double t_link = 2.0 * (n - 1) / n * r.bytes / link;
          double t_lat = r.kernels * sc.ep.collective_latency_s;
          r.time_s = t_link + t_lat;
          r.bound = t_lat > t_link ? "latency" : "interconnect";
        } else if (cpu_seg || (pl.kv_on_host && r.name == "attention")) {
          apply_roof(r, cpu);
        } else {
          apply_roof(r, device_roof(sc, r.dtype));
          if (stream_seg && r.weight_bytes > 0) {
            // Weights cross PCIe one way every forward, overlapped with compute at best.
            double t_pcie = r.weight_bytes / pl.pcie_bytes_per_s;
            if (t_pcie > r.time_s) {
              r.time_s = t_pcie;
              r.bound = "pcie";
            }
          }
        }
        stage_time += r.time_s;
        add_row(st, r);
      }
      if (head) break;
      a = b;
    }
    if (transitions > 0 && pl.pcie_bytes_per_s > 0) {
      OpRow r;
      r.name = "pcie_activations";
      r.phase = phase;
      r.layer_kind = "global";
      r.count = transitions;
      r.bytes = transitions * hop_bytes;
      r.time_s = r.bytes / pl.pcie_bytes_per_s + transitions * sc.ep.kernel_latency_s;
      r.bound = "pcie";
      stage_time += r.time_s;
      add_row(st, r);
    }
    if (s < P.pipeline - 1) {
      OpRow r;
      r.name = "pipeline_send";
      r.phase = phase;
      r.layer_kind = "global";
      r.count = 1;
      r.bytes = hop_bytes;
      double t_link = hop_bytes / link, t_lat = sc.ep.collective_latency_s;
      r.time_s = t_link + t_lat;
      r.bound = t_lat > t_link ? "latency" : "interconnect";
      stage_time += r.time_s;
      add_row(st, r);
    }
    st.max_stage_s = std::max(st.max_stage_s, stage_time);
    st.total_s += stage_time;
    first = last;
  }
  if (pl.disk_bytes_per_step > 0 && pl.disk_bytes_per_s > 0) {
    OpRow r;
    r.name = "disk_read";
    r.phase = phase;
    r.layer_kind = "global";
    r.count = 1;
    r.bytes = pl.disk_bytes_per_step;
    r.weight_bytes = r.bytes;
    r.time_s = r.bytes / pl.disk_bytes_per_s;
    r.bound = "disk";
    st.total_s += r.time_s;
    st.max_stage_s += r.time_s;
    add_row(st, r);
  }
  if (sc.ep.step_overhead_s > 0) {
    OpRow r;
    r.name = "engine_step";
    r.phase = phase;
    r.layer_kind = "global";
    r.count = 1;
    r.time_s = sc.ep.step_overhead_s;
    r.bound = "latency";
    st.total_s += r.time_s;
    st.max_stage_s += r.time_s;
    add_row(st, r);
  }
  return st;
}

void merge_rows(std::vector<OpRow>& into, const std::vector<OpRow>& rows) {
  for (const auto& r : rows) {
    auto it = std::find_if(into.begin(), into.end(), [&](const OpRow& x) {
      return x.name == r.name && x.layer_kind == r.layer_kind;
    });
    if (it == into.end()) {
      into.push_back(r);
      continue;
    }
    it->flops += r.flops;
    it->bytes += r.bytes;
    it->weight_bytes += r.weight_bytes;
    it->kv_bytes += r.kv_bytes;
    it->act_bytes += r.act_bytes;
    it->kernels += r.kernels;
    it->time_s += r.time_s;
  }
}

StepTime time_chunked_prefill(const Scenario& sc, const Placement& pl, double budget, double decoding) {
  const double prompt = static_cast<double>(std::max<std::int64_t>(sc.wl.input_tokens, 1));
  const double decode_ctx =
      static_cast<double>(sc.wl.input_tokens) + static_cast<double>(sc.wl.output_tokens) / 2.0;
  const double avail = std::min(prompt, std::max(1.0, budget - decoding));
  const double full = std::floor(prompt / avail);
  double rest = prompt - full * avail;
  if (rest < 1e-9 * avail) rest = 0;  // no step for a rounding remainder
  StepTime all;
  std::vector<OpRow> rows;
  auto add = [&](double chunk, double done, double weight) {
    std::vector<SeqGroup> g{SeqGroup{1, chunk, done}};
    if (decoding > 0) g.push_back(SeqGroup{decoding, 1, decode_ctx});
    StepTime st = time_step(sc, g, "prefill", pl);
    all.total_s += weight * st.total_s;
    all.max_stage_s += weight * st.max_stage_s;
    for (const auto& [k, v] : st.by_bound) all.by_bound[k] += weight * v;
    if (weight != 1.0)
      for (auto& r : st.rows) {
        r.flops *= weight;
        r.bytes *= weight;
        r.weight_bytes *= weight;
        r.kv_bytes *= weight;
        r.act_bytes *= weight;
        r.kernels *= weight;
        r.time_s *= weight;
      }
    merge_rows(rows, st.rows);
  };
  // Up to 64 chunks are timed one by one; a longer prompt is timed at 64 evenly
  // spaced chunks, each standing for its share (a chunk's cost changes smoothly
  // with the context before it), so a 10M-token prompt costs no more than a long one.
  const double samples = std::min(full, 64.0);
  for (double k = 0; k < samples; ++k) {
    double j = samples == full ? k : std::floor((k + 0.5) * full / samples);
    add(avail, j * avail, full / samples);
  }
  if (rest > 0) add(rest, full * avail, 1.0);
  all.rows = std::move(rows);  // a merged row keeps its first chunk's bound label
  return all;
}

StepTime time_prefill(const Scenario& sc, const Placement& pl) {
  const double prompt = static_cast<double>(std::max<std::int64_t>(sc.wl.input_tokens, 1));
  const double budget = sc.ep.chunked_prefill && sc.ep.max_num_batched_tokens > 0
                            ? static_cast<double>(sc.ep.max_num_batched_tokens)
                            : prompt;
  return time_chunked_prefill(sc, pl, budget, 0);
}

StepTime time_decode(const Scenario& sc, double seqs, const Placement& pl) {
  const double ctx = static_cast<double>(sc.wl.input_tokens) + static_cast<double>(sc.wl.output_tokens) / 2.0;
  return time_step(sc, {SeqGroup{seqs, 1, ctx}}, "decode", pl);
}

}  // namespace whichgpu
