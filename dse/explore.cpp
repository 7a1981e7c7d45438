#include "dse/explore.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "dse/search_space.h"
#include "models/accel/core_sizing.h"
#include "models/spec/config_error.h"

namespace msqx::dse {
namespace {

// A feasible candidate, compactly: what ranking and the fronts need.
struct Scored {
  double ms = 0;
  std::int64_t lut = 0, dsp = 0;
  std::int64_t number = 0;
};

bool Faster(const Scored& a, const Scored& b) {
  return a.ms != b.ms ? a.ms < b.ms : a.number < b.number;
}

// Numbers of the candidates no other beats on both latency and `cost` (ties to the lower number).
template <class Cost>
void AddFront(const std::vector<Scored>& all, Cost cost, std::vector<std::int64_t>& out) {
  std::vector<const Scored*> order;
  order.reserve(all.size());
  for (const Scored& s : all) order.push_back(&s);
  std::sort(order.begin(), order.end(), [&](const Scored* a, const Scored* b) {
    if (cost(*a) != cost(*b)) return cost(*a) < cost(*b);
    return Faster(*a, *b);
  });
  double best = INFINITY;
  for (const Scored* s : order) {
    if (s->ms < best) {
      out.push_back(s->number);
      best = s->ms;
    }
  }
}

// Counts of a search's outcomes and the reasons of its rejections.
class Tally {
 public:
  void Add(const Score& s) {
    ++evaluated_;
    switch (s.status) {
      case ScoreStatus::kOk:
        ++feasible_;
        break;
      case ScoreStatus::kInvalid:
        ++invalid_;
        ++reasons_["invalid: " + (s.key.empty() ? std::string("network widths") : s.key)];
        break;
      case ScoreStatus::kInfeasible:
        ++infeasible_;
        ++reasons_[std::string("over budget: ") + s.resource];
        break;
    }
  }
  void Into(SearchOutcome& o) const {
    o.evaluated = evaluated_;
    o.feasible = feasible_;
    o.invalid = invalid_;
    o.infeasible = infeasible_;
    o.rejected.assign(reasons_.begin(), reasons_.end());
    std::stable_sort(o.rejected.begin(), o.rejected.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
  }

 private:
  std::int64_t evaluated_ = 0, feasible_ = 0, invalid_ = 0, infeasible_ = 0;
  std::map<std::string, std::int64_t> reasons_;
};

}  // namespace

TargetModel::TargetModel(const spec::NetworkSpec& n, const spec::UtilizationLimits& l)
    : network(n), classes(n), widths(WidthsOf(n)), limits(l) {}

Score ScoreDesign(const spec::DesignSpec& d, const TargetModel& target, bool explain) {
  Score s;
  const BitWidths& w = target.widths;
  const accel::DesignMisfit misfit =
      accel::TemplateMisfit(d, w.act_bits, w.weight_bits, w.max_depth);
  if (!misfit.Fits()) {
    s.status = ScoreStatus::kInvalid;
    s.key = misfit.key;
    s.reason = misfit.reason;
    return s;
  }
  try {
    s.resources = EstimateResources(d, w);
  } catch (const spec::ConfigError& e) {
    s.status = ScoreStatus::kInvalid;
    s.key = e.json_path();
    s.reason = e.message();
    return s;
  }
  const Feasibility fit = CheckFeasible(s.resources, d.device, target.limits);
  if (!fit.feasible) {
    s.status = ScoreStatus::kInfeasible;
    s.resource = fit.resource;
    if (explain) s.reason = fit.Message();
    return s;
  }
  try {
    s.ms = static_cast<double>(AnalyticModel(d).Cycles(target.network, target.classes)) /
           (d.clock_mhz * 1e3);
  } catch (const spec::ConfigError& e) {  // a layer no tile of this design's buffers can hold
    s.status = ScoreStatus::kInvalid;
    s.key = e.json_path();
    s.reason = e.message();
  }
  return s;
}

std::int64_t SearchStride(const spec::SearchSpec& search) {
  if (!search.enabled) return 1;
  return 1 + search.ShapeCount() + std::int64_t{search.refine_top} * search.MemoryCount();
}

SearchOutcome Search(const spec::DesignSpec& start, const TargetModel& target,
                     const spec::SearchSpec& search, int keep_top) {
  SearchOutcome out;
  Tally tally;
  std::vector<Scored> feasible;
  const auto score = [&](const spec::DesignSpec& d, std::int64_t number) {
    const Score s = ScoreDesign(d, target, false);
    tally.Add(s);
    if (s.status == ScoreStatus::kOk) {
      feasible.push_back({s.ms, s.resources.total.lut, s.resources.total.dsp, number});
    }
  };

  // Stage 1: engine shapes on the start's memory side, scaled with the lanes.
  const std::vector<EngineShape> shapes = EngineShapes(search, start);
  std::vector<spec::DesignSpec> shaped_designs;
  shaped_designs.reserve(shapes.size());
  spec::DesignSpec d = start;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    ApplyShape(start, shapes[i], d);
    shaped_designs.push_back(d);
    score(d, 1 + static_cast<std::int64_t>(i));
  }

  // Stage 2: the memory side of the best shapes.
  std::vector<Scored> ranked = feasible;
  std::sort(ranked.begin(), ranked.end(), Faster);
  const std::vector<MemoryChoice> memory = MemoryChoices(search, start.device);
  const std::int64_t stage2 = 1 + search.ShapeCount();
  std::vector<std::size_t> refined;  // shape indices, fastest first
  for (const Scored& s : ranked) {
    if (static_cast<int>(refined.size()) >= search.refine_top) break;
    refined.push_back(static_cast<std::size_t>(s.number - 1));
  }
  for (std::size_t r = 0; r < refined.size(); ++r) {
    const spec::DesignSpec& shaped = shaped_designs[refined[r]];
    d = shaped;
    for (std::size_t j = 0; j < memory.size(); ++j) {
      ApplyMemory(shaped, memory[j], d);
      score(d, stage2 + static_cast<std::int64_t>(r) * search.MemoryCount() +
                   static_cast<std::int64_t>(j));
    }
  }
  tally.Into(out);

  // Kept: the fastest and the fronts, each once, by number.
  std::sort(feasible.begin(), feasible.end(), Faster);
  std::vector<std::int64_t> kept;
  for (std::size_t i = 0; i < feasible.size() && static_cast<int>(i) < keep_top; ++i) {
    kept.push_back(feasible[i].number);
  }
  AddFront(
      feasible, [](const Scored& s) { return s.lut; }, kept);
  AddFront(
      feasible, [](const Scored& s) { return s.dsp; }, kept);
  std::sort(kept.begin(), kept.end());
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  for (std::int64_t number : kept) {
    if (number < stage2) {
      out.kept.emplace_back(number, shaped_designs[static_cast<std::size_t>(number - 1)]);
    } else {
      const std::int64_t r = (number - stage2) / search.MemoryCount();
      const std::int64_t j = (number - stage2) % search.MemoryCount();
      const spec::DesignSpec& shaped = shaped_designs[refined[static_cast<std::size_t>(r)]];
      spec::DesignSpec k = shaped;
      ApplyMemory(shaped, memory[static_cast<std::size_t>(j)], k);
      out.kept.emplace_back(number, std::move(k));
    }
  }
  return out;
}

}  // namespace msqx::dse
