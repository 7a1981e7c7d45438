#include "dse/unrolled_sweep.h"

#include <iomanip>
#include <map>
#include <sstream>

namespace msqx::dse {
namespace {

std::string Num(double v, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

}  // namespace

std::vector<UnrolledPoint> RunUnrolledSweep(const spec::UnrolledSweepSpec& sweep,
                                            const spec::NetworkSpec& network) {
  std::vector<UnrolledPoint> points;
  // The weights are loaded (or drawn) once; uniform points requantize a copy.
  spec::UnrolledDesignSpec stored_design = sweep.base;
  stored_design.precision.per_weight = true;
  const unrolled::HgqNetwork stored = UnrolledWeights(stored_design, network);
  std::map<int, unrolled::HgqNetwork> uniform;
  for (int bits : sweep.uniform_weight_bits)
    uniform.emplace(bits, UniformCopy(stored, bits, sweep.uniform_act_bits));
  for (int rf : sweep.reuse_factors) {
    for (int dsp_bits : sweep.dsp_min_bits) {
      spec::UnrolledDesignSpec d = sweep.base;
      d.reuse_factor = rf;
      d.dsp_min_bits = dsp_bits;
      d.precision.per_weight = true;
      const std::string stem =
          sweep.name + "-rf" + std::to_string(rf) + "-dsp" + std::to_string(dsp_bits);
      d.name = stem + "-per-weight";
      points.push_back({d, EvaluateUnrolled(d, stored)});
      for (int bits : sweep.uniform_weight_bits) {
        d.precision.per_weight = false;
        d.precision.weight_bits = bits;
        d.precision.act_bits = sweep.uniform_act_bits;
        d.name = stem + "-uniform" + std::to_string(bits);
        points.push_back({d, EvaluateUnrolled(d, uniform.at(bits))});
      }
    }
  }
  return points;
}

std::string UnrolledPointsCsv(const std::vector<UnrolledPoint>& points) {
  std::ostringstream os;
  os << "design,precision,weight_bits,act_bits,reuse_factor,dsp_min_bits,lut,ff,dsp,ebops_hgq,"
        "ebops_span,latency_cycles,latency_ns,"
        "initiation_interval,inferences_per_s,weight_sqnr_db,fits\n";
  for (const auto& p : points) {
    const auto& d = p.design;
    const auto& r = p.result;
    os << d.name << ',' << (d.precision.per_weight ? "per_weight" : "uniform") << ','
       << (d.precision.per_weight ? "" : std::to_string(d.precision.weight_bits)) << ','
       << (d.precision.per_weight ? "" : std::to_string(d.precision.act_bits)) << ','
       << d.reuse_factor << ',' << d.dsp_min_bits << ',' << r.lut << ',' << r.ff << ',' << r.dsp
       << ',' << r.ebops_hgq << ',' << r.ebops_span << ',' << r.timing.latency_cycles << ','
       << Num(r.latency_ns, 1) << ',' << r.timing.initiation_interval << ','
       << Num(r.inferences_per_s, 0) << ',' << Num(r.weight_sqnr_db, 2) << ','
       << (r.fits ? "yes" : "no") << '\n';
  }
  return os.str();
}

std::string UnrolledSweepSummary(const spec::UnrolledSweepSpec& sweep,
                                 const spec::NetworkSpec& network,
                                 const std::vector<UnrolledPoint>& points) {
  std::ostringstream os;
  os << "Sweep " << sweep.name << ": " << network.name << " unrolled on " << sweep.base.device.name
     << " at " << sweep.base.clock_mhz << " MHz, " << points.size()
     << " points (reuse factors x DSP thresholds x per-weight and uniform "
     << "precision; uniform activations " << sweep.uniform_act_bits << " bits)\n\n"
     << "Per-weight precision against the narrowest uniform weight width whose weight SQNR is at "
        "least the "
        "per-weight one (the accuracy proxy):\n\n"
     << "| RF | DSP above bits | per-weight SQNR dB | uniform match | its SQNR dB | HGQ EBOPs pw / "
        "uniform | "
        "LUT pw / uniform | DSP pw / uniform | latency ns pw / uniform "
        "|\n|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].design.precision.per_weight) continue;
    const UnrolledPoint& pw = points[i];
    const UnrolledPoint* match = nullptr;
    for (std::size_t j = i + 1; j < points.size() && !points[j].design.precision.per_weight; ++j) {
      if (points[j].result.weight_sqnr_db >= pw.result.weight_sqnr_db &&
          (!match ||
           points[j].design.precision.weight_bits < match->design.precision.weight_bits)) {
        match = &points[j];
      }
    }
    const auto& a = pw.result;
    os << "| " << pw.design.reuse_factor << " | " << pw.design.dsp_min_bits << " | "
       << Num(a.weight_sqnr_db, 1) << " | ";
    if (!match) {
      os << "none of the listed widths | | | | | |\n";  // 9 columns in all
      continue;
    }
    const auto& b = match->result;
    os << match->design.precision.weight_bits << " bits | " << Num(b.weight_sqnr_db, 1) << " | "
       << a.ebops_hgq << " / " << b.ebops_hgq << " (" << Num(Ratio(a.ebops_hgq, b.ebops_hgq), 2)
       << "x) | " << a.lut << " / " << b.lut << " (" << Num(Ratio(a.lut, b.lut), 2) << "x) | "
       << a.dsp << " / " << b.dsp << " | " << Num(a.latency_ns, 0) << " / " << Num(b.latency_ns, 0)
       << " |\n";
  }
  os << "\nEBOPs are HGQ's (its training metric); points.csv also lists msqx's hardware-span "
        "EBOPs (ebops_span).\nAll points: points.csv (LUT, FF, DSP, EBOPs, latency, initiation "
        "interval, SQNR, fits).\n";
  return os.str();
}

}  // namespace msqx::dse
