// Offload: llama.cpp-style layer split (the last N layers on the GPU), or
// Accelerate/DeepSpeed-style streaming of what does not fit over PCIe.
#include "offload.hpp"

#include <algorithm>
#include <cmath>

namespace whichgpu {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
double host_pcie_bytes_per_s(const Scenario& sc) {
  // The slower of the GPU's link and the host's slot (the host's when published).
  double gpu = pcie_bytes_per_s(sc.hw.host_link);
  const HostLink& host = sc.offload->host.host_link;
  return host.bandwidth_GBps.known() ? std::min(gpu, pcie_bytes_per_s(host)) : gpu;
}

double globals_bytes(const Scenario& sc) {
  double b = 0;
  for (const auto& t : sc.arch.globals)
    if (!(t.cls == "lm_head" && sc.arch.tied)) b += tensor_bytes_per_rank(sc, t, -1);
  return b;
}

json range_json(std::int64_t a, std::int64_t b, const std::string& weights_on, const std::string& math_on,
                double pcie, double disk) {
  return json{{"layers", {a, b}},
              {"weights_on", weights_on},
              {"math_on", math_on},
              {"bytes_per_token_over", {{"pcie", pcie}, {"disk", disk}}}};
}

}  // namespace

OffloadPlan plan_offload(Scenario& sc, std::int64_t concurrency) {
  const Architecture& A = sc.arch;
  const Offload& off = *sc.offload;
  const std::int64_t L = A.layers;
  OffloadPlan plan;
  Placement& pl = plan.placement;
  const Hardware& host = off.host;
  double frac = host.cpu && host.cpu->achievable_bandwidth_fraction.known() ? host.cpu->achievable_bandwidth_fraction.v() : 1.0;
  if (!(host.cpu && host.cpu->achievable_bandwidth_fraction.known()))
    sc.warn(host.name + ": achievable bandwidth fraction not published; peak assumed");
  pl.host_bytes_per_s = host.memory_bandwidth_GBps.v() * 1e9 * frac;
  std::string host_dtype = host.runs_dtype("bf16") ? "bf16" : "fp32";
  double cfrac = host.cpu && host.cpu->achievable_compute_fraction.known() ? host.cpu->achievable_compute_fraction.v() : 1.0;
  pl.host_flops_per_s = host.runs_dtype(host_dtype) ? host.peak_TFLOPS.at(host_dtype).v() * 1e12 * cfrac : 1e12;
  pl.pcie_bytes_per_s = host_pcie_bytes_per_s(sc);
  pl.kv_on_host = off.kv_cache_on == "cpu";
  if (off.disk) pl.disk_bytes_per_s = off.disk->read_bandwidth_GBps.v() * 1e9;

  const double per_seq_len = static_cast<double>(sc.wl.input_tokens + sc.wl.output_tokens);
  auto fits_with = [&](const std::vector<bool>& on) {
    MemoryResult m = compute_memory(sc, concurrency, on);
    return m.per_device.required_bytes <= m.per_device.available_bytes;
  };

  plan.on_device.assign(static_cast<std::size_t>(L), false);
  if (off.mode == "layers") {
    // llama.cpp puts the last N layers on the GPU (-ngl N).
    int n = off.gpu_layers;
    if (n < 0) {
      n = 0;
      for (int k = static_cast<int>(L) - 1; k >= 1; --k) {
        std::vector<bool> on(static_cast<std::size_t>(L), false);
        for (std::int64_t i = L - k; i < L; ++i) on[static_cast<std::size_t>(i)] = true;
        if (fits_with(on)) {
          n = k;
          break;
        }
      }
    }
    plan.gpu_layers = n;
    pl.on_cpu.assign(static_cast<std::size_t>(L), 1);
    for (std::int64_t i = L - n; i < L; ++i) {
      plan.on_device[static_cast<std::size_t>(i)] = true;
      pl.on_cpu[static_cast<std::size_t>(i)] = 0;
    }
  } else {
    // Streaming: keep resident the layers that fit; stream the rest every forward.
    int keep = 0;
    for (int k = static_cast<int>(L) - 1; k >= 0; --k) {
      std::vector<bool> on(static_cast<std::size_t>(L), false);
      for (std::int64_t i = 0; i < k; ++i) on[static_cast<std::size_t>(i)] = true;
      if (fits_with(on)) {
        keep = k;
        break;
      }
    }
    pl.streamed.assign(static_cast<std::size_t>(L), 1);
    for (std::int64_t i = 0; i < keep; ++i) {
      plan.on_device[static_cast<std::size_t>(i)] = true;
      pl.streamed[static_cast<std::size_t>(i)] = 0;
    }
    plan.gpu_layers = static_cast<int>(L);
  }

  // What the host holds: off-GPU weights, their KV (layers mode), and the
  // embedding and head when layers are offloaded.
  double host_weights = 0, host_kv = 0;
  for (std::int64_t i = 0; i < L; ++i)
    if (!plan.on_device[static_cast<std::size_t>(i)]) host_weights += layer_weight_bytes(sc, i);
  if (off.mode == "layers") host_weights += globals_bytes(sc);
  for (std::int64_t i = 0; i < L; ++i) {
    bool kv_here = pl.kv_on_host || (off.mode == "layers" && !plan.on_device[static_cast<std::size_t>(i)]);
    if (kv_here) host_kv += layer_kv_bytes_per_token(sc, i) * per_seq_len * static_cast<double>(concurrency);
  }
  plan.host_bytes = host_weights + host_kv;
  plan.host_capacity_bytes = off.host_memory_GiB * kGiB;
  if (plan.host_bytes > plan.host_capacity_bytes) {
    double excess = plan.host_bytes - plan.host_capacity_bytes;
    if (off.disk && excess < host_weights) {
      plan.spilled_bytes = excess;
      pl.disk_bytes_per_step = excess;  // weights read back from disk every forward (mmap)
      sc.warn(format_number(excess / 1e9) + " GB of weights do not fit " + format_number(off.host_memory_GiB) +
              " GiB of host memory and are read from " + off.disk->name + " every token: more host RAM or a lower precision would help");
    } else {
      plan.host_fits = false;
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "host memory: the offloaded part needs %.1f GB but the host has %.1f GB (%g GiB) and no disk to spill to",
                    plan.host_bytes / 1e9, plan.host_capacity_bytes / 1e9, off.host_memory_GiB);
      plan.reason = buf;
    }
  }

  // Placement rows: contiguous ranges of one kind.
  const double tok_act = static_cast<double>(A.hidden) * sc.act_bytes();
  std::int64_t a = 0;
  while (a < L) {
    bool dev = plan.on_device[static_cast<std::size_t>(a)];
    std::int64_t b = a;
    double w = 0;
    while (b < L && plan.on_device[static_cast<std::size_t>(b)] == dev) w += layer_weight_bytes(sc, b++);
    if (off.mode == "layers") {
      double pcie = dev ? 2 * tok_act : 0;  // activations cross at each boundary
      plan.placement_json.push_back(range_json(a, b - 1, dev ? "gpu" : "cpu", dev ? "gpu" : "cpu", pcie,
                                               dev ? 0 : plan.spilled_bytes));
    } else {
      plan.placement_json.push_back(range_json(a, b - 1, dev ? "gpu" : "cpu", "gpu", dev ? 0 : w,
                                               dev ? 0 : plan.spilled_bytes));
    }
    a = b;
  }

  // Advice: is the GPU worth the layers it holds?
  double gpu_bw = sc.hw.memory_bandwidth_GBps.v() * sc.ep.memory_efficiency * 1e9;
  if (off.mode == "layers" && gpu_bw < 1.5 * pl.host_bytes_per_s)
    sc.warn("moving layers to the GPU may not help: " + sc.hw.name + "'s effective bandwidth (" +
            format_number(gpu_bw / 1e9) + " GB/s) is not far above the host's (" +
            format_number(pl.host_bytes_per_s / 1e9) + " GB/s), and each boundary adds PCIe transfers");
  return plan;
}

}  // namespace whichgpu
