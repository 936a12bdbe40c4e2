// Bad input is normal traffic: every class gets its code and JSON Pointer, never a crash.
#include "helpers.hpp"

using namespace wt;

namespace {
json base() {
  return json{{"model", "meta-llama-3.1-8b"}, {"hardware", "nvidia-h100-sxm-80gb"}, {"workload", workload(128, 128)}};
}
json raw_err(const std::string& text) {
  json r = json::parse(whichgpu::evaluate_json(text));
  REQUIRE_FALSE(r["ok"].get<bool>());
  return r["error"];
}
}  // namespace

TEST_CASE("malformed JSON", "[errors][issue2]") {
  json e = raw_err("{\"model\": ");
  CHECK(e["code"] == "invalid_json");
  CHECK(raw_err("")["code"] == "invalid_json");
  CHECK(raw_err("[1,2")["code"] == "invalid_json");
}

TEST_CASE("unknown catalog id gets the nearest suggestion", "[errors][issue2]") {
  json r = base();
  r["hardware"] = "nvidia-h100-sxm-80g";
  json e = eval_err(r);
  CHECK(e["code"] == "unknown_id");
  CHECK(e["path"] == "/hardware");
  CHECK(e["message"].get<std::string>().find("nvidia-h100-sxm-80gb") != std::string::npos);
  r = base();
  r["model"] = "llama-3.1-8b";
  e = eval_err(r);
  CHECK(e["code"] == "unknown_id");
  CHECK(e["path"] == "/model");
}

TEST_CASE("unknown key with did-you-mean", "[errors][issue2]") {
  json r = base();
  r["workload"]["output_token"] = 5;
  json e = eval_err(r);
  CHECK(e["code"] == "unknown_key");
  CHECK(e["path"] == "/workload/output_token");
  CHECK(e["message"].get<std::string>().find("output_tokens") != std::string::npos);
  r = base();
  r["prices"] = 1;
  CHECK(eval_err(r)["code"] == "unknown_key");
}

TEST_CASE("wrong types, including NaN-like strings", "[errors][issue2][issue10]") {
  json r = base();
  r["workload"]["input_tokens"] = "NaN";
  json e = eval_err(r);
  CHECK(e["code"] == "wrong_type");
  CHECK(e["path"] == "/workload/input_tokens");
  r = base();
  r["devices"] = "2";
  CHECK(eval_err(r)["path"] == "/devices");
  r = base();
  r["workload"]["input_tokens"] = 12.5;
  CHECK(eval_err(r)["code"] == "wrong_type");
  r = base();
  r["model"] = 7;
  CHECK(eval_err(r)["code"] == "wrong_type");
}

TEST_CASE("out of range and overflow", "[errors][issue2][issue10]") {
  json r = base();
  r["workload"]["output_tokens"] = 0;
  json e = eval_err(r);
  CHECK(e["code"] == "out_of_range");
  CHECK(e["path"] == "/workload/output_tokens");
  r = base();
  r["utilization"] = 1.5;
  CHECK(eval_err(r)["path"] == "/utilization");
  e = raw_err(R"({"model":"meta-llama-3.1-8b","hardware":"nvidia-h100-sxm-80gb","workload":{"input_tokens":1e400,"output_tokens":1}})");
  CHECK(e["code"] == "out_of_range");
  CHECK(e["path"] == "/workload/input_tokens");
  e = raw_err(R"({"a":[1,2,-1e999]})");
  CHECK(e["code"] == "out_of_range");
  CHECK(e["path"] == "/a/2");
}

TEST_CASE("tensor parallel that does not divide the attention heads", "[errors][issue2]") {
  json r = base();
  r["devices"] = 3;
  json e = eval_err(r);
  CHECK(e["code"] == "invalid_combination");
  CHECK(e["path"] == "/devices");
  r = base();
  r["parallelism"] = {{"tensor", 5}};
  CHECK(eval_err(r)["path"] == "/parallelism/tensor");
  r = base();
  r["devices"] = 4;
  r["parallelism"] = {{"tensor", 2}};
  CHECK(eval_err(r)["code"] == "invalid_combination");
}

TEST_CASE("limits: size, depth, duplicate keys", "[errors][issue10]") {
  std::string big = "{\"model\": \"" + std::string(1100000, 'x') + "\"}";
  CHECK(raw_err(big)["code"] == "too_large");
  std::string deep(100000, '[');
  CHECK(raw_err(deep)["code"] == "too_deep");
  json e = raw_err(R"({"model":"a","model":"b"})");
  CHECK(e["code"] == "duplicate_key");
  CHECK(e["path"] == "/model");
  e = raw_err(R"({"workload":{"input_tokens":1,"input_tokens":2}})");
  CHECK(e["path"] == "/workload/input_tokens");
}

TEST_CASE("missing fields name the field", "[errors][issue2]") {
  json r = base();
  r.erase("workload");
  json e = eval_err(r);
  CHECK(e["code"] == "missing_field");
  CHECK(e["path"] == "/workload");
  r = base();
  r["workload"].erase("input_tokens");
  CHECK(eval_err(r)["path"] == "/workload/input_tokens");
}

TEST_CASE("a good request still answers after bad ones", "[errors][issue10]") {
  for (int i = 0; i < 50; ++i) raw_err("{\"x\":" + std::to_string(i));
  json r = eval_ok(base());
  CHECK(r["memory"]["fits"].get<bool>());
}

TEST_CASE("config.json import: unsupported type and architecture-changing keys", "[errors][issue4]") {
  json cfg = cat().model("meta-llama-3.1-8b", "").hf_config;
  json r = base();
  r["model"] = {{"name", "mine"}, {"hf_config", cfg}};
  json same = eval_ok(r);
  json ref = eval_ok(base());
  CHECK(same["memory"] == ref["memory"]);
  CHECK(same["decode"] == ref["decode"]);
  CHECK(same["prefill"] == ref["prefill"]);

  json bad = cfg;
  bad["model_type"] = "mamba";
  r["model"]["hf_config"] = bad;
  json e = eval_err(r);
  CHECK(e["code"] == "unsupported_model_type");
  CHECK(e["message"].get<std::string>().find("llama") != std::string::npos);

  bad = cfg;
  bad["num_experts_shared_weird"] = 4;
  r["model"]["hf_config"] = bad;
  e = eval_err(r);
  CHECK(e["code"] == "unknown_key");
  CHECK(e["path"] == "/model/hf_config/num_experts_shared_weird");

  json harmless = cfg;
  harmless["initializer_range"] = 0.02;
  harmless["transformers_version"] = "9.9.9";
  harmless["pad_token_id"] = 0;
  r["model"]["hf_config"] = harmless;
  eval_ok(r);
}
