// The serving model (README, "Serving model"): a fixed point over step time,
// time-to-first-token and end-to-end latency for C clients per replica.
#include "serving.hpp"

#include <algorithm>
#include <cmath>

namespace whichgpu {
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
  // TTFT carries the engine's per-request overhead (admission, tokenizing, sampling).
  const double ro = sc.ep.request_overhead_s;
  double ttft = prefill.total_s + ro;
  double e2e = ttft + (O - 1) * tau;
  if (others > 0) {
    // Unknown: u = step time / e2e. Given u, each step's load is known (the
    // others decode a share (O-1)u of the time and bring I tokens of prefill per
    // request), so the step time follows; the closed loop then requires
    // e2e = TTFT + (O-1) x step, i.e. h(u) = tau/u - TTFT - (O-1) tau = 0.
    const double prompt = std::max(I, 1.0);
    struct Eval {
      double tau, ttft, h;
    };
    auto eval = [&](double u) {
      const double f_dec = std::min(1.0, (O - 1) * u);
      const double n_dec = 1.0 + others * f_dec;
      const double avail = std::max(1.0, budget - n_dec);
      const double p_tok = std::min(others * prompt * u, avail);
      std::vector<SeqGroup> g{SeqGroup{n_dec, 1, ctx}};
      if (p_tok > 0) g.push_back(SeqGroup{1, p_tok, std::max(0.0, I / 2.0 - p_tok / 2.0)});
      StepTime st = time_step(sc, g, "decode", pl);
      // Pipeline: micro-batches overlap once there are at least as many as stages.
      const double m = std::min<double>(S, P.pipeline);
      Eval e;
      e.tau = std::max(st.total_s, m * st.max_stage_s);
      // A new request's prefill shares its steps with the decoding others; it waits
      // for the step in flight, then in an M/D/1 queue of chunks for the budget.
      const double service = time_chunked_prefill(sc, pl, budget, others * f_dec).total_s;
      const double n_chunks = std::ceil(prompt / avail);
      const double rho = std::min(0.95, others * prompt * u / avail);
      e.ttft = service + 0.5 * e.tau + rho / (2 * (1 - rho)) * (service / n_chunks) + ro;
      e.h = e.tau / u - e.ttft - (O - 1) * e.tau;
      return e;
    };
    // Solve in v = 1/u = e2e / tau, where the balance g(v) = v - TTFT/tau - (O-1)
    // is close to linear (h itself is hyperbolic in u): Illinois regula falsi
    // from v = O-1 (g = -TTFT/tau < 0) and a v large enough that g > 0.
    auto g_of = [](const Eval& e, double) { return e.h / e.tau; };  // = v - TTFT/tau - (O-1)
    double vlo = std::max(O - 1, 1e-9), vhi = std::max(2.0 * vlo, 2.0 * (ttft / tau + O));
    Eval elo = eval(1.0 / vlo), ehi = eval(1.0 / vhi);
    double glo = g_of(elo, vlo), ghi = g_of(ehi, vhi);
    for (int grow = 0; grow < 60 && ghi <= 0; ++grow) {
      vlo = vhi;
      elo = ehi;
      glo = ghi;
      vhi *= 2;
      ehi = eval(1.0 / vhi);
      ghi = g_of(ehi, vhi);
    }
    Eval best = ehi;
    int side = 0;
    for (int it = 0; it < 60 && glo < 0 && ghi > 0; ++it) {
      double v = (vlo * ghi - vhi * glo) / (ghi - glo);
      if (!(v > vlo && v < vhi)) v = 0.5 * (vlo + vhi);
      Eval e = eval(1.0 / v);
      double gv = g_of(e, v);
      best = e;
      if (gv < 0) {
        vlo = v;
        glo = gv;
        if (side == -1) ghi *= 0.5;
        side = -1;
      } else {
        vhi = v;
        ghi = gv;
        if (side == 1) glo *= 0.5;
        side = 1;
      }
      if (vhi - vlo < 1e-9 * vhi || std::fabs(gv) < 1e-9 * v) break;
    }
    // Prefill capacity: the budget left by the decodes must take the S requests'
    // prompts each e2e (S I u <= B - 1 - (S-1)(O-1)u). Beyond it the closed loop
    // runs at that capacity and the extra time is queueing before the first token.
    const double u_star = 1.0 / (glo < 0 && ghi > 0 ? 0.5 * (vlo + vhi) : vhi);
    const double u_cap = (budget - 1.0) / (S * prompt + others * std::max(O - 1, 0.0));
    if (u_star > u_cap && u_cap > 0) {
      Eval e = eval(u_cap);
      tau = e.tau;
      e2e = tau / u_cap;
      ttft = std::max(e.ttft, e2e - (O - 1) * tau);
      e2e = ttft + (O - 1) * tau;
    } else {
      tau = best.tau;
      ttft = best.ttft;
      e2e = ttft + (O - 1) * tau;
    }
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
