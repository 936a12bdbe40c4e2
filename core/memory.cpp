// Memory per device: weights by precision and split, KV cache by context and
// window, activation workspace from the engine's token budget, the engine's policy.
#include "memory.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace whichgpu {
namespace {

// Number of tokens a layer with `window` holds for a sequence of `len` tokens,
// rounded up to whole KV blocks.
std::int64_t held_tokens(std::int64_t window, std::int64_t len, int block) {
  std::int64_t t = window > 0 ? std::min(window, len) : len;
  return (t + block - 1) / block * block;
}

// Activation workspace of one forward pass over `tokens` tokens on one rank:
// the widest live set (residual + the larger of attention's and the MLP's
// intermediates), plus the sampler's FP32 logits for `seqs` sequences.
double activation_bytes(const Scenario& sc, double tokens, double seqs) {
  const Architecture& A = sc.arch;
  const int tp = sc.par.tensor;
  const double a = sc.act_bytes();
  const double kv_per_rank = A.kv_heads >= tp ? static_cast<double>(A.kv_heads / tp) : 1.0;
  // q and attention output split by heads; k and v by KV heads (replicated below one per rank).
  double attn = (2.0 * static_cast<double>(A.heads) / tp + 2.0 * kv_per_rank) * static_cast<double>(A.head_dim);
  double mlp_width = A.experts > 0 ? static_cast<double>(A.moe_intermediate * A.experts_per_token)
                                   : static_cast<double>(A.intermediate);
  double mlp = 3.0 * mlp_width / tp;
  double per_token = (2.0 * A.hidden + std::max(attn, mlp)) * a;
  double logits = seqs * static_cast<double>(A.vocab) / tp * 4.0;
  return tokens * per_token + logits;
}

}  // namespace

void Scenario::prepare() {
  layer_bytes.clear();
  std::vector<double> b;
  for (std::int64_t i = 0; i < arch.layers; ++i) b.push_back(layer_weight_bytes(*this, i));
  layer_bytes = std::move(b);
  layer_kind.clear();
  layer_sig.clear();
  std::vector<std::int64_t> reps;  // first layer of each signature
  for (std::int64_t i = 0; i < arch.layers; ++i) {
    const Layer& L = arch.layer[static_cast<std::size_t>(i)];
    layer_kind.push_back(L.kind());
    int sig = -1;
    for (std::size_t k = 0; k < reps.size() && sig < 0; ++k) {
      const Layer& R = arch.layer[static_cast<std::size_t>(reps[k])];
      if (R.window == L.window && R.moe == L.moe && R.mla == L.mla &&
          layer_bytes[static_cast<std::size_t>(reps[k])] == layer_bytes[static_cast<std::size_t>(i)])
        sig = static_cast<int>(k);
    }
    if (sig < 0) {
      sig = static_cast<int>(reps.size());
      reps.push_back(i);
    }
    layer_sig.push_back(sig);
  }
  layer_sig_count = static_cast<int>(reps.size());
}

std::vector<std::int64_t> split_layers(std::int64_t layers, int stages) {
  std::vector<std::int64_t> p(static_cast<std::size_t>(stages), layers / stages);
  std::int64_t rem = layers % stages;
  for (std::int64_t i = 2; i < rem + 2; ++i) p[static_cast<std::size_t>(stages - i)] += 1;
  return p;
}

double tensor_bytes_per_rank(const Scenario& sc, const Tensor& t, std::int64_t layer) {
  const int tp = sc.par.tensor;
  const Architecture& A = sc.arch;
  double share = 1.0;
  switch (t.split) {
    case Split::column:
    case Split::row:
    case Split::vocab:
      share = 1.0 / tp;
      break;
    case Split::kv_heads:
      share = A.kv_heads >= tp ? 1.0 / tp : 1.0 / static_cast<double>(A.kv_heads);
      break;
    case Split::replicated:
      share = 1.0;
      break;
  }
  double bits = sc.weight_bits(t, layer);
  double w = static_cast<double>(t.count) * static_cast<double>(t.k) * static_cast<double>(t.n) * bits / 8.0;
  // Biases stay 16-bit; a row-parallel layer's bias is whole on every rank.
  double b = t.bias ? static_cast<double>(t.count) * static_cast<double>(t.n) * 2.0 : 0.0;
  double b_share = t.split == Split::row ? 1.0 : share;
  return w * share + b * b_share;
}

