// A model's architecture, imported from a Hugging Face config.json, and its weight inventory.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "json_io.hpp"

namespace whichgpu {

// How tensor parallelism splits a tensor (vLLM's layers: column/row parallel
// linears, vocab-parallel embedding, replicated small tensors).
enum class Split { column, row, kv_heads, vocab, replicated };

// One weight tensor kind of a layer (or of the whole model when layer < 0):
// `count` copies of a K x N matrix (experts), plus an optional bias of N.
struct Tensor {
  std::string cls;  // precision class: embedding, lm_head, attn_q, attn_k, attn_v, attn_o,
                    // mlp_gate, mlp_up, mlp_down, experts, router, norm
  std::string op;   // operator it belongs to (qkv_proj, o_proj, gate_up_proj, ...)
  std::int64_t k = 0, n = 0;  // input and output features
  std::int64_t count = 1;     // experts
  bool bias = false;
  Split split = Split::replicated;
  bool routed = false;  // a routed expert: only the selected ones are read per token
  std::int64_t params() const { return count * (k * n + (bias ? n : 0)); }
};

// One decoder layer's shape.
struct Layer {
  std::int64_t window = 0;  // sliding-window length; 0 = full attention
  bool moe = false;
  std::vector<Tensor> tensors;  // weights of this layer
  std::string kind() const;     // "dense", "dense-swa", "moe", "moe-swa" (+ "mla-" prefix)
  bool mla = false;
};

struct Architecture {
  std::string model_type;
  std::int64_t hidden = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0;
  std::int64_t intermediate = 0, vocab = 0, max_position = 0;
  bool tied = false, gated_mlp = true, parallel_block = false;
  // MoE
  std::int64_t experts = 0, experts_per_token = 0, shared_experts = 0;
  std::int64_t moe_intermediate = 0, shared_intermediate = 0;
  // MLA (DeepSeek): latent KV cache of kv_lora_rank + qk_rope_head_dim per layer per token
  bool mla = false;
  std::int64_t q_lora_rank = 0, kv_lora_rank = 0, qk_rope_head_dim = 0, qk_nope_head_dim = 0,
               v_head_dim = 0;
  std::vector<Layer> layer;     // per decoder layer
  std::vector<Tensor> globals;  // embedding, final norm, lm_head
  std::vector<std::string> notes;  // facts the handler supplied that the config does not state

  // KV-cache elements (not bytes) one token adds in one layer, one copy.
  std::int64_t kv_elements_per_layer() const;
  // KV elements per token in one layer held by one tensor-parallel rank.
  std::int64_t kv_elements_per_layer_per_rank(int tp) const;
  std::int64_t total_params() const;
  // Parameters used per token: routed experts counted at experts_per_token.
  std::int64_t active_params() const;
  std::int64_t embedding_params() const;
};

// Builds the architecture from a config.json object. `path` is the JSON Pointer
// of the config in the request (or the catalog file) for error messages.
Architecture import_hf_config(const json& config, const std::string& path,
                              const std::string& file = "");

const std::vector<std::string>& supported_model_types();

}  // namespace whichgpu
