// The serving model (README, "Serving model"): a fixed point over step time,
// time-to-first-token and end-to-end latency for C clients per replica.
#include "serving.hpp"

#include <algorithm>
#include <cmath>

namespace whichgpu {
namespace {

// Steps of one request's prefill, chunked under the budget left by `decoding`
// sequences that share each step with it.
double prefill_with(const Scenario& sc, const Placement& pl, double decoding, double budget) {
  const double prompt = static_cast<double>(std::max<std::int64_t>(sc.wl.input_tokens, 1));
  const double ctx = static_cast<double>(sc.wl.input_tokens) + static_cast<double>(sc.wl.output_tokens) / 2.0;
  double avail = std::max(1.0, budget - decoding);
  double t = 0, done = 0;
  while (done < prompt) {
    double chunk = std::min(avail, prompt - done);
    std::vector<SeqGroup> g{SeqGroup{1, chunk, done}};
    if (decoding > 0) g.push_back(SeqGroup{decoding, 1, ctx});
    t += time_step(sc, g, "prefill", pl).total_s;
    done += chunk;
  }
  return t;
}

}  // namespace

ServingPoint ServingModel::at(double concurrency) const {
  const Parallelism& P = sc.par;
  const double I = static_cast<double>(sc.wl.input_tokens);
  const double O = static_cast<double>(sc.wl.output_tokens);
  const double per_replica = std::max(1.0, concurrency / P.data);
  const double S = std::min<double>(per_replica, static_cast<double>(std::max<std::int64_t>(cap, 1)));
  const double budget = sc.ep.chunked_prefill && sc.ep.max_num_batched_tokens > 0
                            ? static_cast<double>(sc.ep.max_num_batched_tokens)
                            : std::max(1.0, I) + S;
  const double ctx = I + O / 2.0;
  const double others = S - 1.0;

  // Isolated figures first: at S = 1 they are the answer.
  double tau = time_decode(sc, 1, pl).total_s;
  double ttft = prefill.total_s;
  double e2e = ttft + (O - 1) * tau;
  if (others > 0) {
    for (int it = 0; it < 60; ++it) {
      const double f_dec = O > 1 ? std::min(1.0, (O - 1) * tau / e2e) : 0.0;
      // What a decoding sequence shares its steps with: the others that are decoding,
      // and the others' prefill tokens, spread over the steps.
      const double n_dec = 1.0 + others * f_dec;
      double p_tok = std::min(others * (std::max(I, 1.0) / e2e) * tau, std::max(0.0, budget - n_dec));
      std::vector<SeqGroup> g{SeqGroup{n_dec, 1, ctx}};
      if (p_tok > 0) g.push_back(SeqGroup{1, p_tok, std::max(0.0, I / 2.0 - p_tok / 2.0)});
      StepTime st = time_step(sc, g, "decode", pl);
      // Pipeline: micro-batches overlap once there are at least as many as stages.
      double m = std::min<double>(S, P.pipeline);
      double tau_new = std::max(st.total_s, m * st.max_stage_s);
      // A new request's prefill shares steps with the decoding others.
      double service = prefill_with(sc, pl, others * f_dec, budget);
      // Waiting: the step in flight, then an M/D/1 queue of prefill chunks for the
      // budget the decodes leave.
      const double avail = std::max(1.0, budget - n_dec);
      const double n_chunks = std::ceil(std::max(I, 1.0) / avail);
      const double rho = std::min(0.95, others * (std::max(I, 1.0) / e2e) * tau_new / avail);
      double wait = 0.5 * tau_new + rho / (2 * (1 - rho)) * (service / n_chunks);
      double ttft_new = service + wait;
      // Prefill capacity bounds the request rate: S x I / e2e <= budget / tau.
      double e2e_new = ttft_new + (O - 1) * tau_new;
      double floor_e2e = S * std::max(I, 1.0) * tau_new / avail;
      if (e2e_new < floor_e2e) {
        ttft_new += floor_e2e - e2e_new;
        e2e_new = floor_e2e;
      }
      double next_e2e = 0.5 * e2e + 0.5 * e2e_new;
      bool done = std::fabs(next_e2e - e2e) < 1e-9 * e2e && std::fabs(tau_new - tau) < 1e-9 * tau;
      tau = tau_new;
      ttft = ttft_new;
      e2e = next_e2e;
      if (done) break;
    }
    e2e = ttft + (O - 1) * tau;
  }
  ServingPoint p;
  p.concurrency = concurrency;
  p.running_per_replica = S;
  p.tpot_s = tau;
  double replica_req_per_s = S / e2e;
  if (per_replica > S + 1e-9) {
    // Closed loop beyond the running cap: clients queue for a slot.
    p.queued = true;
    double client_e2e = per_replica / replica_req_per_s;
    ttft += client_e2e - e2e;
    e2e = client_e2e;
  }
  p.ttft_s = ttft;
  p.e2e_s = e2e;
  p.requests_per_s = replica_req_per_s * P.data;
  p.output_tokens_per_s = p.requests_per_s * O;
  p.input_tokens_per_s = p.requests_per_s * I;
  return p;
}

ServingPoint ServingModel::at_rate(double rate, bool* saturated) const {
  const double max_c = static_cast<double>(std::max<std::int64_t>(cap, 1)) * sc.par.data;
  ServingPoint top = at(max_c);
  *saturated = rate > top.requests_per_s;
  if (*saturated) return top;
  ServingPoint one = at(1);
  if (rate * one.e2e_s <= 1.0) {
    // Mostly idle: requests rarely overlap, so they see the isolated figures.
    one.concurrency = rate * one.e2e_s;
    one.requests_per_s = rate;
    one.output_tokens_per_s = rate * static_cast<double>(sc.wl.output_tokens);
    one.input_tokens_per_s = rate * static_cast<double>(sc.wl.input_tokens);
    return one;
  }
  double lo = 1, hi = max_c;
  for (int i = 0; i < 60; ++i) {
    double mid = 0.5 * (lo + hi);
    if (at(mid).requests_per_s < rate) lo = mid;
    else hi = mid;
  }
  ServingPoint p = at(hi);
  return p;
}

bool ServingModel::meets(const ServingPoint& p) const {
  const Slo& s = sc.slo;
  return (!s.ttft_s || p.ttft_s <= *s.ttft_s) && (!s.tpot_s || p.tpot_s <= *s.tpot_s) &&
         (!s.e2e_s || p.e2e_s <= *s.e2e_s);
}

std::int64_t ServingModel::max_within_slo(std::int64_t max) const {
  if (max < 1 || !meets(at(1))) return 0;
  // Latencies grow with concurrency: bisect on the largest C that meets the SLO.
  std::int64_t lo = 1, hi = max;
  if (meets(at(static_cast<double>(hi)))) return hi;
  while (hi - lo > 1) {
    std::int64_t mid = lo + (hi - lo) / 2;
    if (meets(at(static_cast<double>(mid)))) lo = mid;
    else hi = mid;
  }
  return lo;
}

}  // namespace whichgpu
