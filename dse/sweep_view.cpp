#include "dse/sweep_view.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace msqx::dse {

std::string RatioText(const PointResult& p) {
  if (p.ratio_sp2 == 0) return "fixed-only";
  if (p.ratio_fixed == 0) return "SP2-only";
  std::ostringstream os;
  os << "1:" << p.ratio_sp2 / p.ratio_fixed;
  return os.str();
}

bool RanksBefore(const PointResult& a, const PointResult* b) {
  if (!b) return true;
  const bool sa = a.simulated_ms >= 0, sb = b->simulated_ms >= 0;
  if (sa != sb) return sa;
  if (a.LatencyMs() != b->LatencyMs()) return a.LatencyMs() < b->LatencyMs();
  return a.index < b->index;
}

std::vector<TargetAnswer> Answers(const SweepData& sweep) {
  std::vector<TargetAnswer> answers(sweep.targets.size());
  for (std::size_t t = 0; t < answers.size(); ++t) {
    answers[t].target = static_cast<int>(t);
    answers[t].info = &sweep.targets[t];
  }
  const auto answer_of = [&](int target) -> TargetAnswer* {
    return target >= 0 && target < static_cast<int>(answers.size()) ? &answers[target] : nullptr;
  };
  std::map<int, std::map<std::string, std::int64_t>> rejected;
  std::vector<std::map<double, RatioAnswer>> ratios(answers.size());
  for (const PointResult& p : sweep.points) {
    TargetAnswer* a = answer_of(p.target);
    if (!a) continue;
    if (sweep.stride == 1) {  // without a search, the kept points are the scored ones
      ++a->evaluated;
      a->scored_feasible += p.status == PointStatus::kOk || p.status == PointStatus::kFailed;
      a->invalid += p.status == PointStatus::kInvalid;
      a->infeasible += p.status == PointStatus::kInfeasible;
      if (p.status == PointStatus::kInvalid || p.status == PointStatus::kInfeasible) {
        ++rejected[p.target]
                  [std::string(p.status == PointStatus::kInvalid ? "invalid: " : "over budget: ") +
                   p.reason.substr(0, p.reason.find(':'))];
      }
    }
    a->failed += p.status == PointStatus::kFailed;
    if (p.status != PointStatus::kOk) continue;
    a->simulated += p.simulated_ms >= 0;
    a->feasible.push_back(&p);
    if (RanksBefore(p, a->best)) a->best = &p;
    if (p.base) a->base = &p;
    if (p.ratio_sp2 == 0 && RanksBefore(p, a->fixed_only)) a->fixed_only = &p;
    RatioAnswer& r = ratios[static_cast<std::size_t>(p.target)][-p.FixedShare()];
    if (RanksBefore(p, r.best)) r = {RatioText(p), p.FixedShare(), &p};
  }
  for (const auto& entry : sweep.searches) {
    const SearchSummary& s = entry.second;
    TargetAnswer* a = answer_of(s.target);
    if (!a) continue;
    a->evaluated += s.evaluated;
    a->scored_feasible += s.feasible;
    a->invalid += s.invalid;
    a->infeasible += s.infeasible;
    for (const auto& [why, count] : s.rejected) rejected[s.target][why] += count;
  }
  for (TargetAnswer& a : answers) {
    for (const auto& [share, r] : ratios[static_cast<std::size_t>(a.target)]) a.ratios.push_back(r);
    a.rejected.assign(rejected[a.target].begin(), rejected[a.target].end());
    std::stable_sort(a.rejected.begin(), a.rejected.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
  }
  return answers;
}

}  // namespace msqx::dse
