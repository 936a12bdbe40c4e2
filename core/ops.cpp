// FLOPs and bytes per operator: the same function for prefill, decode and mixed
// steps (only token counts differ), as DESIGN.md asks; then the roofline.
#include "ops.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "memory.hpp"

namespace whichgpu {
namespace {

// Rows in first-seen order, found by (name, layer kind); a step has a dozen.
struct Acc {
  std::vector<OpRow> rows;
  std::size_t index(const std::string& name, const std::string& kind, const std::string& phase) {
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (rows[i].name == name && rows[i].layer_kind == kind) return i;
    OpRow r;
    r.name = name;
    r.layer_kind = kind;
    r.phase = phase;
    rows.push_back(std::move(r));
    return rows.size() - 1;
  }
  OpRow& at(const std::string& name, const std::string& kind, const std::string& phase) {
    return rows[index(name, kind, phase)];
  }
};

double split_out(const Scenario& sc, const Tensor& t) {
  const int tp = sc.par.tensor;
  switch (t.split) {
    case Split::column:
    case Split::vocab:
      return static_cast<double>(t.n) / tp;
    case Split::kv_heads:
      return static_cast<double>(t.n) * (sc.arch.kv_heads >= tp ? 1.0 / tp : 1.0 / sc.arch.kv_heads);
    default:
      return static_cast<double>(t.n);
  }
}

double split_in(const Scenario& sc, const Tensor& t) {
  return t.split == Split::row ? static_cast<double>(t.k) / sc.par.tensor : static_cast<double>(t.k);
}

}  // namespace

double experts_touched(double experts, double k, double tokens) {
  if (experts <= 0) return 0;
  return experts * (1.0 - std::pow(1.0 - k / experts, tokens));
}

double attended_pairs(double q, double c, double window) {
  // Positions c+1 .. c+q; each attends min(position, window) keys.
  const double lo = c + 1, hi = c + q;
  if (q <= 0) return 0;
  if (window <= 0 || hi <= window) return q * c + q * (q + 1) / 2;
  double full_hi = std::min(hi, window);
  double part1 = full_hi >= lo ? (lo + full_hi) * (full_hi - lo + 1) / 2 : 0;
  double part2 = (hi - std::max(lo - 1, window)) * window;
  return part1 + part2;
}

void apply_roof(OpRow& row, const Roof& roof) {
  double tc = roof.flops_per_s > 0 ? row.flops / roof.flops_per_s : 0;
  double tm = roof.bytes_per_s > 0 ? row.bytes / roof.bytes_per_s : 0;
  double tl = row.kernels * roof.kernel_latency_s;
  row.time_s = std::max(tc, tm) + tl;
  if (tl > std::max(tc, tm)) row.bound = "latency";
  else row.bound = tc >= tm ? roof.compute_label : roof.memory_label;
}

std::vector<OpRow> step_ops(const Scenario& sc, const std::vector<SeqGroup>& groups,
                            std::int64_t first, std::int64_t last, bool with_embedding,
                            bool with_head, const std::string& phase) {
  const Architecture& A = sc.arch;
  const int tp = sc.par.tensor;
  const double a = sc.act_bytes();
  const double h = static_cast<double>(A.hidden);
  double tokens = 0, seqs = 0, ctx_tokens = 0;
  bool decode_only = true;
  for (const auto& g : groups) {
    tokens += g.seqs * g.q_tokens;
    seqs += g.seqs;
    ctx_tokens += g.seqs * (g.ctx_before + g.q_tokens);
    if (g.q_tokens > 1) decode_only = false;
  }
  const std::string half = sc.hw.runs_dtype("bf16") ? "bf16" : (sc.hw.runs_dtype("fp16") ? "fp16" : "fp32");
  Acc acc;

  // Layers with the same shape, window and weight bytes cost the same
  // (Scenario::prepare numbers them): compute each distinct layer once per step
  // and count it as often as it occurs in [first, last).
  std::vector<std::int64_t> occurs(sc.layer_sig_count, 0), rep(sc.layer_sig_count, -1);
  for (std::int64_t i = first; i < last; ++i) {
    const int sig = sc.layer_sig[static_cast<std::size_t>(i)];
    if (rep[sig] < 0) rep[sig] = i;
    ++occurs[sig];
  }
  for (std::int64_t i = first; i < last; ++i) {
    const int sig = sc.layer_sig[static_cast<std::size_t>(i)];
    if (rep[sig] != i) continue;
    const double times = static_cast<double>(occurs[sig]);
    Acc one;
    const Layer& L = A.layer[static_cast<std::size_t>(i)];
    const std::string& kind = sc.layer_kind[static_cast<std::size_t>(i)];
    // Linear operators: tensors grouped by the operator they form (fused QKV, gate+up).
    std::map<std::string, std::vector<const Tensor*>> by_op;
    std::vector<std::string> op_order;
    for (const auto& t : L.tensors) {
      if (t.op == "norm" || t.op == "attention") continue;
      if (!by_op.count(t.op)) op_order.push_back(t.op);
      by_op[t.op].push_back(&t);
    }
    for (const auto& op : op_order) {
      OpRow& r = one.at(op, kind, phase);
      const auto& ts = by_op[op];
      // MLA prefill expands the whole context's latents through kv_b_proj.
      double n_tok = (op == "kv_b_proj" && !decode_only) ? ctx_tokens : tokens;
      bool routed = ts.front()->routed;
      double k_in = split_in(sc, *ts.front());
      double out = 0, w = 0, f = 0;
      for (const Tensor* t : ts) {
        double kd = split_in(sc, *t), nd = split_out(sc, *t);
        double bytes = tensor_bytes_per_rank(sc, *t, i);
        if (routed) {
          double touched = experts_touched(static_cast<double>(A.experts), static_cast<double>(A.experts_per_token), n_tok);
          w += bytes * touched / static_cast<double>(t->count);
          f += 2.0 * n_tok * static_cast<double>(A.experts_per_token) * kd * nd;
          out += nd * static_cast<double>(A.experts_per_token);
        } else {
          w += bytes;
          f += 2.0 * n_tok * static_cast<double>(t->count) * kd * nd;
          out += nd * static_cast<double>(t->count);
        }
      }
      double in_mult = routed ? static_cast<double>(A.experts_per_token) : 1.0;
      double act = n_tok * (k_in * in_mult + out) * a;
      r.count += 1;
      r.flops += f;
      r.weight_bytes += w;
      r.act_bytes += act;
      r.bytes += w + act;
      r.kernels += 1;
      // 16-bit weights (routers, unquantized classes) run 16-bit math.
      r.dtype = sc.weight_bits(*ts.front(), i) >= 16 ? half : sc.math_dtype;
    }

    // Attention (FlashAttention-style: KV read once per step, no score matrix).
    {
      OpRow& r = one.at("attention", kind, phase);
      const double heads = static_cast<double>(A.heads) / tp;
      const double window = static_cast<double>(L.window);
      const double kv_tok = layer_kv_bytes_per_token(sc, i);
      double f = 0, kvb = 0, act = 0;
      for (const auto& g : groups) {
        double pairs = attended_pairs(g.q_tokens, g.ctx_before, window);
        double qk_dim, v_dim;
        if (A.mla && decode_only) {  // absorbed: attend over the latent
          qk_dim = static_cast<double>(A.kv_lora_rank + A.qk_rope_head_dim);
          v_dim = static_cast<double>(A.kv_lora_rank);
        } else if (A.mla) {  // expanded
          qk_dim = static_cast<double>(A.qk_nope_head_dim + A.qk_rope_head_dim);
          v_dim = static_cast<double>(A.v_head_dim);
        } else {
          qk_dim = v_dim = static_cast<double>(A.head_dim);
        }
        f += g.seqs * 2.0 * heads * (qk_dim + v_dim) * pairs;
        double held = g.ctx_before + g.q_tokens;
        if (window > 0) held = std::min(held, window);
        kvb += g.seqs * (held + g.q_tokens) * kv_tok;  // read the cache once, write the new tokens
        act += g.seqs * g.q_tokens * heads * (qk_dim + v_dim) * a;
      }
      r.count += 1;
      r.flops += f;
      r.kv_bytes += kvb;
      r.act_bytes += act;
      r.bytes += kvb + act;
      r.kernels += 2;  // cache write + attention
      r.dtype = half;
    }

    // Norms, residual adds and the MLP activation: elementwise, memory bound.
    {
      OpRow& r = one.at("norm_residual_act", kind, phase);
      double norms = 0;
      double w = 0;
      for (const auto& t : L.tensors)
        if (t.op == "norm") {
          norms += static_cast<double>(t.count) * (t.n == A.hidden ? 1.0 : 0.0);
          w += tensor_bytes_per_rank(sc, t, i);
        }
      double mlp_w = L.moe ? static_cast<double>(A.moe_intermediate * A.experts_per_token + A.shared_intermediate)
                           : static_cast<double>(A.intermediate);
      double bytes = tokens * h * a * (2.0 * norms + 3.0 * 2.0) + tokens * 3.0 * mlp_w / tp * a + w;
      r.count += 1;
      r.flops += tokens * (h * 5.0 * norms + 2.0 * h + 4.0 * mlp_w / tp);
      r.act_bytes += bytes - w;
      r.weight_bytes += w;
      r.bytes += bytes;
      r.kernels += norms + 1;
      r.dtype = half;
    }

    // Tensor-parallel all-reduces: after attention and after the MLP (vLLM does
    // not fuse a parallel block's two, Phi-2 included).
    if (tp > 1) {
      OpRow& r = one.at("all_reduce", kind, phase);
      r.count += 1;
      r.bytes += 2.0 * tokens * h * a;
      r.kernels += 2;
      r.dtype = half;
    }
    for (const auto& r : one.rows) {
      OpRow& d = acc.at(r.name, r.layer_kind, phase);
      d.count += r.count * times;
      d.flops += r.flops * times;
      d.bytes += r.bytes * times;
      d.weight_bytes += r.weight_bytes * times;
      d.kv_bytes += r.kv_bytes * times;
      d.act_bytes += r.act_bytes * times;
      d.kernels += r.kernels * times;
      d.dtype = r.dtype;
    }
  }

  for (const auto& t : A.globals) {
    if (t.cls == "embedding" && with_embedding) {
      OpRow& r = acc.at("embedding", "global", phase);
      // Decode and prefill gather one row per token, not the table.
      double row_bytes = h * sc.weight_bits(t, -1) / 8.0;
      r.count = 1;
      r.weight_bytes += tokens * row_bytes / tp;
      r.act_bytes += tokens * h * a;
      r.bytes += tokens * row_bytes / tp + tokens * h * a;
      r.kernels += 1;
      r.dtype = half;
      if (tp > 1) {
        OpRow& c = acc.at("all_reduce", "global", phase);
        c.count += 1;
        c.bytes += tokens * h * a;
        c.kernels += 1;
        c.dtype = half;
      }
    }
    if (t.cls == "norm" && with_head) {
      OpRow& r = acc.at("final_norm", "global", phase);
      r.count = 1;
      r.bytes += seqs * h * a * 2 + tensor_bytes_per_rank(sc, t, -1);
      r.flops += seqs * h * 5.0;
      r.kernels += 1;
      r.dtype = half;
    }
    if (t.cls == "lm_head" && with_head) {
      // Logits only for each sequence's last token (prefill included).
      OpRow& r = acc.at("lm_head", "global", phase);
      double nd = static_cast<double>(t.n) / tp;
      double w = tensor_bytes_per_rank(sc, t, -1);
      r.count = 1;
      r.flops += 2.0 * seqs * h * nd;
      r.weight_bytes += w;
      r.act_bytes += seqs * (h + nd) * a;
      r.bytes += w + seqs * (h + nd) * a;
      r.kernels += 1;
      r.dtype = sc.weight_bits(t, -1) >= 16 ? half : sc.math_dtype;
    }
  }

  return std::move(acc.rows);
}

}  // namespace whichgpu
