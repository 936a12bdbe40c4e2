// scenarios.mjs: page states (as the URL hash carries them) and the exact
// requests the CLI gets for the same questions.
export function defaultState() {
  return {
    model: 'meta-llama-3.1-70b', cfg: null, wp: 'bf16', kv: '', in: 1024, out: 256, loadMode: 'concurrency', load: 1,
    ttft: 2, tpot: 0.1, engine: '', profile: 'on-demand-tier2',
    opts: [
      { hw: 'nvidia-a100-sxm-80gb', dev: 2, tp: 2, pp: 1, off: false, host: 'amd-epyc-9654', hostMem: null, gpuLayers: 'auto', price: null },
      { hw: 'nvidia-h100-sxm-80gb', dev: 2, tp: 2, pp: 1, off: false, host: 'amd-epyc-9654', hostMem: null, gpuLayers: 'auto', price: null },
      { hw: 'nvidia-h100-sxm-80gb', dev: 1, tp: 1, pp: 1, off: true, host: 'amd-epyc-9654', hostMem: null, gpuLayers: 'auto', price: null },
    ],
  };
}

export function encodeHash(state) {
  return 's=' + Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

const wl = (i, o, c) => ({ input_tokens: i, output_tokens: o, concurrency: c });
const opt = (hw, dev, tp, extra) => Object.assign({ hw, dev, tp, pp: 1, off: false, host: 'amd-epyc-9654', hostMem: null, gpuLayers: 'auto', price: null }, extra || {});

const s2 = Object.assign(defaultState(), { model: 'qwen3-8b', wp: '', in: 2048, out: 512, load: 16, ttft: 1, tpot: 0.05,
  opts: [opt('nvidia-l4-24gb', 1, 1), opt('nvidia-rtx-4090-24gb', 1, 1), opt('nvidia-l40s-48gb', 1, 1)] });
const s3 = Object.assign(defaultState(), { model: 'mixtral-8x7b', wp: 'fp8-w8a16', kv: 'fp8-w8a8', in: 512, out: 128, loadMode: 'rate', load: 2, ttft: null, tpot: null,
  engine: 'sglang', profile: 'on-demand-hyperscaler',
  opts: [opt('nvidia-a100-sxm-80gb', 2, 2, { price: 1.5 }), opt('amd-mi300x', 1, 1), opt('nvidia-h100-sxm-80gb', 4, 2, { pp: 2 })] });

export const SCENARIOS = [
  {
    name: 'default: Llama-3.1-70B BF16 on 2x A100 / 2x H100 / 1x H100 + EPYC offload',
    state: defaultState(),
    requests: [
      { model: 'meta-llama-3.1-70b', precision: { weights: 'bf16' }, workload: wl(1024, 256, 1), slo: { ttft_s: 2, tpot_s: 0.1 }, price_profile: 'on-demand-tier2', hardware: 'nvidia-a100-sxm-80gb', devices: 2, parallelism: { tensor: 2, pipeline: 1 } },
      { model: 'meta-llama-3.1-70b', precision: { weights: 'bf16' }, workload: wl(1024, 256, 1), slo: { ttft_s: 2, tpot_s: 0.1 }, price_profile: 'on-demand-tier2', hardware: 'nvidia-h100-sxm-80gb', devices: 2, parallelism: { tensor: 2, pipeline: 1 } },
      { model: 'meta-llama-3.1-70b', precision: { weights: 'bf16' }, workload: wl(1024, 256, 1), slo: { ttft_s: 2, tpot_s: 0.1 }, price_profile: 'on-demand-tier2', hardware: 'nvidia-h100-sxm-80gb', devices: 1, parallelism: { tensor: 1, pipeline: 1 },
        offload: { mode: 'layers', gpu_layers: 'auto', host: 'amd-epyc-9654' } },
    ],
    decide: { model: 'meta-llama-3.1-70b', workload: wl(1024, 256, 1), slo: { ttft_s: 2, tpot_s: 0.1 }, price_profile: 'on-demand-tier2',
      candidates: { hardware: ['nvidia-a100-sxm-80gb', 'nvidia-h100-sxm-80gb'], precisions: ['bf16'], allow_offload: true, offload_host: 'amd-epyc-9654' } },
  },
  {
    name: 'Qwen3-8B, 16 users, SLO, on 24 GB cards',
    state: s2,
    requests: ['nvidia-l4-24gb', 'nvidia-rtx-4090-24gb', 'nvidia-l40s-48gb'].map((hw) => ({ model: 'qwen3-8b', workload: wl(2048, 512, 16), slo: { ttft_s: 1, tpot_s: 0.05 }, price_profile: 'on-demand-tier2', hardware: hw, devices: 1, parallelism: { tensor: 1, pipeline: 1 } })),
  },
  {
    name: 'Mixtral-8x7B FP8 at 2 req/s on SGLang, own price, TP x PP',
    state: s3,
    requests: [
      { hardware: 'nvidia-a100-sxm-80gb', devices: 2, parallelism: { tensor: 2, pipeline: 1 }, price_per_device_hour_usd: 1.5 },
      { hardware: 'amd-mi300x', devices: 1, parallelism: { tensor: 1, pipeline: 1 } },
      { hardware: 'nvidia-h100-sxm-80gb', devices: 4, parallelism: { tensor: 2, pipeline: 2 } },
    ].map((x) => Object.assign({ model: 'mixtral-8x7b', precision: { weights: 'fp8-w8a16', kv_cache: 'fp8-w8a8' }, workload: { input_tokens: 512, output_tokens: 128, request_rate_per_s: 2 },
      engine: 'sglang', price_profile: 'on-demand-hyperscaler' }, x)),
  },
];
