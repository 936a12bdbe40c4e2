#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ (run from anywhere).

Seeds are real requests (valid ones across models, hardware, precisions,
offload, open/closed loop, SLOs) plus deliberately broken ones, and the
hf_config objects of data/models/*.json. Re-running overwrites the seed_*
files only; inputs libFuzzer added later (hash names) are left alone.
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"


def write(target, name, obj):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    text = obj if isinstance(obj, str) else json.dumps(obj, indent=1, sort_keys=True)
    (d / f"seed_{name}").write_text(text)


def wl(i, o, c=None, rate=None):
    w = {"input_tokens": i, "output_tokens": o}
    if c is not None:
        w["concurrency"] = c
    if rate is not None:
        w["request_rate_per_s"] = rate
    return w


# --- evaluate -------------------------------------------------------------------
EV = "fuzz_evaluate"
good = {
    "llama8b_h100": {"model": "meta-llama-3.1-8b", "hardware": "nvidia-h100-sxm-80gb", "workload": wl(1024, 256, 16)},
    "llama70b_h100_tp2_fp8": {"model": "meta-llama-3.1-70b", "hardware": "nvidia-h100-sxm-80gb", "devices": 2,
                              "precision": {"weights": "fp8-w8a8", "kv_cache": "fp8-w8a8"}, "workload": wl(2048, 512, "max")},
    "llama70b_a100_awq": {"model": "meta-llama-3.1-70b", "hardware": "nvidia-a100-sxm-80gb", "devices": 2,
                          "precision": {"weights": "awq-w4a16-g128"}, "workload": wl(512, 128, 8),
                          "slo": {"ttft_s": 2.0, "tpot_s": 0.05}},
    "mixtral_mi300x_rate": {"model": "mixtral-8x7b", "hardware": "amd-mi300x", "workload": wl(1000, 200, rate=2.5),
                            "price_profile": "spot", "utilization": 0.6},
    "deepseek_h100_tp8": {"model": "deepseek-v3", "hardware": "nvidia-h100-sxm-80gb", "devices": 8,
                          "precision": {"weights": "fp8-w8a8"}, "workload": wl(4096, 1024, 32),
                          "slo": {"e2e_s": 60}, "demand": {"requests_per_s": 10}},
    "gemma9b_epyc_q4": {"model": "gemma-2-9b", "hardware": {"id": "amd-epyc-9654", "memory_GiB": 384},
                        "precision": {"weights": "q4_k_m"}, "workload": wl(256, 128, 2)},
    "gptoss20b_m2ultra": {"model": "gpt-oss-20b", "hardware": "apple-m2-ultra", "workload": wl(128, 128)},
    "llama70b_offload_layers": {"model": "meta-llama-3.1-70b", "hardware": "nvidia-a100-sxm-80gb",
                                "precision": {"weights": "bf16"},
                                "offload": {"mode": "layers", "gpu_layers": "auto", "host": "amd-epyc-9654",
                                            "host_memory_GiB": 512, "kv_cache_on": "gpu"},
                                "workload": wl(512, 64)},
    "deepseek_offload_stream": {"model": "deepseek-v3", "hardware": "nvidia-h100-sxm-80gb",
                                "offload": {"mode": "stream", "host": "amd-epyc-9654", "host_memory_GiB": 256,
                                            "disk": "nvme-pcie5"},
                                "precision": {"weights": "q4_k_m"}, "workload": wl(128, 32)},
    "llama8b_engine_opts_pipeline": {"model": "meta-llama-3.1-8b", "hardware": "nvidia-a100-sxm-80gb", "devices": 4,
                                     "parallelism": {"tensor": 2, "pipeline": 2, "data": 1}, "engine": "vllm",
                                     "engine_options": {"gpu_memory_utilization": 0.85, "max_num_seqs": 64,
                                                        "max_num_batched_tokens": 4096, "kv_block_tokens": 32,
                                                        "memory_efficiency": 0.8,
                                                        "compute_efficiency": {"bf16": 0.7, "fp8": 0.6},
                                                        "kernel_latency_s": 5e-6, "step_overhead_s": 0.002},
                                     "price_per_device_hour_usd": 1.8, "workload": wl(3000, 300, 64),
                                     "demand": {"output_tokens_per_day": 1e9}},
    "custom_config_h100": {"model": {"name": "tiny", "hf_config": json.loads(json.dumps(
        json.load(open(ROOT / "data/models/meta-llama-3.1-8b.json"))["hf_config"]))},
                           "hardware": {"id": "my-gpu", "kind": "gpu", "memory_GiB": 48, "memory_bandwidth_GBps": 900,
                                        "dense_peak_TFLOPS": {"bf16": 180, "fp16": 180},
                                        "compute_efficiency": {"bf16": 0.85}},
                           "workload": wl(64, 64, "max")},
    "mixtral_h100_tp2_trtllm": {"model": "mixtral-8x7b", "hardware": "nvidia-h100-sxm-80gb", "devices": 2,
                                "engine": "tensorrt-llm", "precision": {"weights": "fp8-w8a8"},
                                "workload": wl(1024, 1024, 128)},
}
for k, v in good.items():
    write(EV, k, v)
bad = {
    "bad_not_json": "{\"model\": \"meta-llama-3.1-8b\", \"hardware\": ",
    "bad_overflow": "{\"model\": \"meta-llama-3.1-8b\", \"hardware\": \"nvidia-h100-sxm-80gb\", \"workload\": {\"input_tokens\": 1e400, \"output_tokens\": 1}}",
    "bad_duplicate_key": "{\"model\": \"meta-llama-3.1-8b\", \"model\": \"gemma-2-9b\", \"hardware\": \"amd-mi300x\", \"workload\": {\"input_tokens\": 1, \"output_tokens\": 1}}",
    "bad_deep": "[" * 70 + "]" * 70,
    "bad_nan_string": {"model": "meta-llama-3.1-8b", "hardware": "nvidia-h100-sxm-80gb", "workload": wl("NaN", 1)},
    "bad_unknown_key": {"model": "meta-llama-3.1-8b", "hardwre": "nvidia-h100-sxm-80gb", "workload": wl(1, 1)},
    "bad_tp3": {"model": "meta-llama-3.1-70b", "hardware": "nvidia-h100-sxm-80gb", "devices": 3, "workload": wl(1, 1)},
    "bad_offload_multi": {"model": "meta-llama-3.1-70b", "hardware": "nvidia-h100-sxm-80gb", "devices": 2,
                          "offload": {"mode": "layers", "gpu_layers": 99, "host": "nvidia-a100-sxm-80gb"}, "workload": wl(1, 1)},
    "bad_conc_and_rate": {"model": "gemma-2-9b", "hardware": "amd-mi300x", "workload": wl(10, 10, 4, 1.0)},
    "bad_unknown_ids": {"model": "llama-3-8b", "hardware": "h100", "precision": {"weights": "int3"}, "workload": wl(1, 1)},
}
for k, v in bad.items():
    write(EV, k, v)

# --- decide ---------------------------------------------------------------------
DE = "fuzz_decide"
dec = {
    "llama8b_gpus": {"model": "meta-llama-3.1-8b", "workload": wl(1024, 256, 16), "slo": {"tpot_s": 0.05},
                     "candidates": {"hardware": ["nvidia-h100-sxm-80gb", "nvidia-a100-sxm-80gb"], "precisions": ["bf16", "fp8-w8a8"]}},
    "llama70b_budget": {"model": "meta-llama-3.1-70b", "workload": wl(2048, 512, "max"), "budget": {"usd_per_hour": 20},
                        "rank_by": "throughput",
                        "candidates": {"hardware": ["nvidia-h100-sxm-80gb", "amd-mi300x"], "devices": [2, 4],
                                       "precisions": ["fp8-w8a8", "awq-w4a16-g128"]}},
    "mixtral_latency": {"model": "mixtral-8x7b", "workload": wl(512, 128, 4), "rank_by": "latency",
                        "slo": {"ttft_s": 1, "e2e_s": 20},
                        "candidates": {"hardware": ["amd-mi300x", "nvidia-a100-sxm-80gb"], "engines": ["vllm", "sglang"]}},
    "gemma_cpu": {"model": "gemma-2-9b", "workload": wl(256, 128), "candidates": {"kinds": ["cpu", "unified"],
                  "hardware": ["amd-epyc-9654", "apple-m2-ultra"], "precisions": ["q4_k_m", "q8_0"]}},
    "deepseek_offload": {"model": "deepseek-v3", "workload": wl(128, 32), "precision": {"kv_cache": "fp8-w8a8"},
                         "candidates": {"hardware": ["nvidia-h100-sxm-80gb"], "devices": [8], "precisions": ["fp8-w8a8", "q4_k_m"],
                                        "allow_offload": True, "offload_host": "amd-epyc-9654",
                                        "offload_host_memory_GiB": 768}},
    "gptoss_rate": {"model": "gpt-oss-20b", "workload": wl(1000, 200, rate=3), "budget": {"usd_per_month": 5000},
                    "price_profile": "reserved-1y", "utilization": 0.5,
                    "candidates": {"hardware": ["nvidia-a100-sxm-80gb", "apple-m2-ultra"], "allow_offload": False}},
    "llama8b_demand": {"model": "meta-llama-3.1-8b", "workload": wl(500, 500, 32), "demand": {"output_tokens_per_day": 5e8},
                       "engine_options": {"memory_efficiency": 0.7}, "candidates": {"hardware": ["nvidia-a100-sxm-80gb"],
                                                                                     "precisions": ["bf16"]}},
    "custom_model": {"model": {"name": "m", "hf_config": json.load(open(ROOT / "data/models/mixtral-8x7b.json"))["hf_config"]},
                     "workload": wl(100, 100, 2), "candidates": {"hardware": ["nvidia-h100-sxm-80gb"], "precisions": ["bf16"]}},
    "no_candidates": {"model": "meta-llama-3.1-8b", "workload": wl(128, 128)},
    "empty_hardware": {"model": "gemma-2-9b", "workload": wl(128, 128), "candidates": {"hardware": [], "kinds": ["gpu"]}},
    "price_override": {"model": "meta-llama-3.1-70b", "workload": wl(1024, 128, 8), "price_per_device_hour_usd": 2.5,
                       "candidates": {"hardware": ["nvidia-h100-sxm-80gb", "nvidia-a100-sxm-80gb"], "devices": [2],
                                      "precisions": ["bf16"]}},
    "slo_all": {"model": "mixtral-8x7b", "workload": wl(2048, 256, 16), "slo": {"ttft_s": 0.5, "tpot_s": 0.03, "e2e_s": 10},
                "candidates": {"hardware": ["amd-mi300x"], "precisions": ["bf16", "fp8-w8a8"], "devices": [1, 2]}},
}
for k, v in dec.items():
    write(DE, k, v)
dbad = {
    "bad_not_json": "{\"model\": [",
    "bad_kind": {"model": "meta-llama-3.1-8b", "workload": wl(1, 1), "candidates": {"kinds": ["tpu"]}},
    "bad_rank_by": {"model": "meta-llama-3.1-8b", "workload": wl(1, 1), "rank_by": "speed",
                    "candidates": {"hardware": ["nvidia-h100-sxm-80gb"]}},
    "bad_devices": {"model": "meta-llama-3.1-8b", "workload": wl(1, 1), "candidates": {"devices": [0, "2"]}},
    "bad_host": {"model": "meta-llama-3.1-8b", "workload": wl(1, 1), "candidates": {"offload_host": "nvidia-h100-sxm-80gb"}},
    "bad_precision": {"model": "meta-llama-3.1-8b", "workload": wl(1, 1), "candidates": {"precisions": ["fp9"]}},
    "bad_budget": {"model": "meta-llama-3.1-8b", "workload": wl(1, 1), "budget": {"usd_per_hour": -1}},
    "bad_missing_workload": {"model": "meta-llama-3.1-8b"},
    "bad_overflow": "{\"model\": \"meta-llama-3.1-8b\", \"workload\": {\"input_tokens\": 1, \"output_tokens\": 1}, \"budget\": {\"usd_per_hour\": -1e999}}",
}
for k, v in dbad.items():
    write(DE, k, v)

# --- config import -----------------------------------------------------------------
CI = "fuzz_config_import"
for f in sorted((ROOT / "data/models").glob("*.json")):
    write(CI, f.stem, json.load(open(f))["hf_config"])
base = json.load(open(ROOT / "data/models/meta-llama-3.1-8b.json"))["hf_config"]
cbad = {
    "bad_model_type": dict(base, model_type="bert"),
    "bad_heads": dict(base, num_key_value_heads=5),
    "bad_unknown_key": dict(base, num_experts_sparse=3),
    "bad_negative": dict(base, hidden_size=-4096),
    "bad_huge": dict(base, hidden_size=1000000, num_hidden_layers=10000, vocab_size=10000000, intermediate_size=10000000),
    "bad_not_object": "[1, 2, 3]",
}
for k, v in cbad.items():
    write(CI, k, v)

# --- dictionary (whichgpu.dict): request keys, catalog ids, config.json keys, edge numbers ----
KEYS = """model hardware devices parallelism tensor pipeline data precision weights kv_cache workload input_tokens
output_tokens concurrency request_rate_per_s demand requests_per_s output_tokens_per_day engine engine_options
gpu_memory_utilization max_num_seqs max_num_batched_tokens kv_block_tokens memory_efficiency compute_efficiency
kernel_latency_s collective_latency_s step_overhead_s slo ttft_s tpot_s e2e_s offload mode gpu_layers host
host_memory_GiB disk kv_cache_on price_per_device_hour_usd price_profile utilization budget usd_per_hour
usd_per_month rank_by candidates kinds precisions engines allow_offload offload_host offload_host_memory_GiB name
hf_config id kind memory_GiB memory_bandwidth_GBps dense_peak_TFLOPS usable_memory_MiB driver_reserved_MiB
interconnect topology domain_size bandwidth_GBps host_link efficiency_family cpu unified max auto layers stream gpu
accelerator cost latency throughput spot reserved-1y on-demand-tier2 on-demand-hyperscaler bf16 fp16 fp32 fp8 int8
fp4 tf32 nvlink switch pcie none pairs mesh""".split()
toks = set(KEYS)
for kind in ("hardware", "models", "precisions", "engines", "disks"):
    toks.update(f.stem for f in (ROOT / "data" / kind).glob("*.json"))
for f in (ROOT / "data/models").glob("*.json"):
    for k, v in json.load(open(f))["hf_config"].items():
        toks.add(k)
        if isinstance(v, str):
            toks.add(v)
lines = ["# libFuzzer dictionary: request keys, catalog ids, config.json keys, edge numbers (written by gen_seeds.py)"]
lines += ['"%s"' % json.dumps(t).replace("\\", "\\\\").replace('"', '\\"') for t in sorted(toks)]
for t in ["{", "}", "[", "]", ":", ",", "true", "false", "null", "1e400", "-1", "0", "1e308", "4294967296",
          "9223372036854775807", "18446744073709551616", "-0", "0.5", '"NaN"', '"\\u0000"', '"\\ud800"']:
    lines.append('"%s"' % t.replace("\\", "\\\\").replace('"', '\\"'))
(HERE / "whichgpu.dict").write_text("\n".join(lines) + "\n")

print({t: len(list((CORPUS / t).glob("seed_*"))) for t in (EV, DE, CI)})
