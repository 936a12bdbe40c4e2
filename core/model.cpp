// Hugging Face config.json import: one handler per model_type, facts the config
// does not state supplied (and cited) by the handler, unknown keys rejected.
#include "model.hpp"

#include <algorithm>
#include <map>

namespace whichgpu {
namespace {

// Keys of real config.json files that do not change the parameter shapes,
// the KV cache or the per-token work whichgpu models (tokens, init, dropout,
// RoPE frequencies, softcaps, bookkeeping). Everything else must be read by a
// handler or it is an error.
const std::vector<std::string> kHarmless = {
    "_name_or_path", "architectures", "auto_map", "model_type", "torch_dtype", "dtype",
    "transformers_version", "bos_token_id", "eos_token_id", "pad_token_id", "initializer_range",
    "rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "rope_theta", "rope_scaling",
    "rope_parameters", "max_position_embeddings", "original_max_position_embeddings",
    "use_cache", "hidden_act", "hidden_activation", "attention_dropout", "hidden_dropout",
    "resid_pdrop", "embd_pdrop", "attn_pdrop", "pretraining_tp", "quantization_config",
    "tokenizer_class", "output_router_logits", "router_aux_loss_coef", "router_jitter_noise",
    "final_logit_softcapping", "attn_logit_softcapping", "query_pre_attn_scalar",
    "cache_implementation", "partial_rotary_factor", "norm_topk_prob", "aux_loss_alpha",
    "ep_size", "scoring_func", "topk_method", "n_group", "topk_group", "routed_scaling_factor",
    "seq_aux", "num_nextn_predict_layers", "swiglu_limit", "initial_context_length",
    "output_attentions", "output_hidden_states", "return_dict", "is_decoder",
    "is_encoder_decoder", "bos_token", "eos_token", "torchscript", "use_return_dict",
    "embedding_multiplier", "rope_type", "attention_chunk_size", "interleaved_sliding_window",
    "max_sequence_length", "max_seq_len", "use_flash_attention", "_attn_implementation",
    "sliding_window_pattern", "generation_config", "chat_template", "rope_interleave",
    "unsloth_fixed", "head_dim_scale", "use_bfloat16", "tie_encoder_decoder", "num_nextn_layers",
    "use_mrope"};

const std::vector<std::string> kTypes = {"llama",     "mistral",   "mixtral", "qwen2",
                                         "qwen2_moe", "qwen3",     "qwen3_moe", "gemma2",
                                         "phi",       "phi3",      "deepseek_v3", "gpt_oss"};

struct Shape {
  bool qkv_bias = false, o_bias = false, mlp_bias = false, qk_norm = false;
  bool lm_head_bias = false, layer_norm_bias = false;  // LayerNorm (weight+bias) vs RMSNorm
  int norms_per_layer = 2;
};

Tensor linear(const std::string& cls, const std::string& op, std::int64_t k, std::int64_t n,
              Split split, bool bias = false, std::int64_t count = 1, bool routed = false) {
  Tensor t;
  t.cls = cls;
  t.op = op;
  t.k = k;
  t.n = n;
  t.split = split;
  t.bias = bias;
  t.count = count;
  t.routed = routed;
  return t;
}

Tensor norm(std::int64_t width, bool with_bias, std::int64_t count = 1) {
  // A norm is a 1 x width "matrix" (weight), plus a bias for LayerNorm.
  return linear("norm", "norm", 1, width, Split::replicated, with_bias, count);
}

std::int64_t read_pos(Reader& r, const std::string& key, std::int64_t hi = 100'000'000) {
  return r.integer(key, 1, hi, "");
}

}  // namespace

const std::vector<std::string>& supported_model_types() { return kTypes; }

std::string Layer::kind() const {
  std::string k = mla ? "mla-" : "";
  k += moe ? "moe" : "dense";
  if (window > 0) k += "-swa";
  return k;
}

std::int64_t Architecture::kv_elements_per_layer() const {
  if (mla) return kv_lora_rank + qk_rope_head_dim;
  return 2 * kv_heads * head_dim;
}

std::int64_t Architecture::kv_elements_per_layer_per_rank(int tp) const {
  if (mla) return kv_lora_rank + qk_rope_head_dim;  // the latent is replicated on every rank
  // KV heads split across ranks; replicated when fewer heads than ranks (vLLM).
  std::int64_t per_rank = kv_heads >= tp ? kv_heads / tp : 1;
  return 2 * per_rank * head_dim;
}

std::int64_t Architecture::total_params() const {
  std::int64_t p = 0;
  for (const auto& t : globals)
    if (!(t.cls == "lm_head" && tied)) p += t.params();
  for (const auto& l : layer)
    for (const auto& t : l.tensors) p += t.params();
  return p;
}

std::int64_t Architecture::active_params() const {
  std::int64_t p = 0;
  for (const auto& t : globals)
    if (!(t.cls == "lm_head" && tied)) p += t.params();
  for (const auto& l : layer)
    for (const auto& t : l.tensors)
      p += t.routed ? t.params() / t.count * experts_per_token : t.params();
  return p;
}

std::int64_t Architecture::embedding_params() const {
  for (const auto& t : globals)
    if (t.cls == "embedding") return t.params();
  return 0;
}

Architecture import_hf_config(const json& config, const std::string& path, const std::string& file) {
  Reader r(config, path, file, "a config.json object");
  Architecture a;
  a.model_type = r.str("model_type");
  if (std::find(kTypes.begin(), kTypes.end(), a.model_type) == kTypes.end()) {
    std::string list;
    for (const auto& t : kTypes) list += (list.empty() ? "" : ", ") + t;
    r.error("unsupported_model_type", "model_type",
            "model_type \"" + (a.model_type.size() > 40 ? a.model_type.substr(0, 40) : a.model_type) +
                "\" is not supported; supported: " + list);
  }
  r.ignore_all(kHarmless);
  const std::string& mt = a.model_type;

  a.hidden = read_pos(r, "hidden_size", 1'000'000);
  a.layers = read_pos(r, "num_hidden_layers", 10'000);
  a.heads = read_pos(r, "num_attention_heads", 100'000);
  a.kv_heads = r.opt_integer("num_key_value_heads", 1, 100'000, "").value_or(a.heads);
  if (a.heads % a.kv_heads != 0)
    r.error("invalid_combination", "num_key_value_heads",
            "num_attention_heads (" + std::to_string(a.heads) +
                ") must be a multiple of num_key_value_heads (" + std::to_string(a.kv_heads) + ")");
  a.head_dim = r.opt_integer("head_dim", 1, 100'000, "").value_or(0);
  if (a.head_dim == 0) {
    if (a.hidden % a.heads != 0)
      r.error("invalid_combination", "hidden_size",
              "hidden_size is not a multiple of num_attention_heads and no head_dim is given");
    a.head_dim = a.hidden / a.heads;
  }
  a.vocab = read_pos(r, "vocab_size", 10'000'000);
  a.max_position = r.opt_integer("max_position_embeddings", 1, 1'000'000'000, "").value_or(0);

  Shape s;
  // Defaults of tie_word_embeddings follow each transformers config class.
  bool tied_default = mt == "gemma2";
  a.tied = r.opt_boolean("tie_word_embeddings").value_or(tied_default);

  if (mt == "llama" || mt == "mistral" || mt == "mixtral" || mt == "qwen3" || mt == "qwen3_moe" ||
      mt == "gemma2" || mt == "deepseek_v3" || mt == "phi3") {
    bool ab = r.opt_boolean("attention_bias").value_or(false);
    s.qkv_bias = s.o_bias = ab;
  }
  if (mt == "llama") s.mlp_bias = r.opt_boolean("mlp_bias").value_or(false);
  if (mt == "qwen2" || mt == "qwen2_moe") {
    s.qkv_bias = true;  // Qwen2Attention: q/k/v with bias, o_proj without (transformers)
    a.notes.push_back("Qwen2: q, k and v projections carry biases, o_proj none (transformers Qwen2Attention)");
  }
  if (mt == "qwen3" || mt == "qwen3_moe") {
    s.qk_norm = true;
    a.notes.push_back("Qwen3: per-head RMSNorm on queries and keys (q_norm, k_norm)");
  }
  if (mt == "gemma2") {
    s.norms_per_layer = 4;
    a.notes.push_back("Gemma 2: four RMSNorms per layer; even layers use the sliding window (transformers Gemma2)");
  }
  if (mt == "phi") {
    s.qkv_bias = s.o_bias = s.mlp_bias = s.lm_head_bias = s.layer_norm_bias = true;
    s.norms_per_layer = 1;
    a.parallel_block = true;
    a.gated_mlp = false;
    if (r.opt_boolean("qk_layernorm").value_or(false))
      r.error("invalid_combination", "qk_layernorm", "phi with qk_layernorm is not modelled");
    a.notes.push_back("Phi-2: parallel attention and MLP from one LayerNorm; plain fc1/fc2 MLP; biases everywhere; lm_head with bias");
  }
  if (mt == "gpt_oss") {
    s.qkv_bias = s.o_bias = r.opt_boolean("attention_bias").value_or(true);
    s.mlp_bias = true;
    a.notes.push_back("gpt-oss: attention and expert projections carry biases; the router has a bias; per-head attention sinks");
  }

  // MLP widths and MoE.
  const bool is_moe = mt == "mixtral" || mt == "qwen2_moe" || mt == "qwen3_moe" ||
                      mt == "deepseek_v3" || mt == "gpt_oss";
  std::vector<bool> moe_layer(static_cast<std::size_t>(a.layers), is_moe);
  if (mt == "gpt_oss") {
    a.intermediate = read_pos(r, "intermediate_size", 10'000'000);
  } else if (mt == "qwen3_moe" || mt == "qwen2_moe") {
    a.intermediate = r.opt_integer("intermediate_size", 1, 10'000'000, "").value_or(0);
  } else {
    a.intermediate = read_pos(r, "intermediate_size", 10'000'000);
  }
  if (is_moe) {
    if (mt == "mixtral" || mt == "gpt_oss") {
      a.experts = read_pos(r, "num_local_experts", 100'000);
      a.experts_per_token = read_pos(r, "num_experts_per_tok", 100'000);
      if (mt == "gpt_oss") r.ignore("experts_per_token");  // duplicate of num_experts_per_tok
      a.moe_intermediate = a.intermediate;
    } else if (mt == "deepseek_v3") {
      a.experts = read_pos(r, "n_routed_experts", 100'000);
      a.experts_per_token = read_pos(r, "num_experts_per_tok", 100'000);
      a.shared_experts = r.opt_integer("n_shared_experts", 0, 1000, "").value_or(0);
      a.moe_intermediate = read_pos(r, "moe_intermediate_size", 10'000'000);
      a.shared_intermediate = a.moe_intermediate * a.shared_experts;
      std::int64_t first_dense = r.opt_integer("first_k_dense_replace", 0, a.layers, "").value_or(0);
      std::int64_t freq = r.opt_integer("moe_layer_freq", 1, a.layers, "").value_or(1);
      for (std::int64_t i = 0; i < a.layers; ++i)
        moe_layer[i] = i >= first_dense && i % freq == 0;
    } else {  // qwen2_moe, qwen3_moe
      a.experts = read_pos(r, "num_experts", 100'000);
      a.experts_per_token = read_pos(r, "num_experts_per_tok", 100'000);
      a.moe_intermediate = read_pos(r, "moe_intermediate_size", 10'000'000);
      if (mt == "qwen2_moe")
        a.shared_intermediate = r.opt_integer("shared_expert_intermediate_size", 0, 10'000'000, "").value_or(0);
      std::int64_t step = r.opt_integer("decoder_sparse_step", 1, a.layers, "").value_or(1);
      std::vector<std::int64_t> mlp_only;
      if (const json* m = r.find("mlp_only_layers")) {
        if (!m->is_array()) r.error("wrong_type", "mlp_only_layers", "expected an array of layer indices");
        for (std::size_t i = 0; i < m->size(); ++i)
          mlp_only.push_back(as_integer((*m)[i], r.path_of("mlp_only_layers") + "/" + std::to_string(i), 0,
                                        a.layers - 1, "", file));
      }
      for (std::int64_t i = 0; i < a.layers; ++i)
        moe_layer[i] = (i + 1) % step == 0 &&
                       std::find(mlp_only.begin(), mlp_only.end(), i) == mlp_only.end();
      if (a.intermediate == 0 &&
          std::find(moe_layer.begin(), moe_layer.end(), false) != moe_layer.end())
        r.error("missing_field", "intermediate_size", "dense layers need intermediate_size");
    }
    if (a.experts_per_token > a.experts)
      r.error("invalid_combination", "num_experts_per_tok", "more experts per token than experts");
  }

  // MLA.
  if (mt == "deepseek_v3") {
    a.mla = true;
    a.q_lora_rank = r.opt_integer("q_lora_rank", 0, 1'000'000, "").value_or(0);
    a.kv_lora_rank = read_pos(r, "kv_lora_rank", 1'000'000);
    a.qk_rope_head_dim = read_pos(r, "qk_rope_head_dim", 100'000);
    a.qk_nope_head_dim = read_pos(r, "qk_nope_head_dim", 100'000);
    a.v_head_dim = read_pos(r, "v_head_dim", 100'000);
    a.head_dim = a.qk_nope_head_dim + a.qk_rope_head_dim;
    a.kv_heads = a.heads;  // MLA: every head reads the shared latent
    a.notes.push_back("DeepSeek-V3 MLA: the cache holds kv_lora_rank + qk_rope_head_dim values per layer per token; MTP layers are not counted");
  }

  // Sliding windows per layer.
  std::vector<std::int64_t> window(static_cast<std::size_t>(a.layers), 0);
  std::optional<std::int64_t> sw;
  if (r.has("sliding_window")) sw = r.integer("sliding_window", 1, 1'000'000'000, "tokens");
  else r.ignore("sliding_window");
  if (mt == "qwen2" || mt == "qwen2_moe" || mt == "qwen3" || mt == "qwen3_moe") {
    bool use = r.opt_boolean("use_sliding_window").value_or(false);
    std::int64_t max_window_layers = r.opt_integer("max_window_layers", 0, 100'000, "").value_or(a.layers);
    if (use && sw)
      for (std::int64_t i = max_window_layers; i < a.layers; ++i) window[i] = *sw;
  } else if (mt == "gemma2") {
    if (!sw) r.error("missing_field", "sliding_window", "Gemma 2 needs sliding_window");
    // Gemma 2's config repeats the window as sliding_window_size.
    if (auto sws = r.opt_integer("sliding_window_size", 1, 1'000'000'000, "tokens"); sws && *sws != *sw)
      r.error("invalid_combination", "sliding_window_size", "sliding_window_size differs from sliding_window");
    for (std::int64_t i = 0; i < a.layers; i += 2) window[i] = *sw;
  } else if (mt == "gpt_oss") {
    const json& lt = r.array("layer_types");
    if (static_cast<std::int64_t>(lt.size()) != a.layers)
      r.error("invalid_combination", "layer_types", "layer_types must list num_hidden_layers entries");
    for (std::int64_t i = 0; i < a.layers; ++i) {
      std::string t = as_string(lt[i], r.path_of("layer_types") + "/" + std::to_string(i), file);
      if (t == "sliding_attention") {
        if (!sw) r.error("missing_field", "sliding_window", "sliding layers need sliding_window");
        window[i] = *sw;
      } else if (t != "full_attention") {
        r.error("out_of_range", "layer_types", "layer type \"" + t.substr(0, 40) + "\" is not modelled");
      }
    }
  } else if (sw) {  // llama, mistral (v0.1: all layers), mixtral, phi3
    for (auto& w : window) w = *sw;
  }

  // Weight inventory.
  const std::int64_t h = a.hidden, d = a.head_dim;
  a.globals.push_back(linear("embedding", "embedding", a.vocab, h, Split::vocab));
  for (std::int64_t i = 0; i < a.layers; ++i) {
    Layer L;
    L.window = window[i];
    L.moe = moe_layer[i];
    L.mla = a.mla;
    auto& T = L.tensors;
    if (a.mla) {
      const std::int64_t qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
      if (a.q_lora_rank > 0) {
        T.push_back(linear("attn_q", "q_a_proj", h, a.q_lora_rank, Split::replicated));
        T.push_back(norm(a.q_lora_rank, false));
        T.push_back(linear("attn_q", "q_b_proj", a.q_lora_rank, a.heads * qk, Split::column));
      } else {
        T.push_back(linear("attn_q", "q_proj", h, a.heads * qk, Split::column));
      }
      T.push_back(linear("attn_k", "kv_a_proj", h, a.kv_lora_rank + a.qk_rope_head_dim, Split::replicated));
      T.push_back(norm(a.kv_lora_rank, false));
      T.push_back(linear("attn_v", "kv_b_proj", a.kv_lora_rank,
                         a.heads * (a.qk_nope_head_dim + a.v_head_dim), Split::column));
      T.push_back(linear("attn_o", "o_proj", a.heads * a.v_head_dim, h, Split::row));
    } else {
      T.push_back(linear("attn_q", "qkv_proj", h, a.heads * d, Split::column, s.qkv_bias));
      T.push_back(linear("attn_k", "qkv_proj", h, a.kv_heads * d, Split::kv_heads, s.qkv_bias));
      T.push_back(linear("attn_v", "qkv_proj", h, a.kv_heads * d, Split::kv_heads, s.qkv_bias));
      T.push_back(linear("attn_o", "o_proj", a.heads * d, h, Split::row, s.o_bias));
      if (s.qk_norm) T.push_back(norm(d, false, 2));
    }
    if (mt == "gpt_oss") {
      // Sinks: one learned logit per attention head.
      T.push_back(linear("norm", "attention", 1, a.heads, Split::column));
    }
    T.push_back(norm(h, s.layer_norm_bias, s.norms_per_layer));
    if (L.moe) {
      T.push_back(linear("router", "router", h, a.experts, Split::replicated, mt == "gpt_oss"));
      if (mt == "deepseek_v3")  // e_score_correction_bias
        T.push_back(linear("router", "router", 1, a.experts, Split::replicated));
      const std::int64_t I = a.moe_intermediate;
      T.push_back(linear("experts", "experts_gate_up", h, 2 * I, Split::column, s.mlp_bias, a.experts, true));
      T.push_back(linear("experts", "experts_down", I, h, Split::row, s.mlp_bias, a.experts, true));
      if (a.shared_intermediate > 0) {
        T.push_back(linear("mlp_gate", "shared_gate_up", h, a.shared_intermediate, Split::column));
        T.push_back(linear("mlp_up", "shared_gate_up", h, a.shared_intermediate, Split::column));
        T.push_back(linear("mlp_down", "shared_down", a.shared_intermediate, h, Split::row));
        if (mt == "qwen2_moe") T.push_back(linear("router", "router", h, 1, Split::replicated));
      }
    } else if (a.gated_mlp) {
      T.push_back(linear("mlp_gate", "gate_up_proj", h, a.intermediate, Split::column, s.mlp_bias));
      T.push_back(linear("mlp_up", "gate_up_proj", h, a.intermediate, Split::column, s.mlp_bias));
      T.push_back(linear("mlp_down", "down_proj", a.intermediate, h, Split::row, s.mlp_bias));
    } else {
      T.push_back(linear("mlp_up", "fc1", h, a.intermediate, Split::column, s.mlp_bias));
      T.push_back(linear("mlp_down", "fc2", a.intermediate, h, Split::row, s.mlp_bias));
    }
    a.layer.push_back(std::move(L));
  }
  a.globals.push_back(norm(h, s.layer_norm_bias));
  Tensor head = linear("lm_head", "lm_head", h, a.vocab, Split::vocab, s.lm_head_bias);
  a.globals.push_back(head);

  // Absurd shapes would overflow the integer counts (and describe no real model):
  // the largest published models have about 2 x 10^12 parameters.
  {
    double total = 0;
    auto add = [&](const Tensor& t) {
      total += static_cast<double>(t.count) * static_cast<double>(t.k) * static_cast<double>(t.n);
    };
    for (const auto& t : a.globals) add(t);
    for (const auto& l : a.layer)
      for (const auto& t : l.tensors) add(t);
    if (total > 1e15)
      r.error("out_of_range", "num_hidden_layers",
              "this config describes " + format_number(total) + " parameters; whichgpu models up to 10^15");
  }
  try {
    r.finish();
  } catch (const Error& e) {
    throw Error(e.code,
                std::string("config.json: ") + e.what() +
                    "; whichgpu does not ignore a key it does not know, since it could change the architecture",
                e.path, e.file);
  }
  return a;
}

}  // namespace whichgpu