double layer_weight_bytes(const Scenario& sc, std::int64_t i) {
  if (static_cast<std::size_t>(i) < sc.layer_bytes.size()) return sc.layer_bytes[static_cast<std::size_t>(i)];
  double s = 0;
  for (const auto& t : sc.arch.layer[static_cast<std::size_t>(i)].tensors) s += tensor_bytes_per_rank(sc, t, i);
  return s;
}

double layer_kv_bytes_per_token(const Scenario& sc, std::int64_t /*i*/) {
  return static_cast<double>(sc.arch.kv_elements_per_layer_per_rank(sc.par.tensor)) * sc.kv_bytes_per_element();
}

MemoryResult compute_memory(const Scenario& sc, std::int64_t concurrency, const std::vector<bool>& on_device) {
  const Architecture& A = sc.arch;
  const Parallelism& P = sc.par;
  const EngineParams& ep = sc.ep;
  MemoryResult m;
  m.stage_layers = split_layers(A.layers, P.pipeline);
  const std::int64_t len = sc.wl.input_tokens + sc.wl.output_tokens;
  // A paged KV cache holds what a sequence has so far: on average its prompt and
  // half its output once the running set is in steady state.
  const std::int64_t mean_len = sc.wl.input_tokens + (sc.wl.output_tokens + 1) / 2;
  const int block = std::max(1, ep.kv_block_tokens);
  const double kvb = sc.kv_bytes_per_element();

  // Whole-model KV per token (one copy), averaged over the context.
  for (std::int64_t i = 0; i < A.layers; ++i) {
    std::int64_t w = A.layer[static_cast<std::size_t>(i)].window;
    double frac = (w > 0 && len > 0) ? static_cast<double>(std::min(w, len)) / static_cast<double>(len) : 1.0;
    m.kv_cache_bytes_per_token += static_cast<double>(A.kv_elements_per_layer()) * kvb * frac;
  }

  const double total = sc.device_total_bytes();
  m.device_total_bytes = total;
  const std::int64_t per_replica = (concurrency + P.data - 1) / P.data;
  const bool kv_on_host = sc.offload && sc.offload->kv_cache_on == "cpu";
  double budget_tokens = ep.max_num_batched_tokens > 0 ? ep.max_num_batched_tokens
                                                       : static_cast<double>(std::max<std::int64_t>(sc.wl.input_tokens, 1));
  double act = activation_bytes(sc, budget_tokens, std::min<double>(ep.max_num_seqs, budget_tokens));
  double reserved = ep.runtime_reserve_bytes + ep.comm_buffer_bytes;

  // Offload: layers mode keeps a host layer's KV on the host; streaming keeps all
  // KV (and the embedding and head) on the accelerator.
  const bool streaming = sc.offload && sc.offload->mode == "stream";
  const bool partial = !on_device.empty() &&
                       std::find(on_device.begin(), on_device.end(), false) != on_device.end();
  const bool globals_here = !partial || streaming;

  std::int64_t first = 0;
  double best_required = -1;
  for (int s = 0; s < P.pipeline; ++s) {
    DeviceMemory d;
    const std::int64_t n = m.stage_layers[static_cast<std::size_t>(s)];
    double kv_seq = 0, kv_tok = 0, kv_seq_mean = 0;
    for (std::int64_t i = first; i < first + n; ++i) {
      const bool here = on_device.empty() || on_device[static_cast<std::size_t>(i)];
      if (here) d.weights_bytes += layer_weight_bytes(sc, i);
      if (!kv_on_host && (here || streaming)) {
        std::int64_t w = A.layer[static_cast<std::size_t>(i)].window;
        double per_tok = layer_kv_bytes_per_token(sc, i);
        kv_seq += per_tok * static_cast<double>(held_tokens(w, len, block));
        kv_seq_mean += per_tok * static_cast<double>(held_tokens(w, mean_len, block));
        double frac = (w > 0 && len > 0) ? static_cast<double>(std::min(w, len)) / static_cast<double>(len) : 1.0;
        kv_tok += per_tok * frac;
      }
    }
    // Embedding on the first stage; final norm and LM head on the last (a tied
    // head shares the embedding when both are on one stage).
    for (const auto& t : A.globals) {
      bool hold = (t.cls == "embedding" && s == 0) ||
                  (t.cls != "embedding" && s == P.pipeline - 1 && !(t.cls == "lm_head" && A.tied && P.pipeline == 1));
      if (hold && globals_here) d.weights_bytes += tensor_bytes_per_rank(sc, t, -1);
    }
    d.kv_cache_bytes_per_token = kv_tok;
    // Paged engines hold, in steady state, each sequence's prompt and half its
    // output; one sequence alone is counted at its full context.
    const bool paged = sc.engine->memory.policy != "none";
    d.kv_cache_bytes = paged && per_replica > 1
                           ? std::max(kv_seq, kv_seq_mean * static_cast<double>(per_replica))
                           : kv_seq * static_cast<double>(per_replica);
    d.activation_bytes = act;
    d.reserved_bytes = reserved;
    d.required_bytes = d.weights_bytes + d.kv_cache_bytes + d.activation_bytes + d.reserved_bytes;
    const std::string& policy = sc.engine->memory.policy;
    double fixed = d.weights_bytes + d.activation_bytes + d.reserved_bytes;
    if (policy == "fraction_of_total" || policy == "static_fraction") {
      d.available_bytes = ep.memory_fraction * total;
    } else if (policy == "fraction_of_free_after_weights") {
      d.available_bytes = fixed + ep.memory_fraction * std::max(0.0, total - fixed);
    } else {
      d.available_bytes = total;
    }
    if (d.required_bytes > best_required) {
      best_required = d.required_bytes;
      m.per_device = d;
      m.fullest_stage = s;
      m.kv_bytes_per_sequence_device = kv_seq;
      m.kv_bytes_per_sequence_mean_device = kv_seq_mean;
      m.kv_capacity_bytes_device = std::max(0.0, d.available_bytes - fixed);
    }
    const double devs_in_stage = static_cast<double>(P.tensor * P.data);
    m.total.weights_bytes += d.weights_bytes * devs_in_stage;
    m.total.kv_cache_bytes += d.kv_cache_bytes * devs_in_stage;
    m.total.activation_bytes += d.activation_bytes * devs_in_stage;
    m.total.reserved_bytes += d.reserved_bytes * devs_in_stage;
    m.total.required_bytes += d.required_bytes * devs_in_stage;
    m.total.available_bytes += d.available_bytes * devs_in_stage;
    m.total.kv_cache_bytes_per_token += kv_tok;
    first += n;
  }

  // Concurrency the KV budget allows: the tightest stage decides.
  std::int64_t per_replica_max = 0;
  if (m.kv_bytes_per_sequence_device > 0) {
    double q = m.kv_capacity_bytes_device / m.kv_bytes_per_sequence_device;
    per_replica_max = static_cast<std::int64_t>(std::floor(q * (1 + 1e-12)));
  } else {
    per_replica_max = ep.max_num_seqs;
  }
  double full_tok = 0;
  for (std::int64_t i = 0; i < A.layers; ++i) full_tok += layer_kv_bytes_per_token(sc, i);
  full_tok /= P.pipeline;
  if (full_tok > 0)
    m.kv_capacity_tokens = static_cast<std::int64_t>(std::floor(m.kv_capacity_bytes_device / full_tok * (1 + 1e-12)));
  m.max_concurrency = per_replica_max * P.data;
  // Paged engines (a memory budget policy) admit sequences on their current size;
  // llama.cpp and plain frameworks reserve each sequence's whole context.
  m.steady_running_per_replica = per_replica_max;
  if (sc.engine->memory.policy != "none" && m.kv_bytes_per_sequence_mean_device > 0)
    m.steady_running_per_replica = static_cast<std::int64_t>(
        std::floor(m.kv_capacity_bytes_device / m.kv_bytes_per_sequence_mean_device * (1 + 1e-12)));
  m.fits = m.per_device.required_bytes <= m.per_device.available_bytes && m.max_concurrency >= 1;
  if (!m.fits) {
    const DeviceMemory& d = m.per_device;
    double fixed = d.weights_bytes + d.activation_bytes + d.reserved_bytes;
    char buf[320];
    if (fixed > d.available_bytes)
      std::snprintf(buf, sizeof buf,
                    "weights (%.1f GB), activations and runtime reserve need %.1f GB per device; the engine's budget is %.1f GB",
                    d.weights_bytes / 1e9, fixed / 1e9, d.available_bytes / 1e9);
    else
      std::snprintf(buf, sizeof buf,
                    "after weights, %.2f GB per device is left for KV cache; %lld sequence(s) of %lld tokens need %.2f GB",
                    (d.available_bytes - fixed) / 1e9, static_cast<long long>(per_replica),
                    static_cast<long long>(len), d.kv_cache_bytes / 1e9);
    m.reason = buf;
  }
  return m;
}

}  // namespace whichgpu
