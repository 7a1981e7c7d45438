#include "sim/spec/design.h"

#include <string>

#include "sim/spec/resolve.h"

namespace msqx::spec {

const std::vector<std::string>& DesignAxisKeys() {
  static const std::vector<std::string> keys = {"clock_mhz",
                                                "dsp_engine.rows",
                                                "dsp_engine.cols",
                                                "dsp_engine.macs_per_dsp",
                                                "lut_engine.rows",
                                                "lut_engine.cols",
                                                "ratio",
                                                "tile.out_rows",
                                                "tile.out_cols",
                                                "tile.out_channels",
                                                "tile.in_channels",
                                                "buffers.input_kib",
                                                "buffers.weight_kib",
                                                "buffers.output_kib",
                                                "buffers.double_buffered",
                                                "dma.burst_beats",
                                                "dma.axi_ports",
                                                "dma.max_outstanding",
                                                "post.fuse_activation",
                                                "post.vector_lanes"};
  return keys;
}

namespace {

// An engine is either absent (0 x 0) or has both dimensions.
void CheckEngineShape(const Node& n, int rows, int cols) {
  if ((rows == 0) != (cols == 0)) {
    n.Fail("expected rows and cols both 0 (no engine) or both >= 1, got " + std::to_string(rows) +
           " x " + std::to_string(cols));
  }
}

}  // namespace

double ClockWithinDevice(const Node& clock, const DeviceSpec& device) {
  const double mhz = clock.Number(1, 2000);
  if (mhz < device.clock_mhz_min || mhz > device.clock_mhz_max) {
    clock.Fail("expected a clock within the range of " + device.name + " (" +
               std::to_string(static_cast<int>(device.clock_mhz_min)) + " to " +
               std::to_string(static_cast<int>(device.clock_mhz_max)) + " MHz), got " +
               std::to_string(mhz));
  }
  return mhz;
}

DesignSpec ParseDesign(const Node& root, const ConfigResolver& resolver) {
  root.ExpectObject({"name", "kind", "device", "clock_mhz", "dsp_engine", "lut_engine", "ratio",
                     "tile", "buffers", "dma", "post", "network"});
  if (root.Has("kind") && root.At("kind").String() != "template") {
    root.At("kind").Fail(root.At("kind").String() == "unrolled"
                             ? "expected a design of the accelerator template here (\"kind\": "
                               "\"template\" or none); "
                               "unrolled designs are for msqx sim and msqx hls (docs/unrolled.md)"
                             : "expected \"template\" or \"unrolled\"");
  }
  DesignSpec d;
  d.source = root.file();
  d.name = root.At("name").String();
  if (d.name.empty()) root.At("name").Fail("expected a non-empty name");
  d.network = root.StringOr("network", "");
  const std::string device_path = ResolveAt(resolver, "devices", root.At("device"));
  d.device = resolver.LoadDevice(device_path);

  d.clock_mhz = ClockWithinDevice(root.At("clock_mhz"), d.device);

  const Node dsp = root.At("dsp_engine");
  dsp.ExpectObject({"rows", "cols", "macs_per_dsp"});
  d.dsp_engine.rows = static_cast<int>(dsp.At("rows").Int(0, 4096));
  d.dsp_engine.cols = static_cast<int>(dsp.At("cols").Int(0, 4096));
  d.dsp_engine.macs_per_dsp = static_cast<int>(dsp.At("macs_per_dsp").Int(1, 2));
  CheckEngineShape(dsp, d.dsp_engine.rows, d.dsp_engine.cols);
  if (d.dsp_engine.macs_per_dsp == 2 && d.dsp_engine.rows % 2 != 0) {
    // Packing computes two output channels' products with one shared activation per DSP.
    dsp.At("rows").Fail(
        "expected an even row count with macs_per_dsp 2 (a DSP computes the products of two rows), "
        "got " +
        std::to_string(d.dsp_engine.rows));
  }

  const Node lut = root.At("lut_engine");
  lut.ExpectObject({"rows", "cols"});
  d.lut_engine.rows = static_cast<int>(lut.At("rows").Int(0, 4096));
  d.lut_engine.cols = static_cast<int>(lut.At("cols").Int(0, 4096));
  CheckEngineShape(lut, d.lut_engine.rows, d.lut_engine.cols);

  const Node ratio = root.At("ratio");
  ratio.ExpectObject({"fixed", "sp2"});
  d.ratio.fixed = ratio.At("fixed").Number(0, 1e6);
  d.ratio.sp2 = ratio.At("sp2").Number(0, 1e6);
  if (d.ratio.fixed + d.ratio.sp2 <= 0) ratio.Fail("expected fixed + sp2 > 0, got 0:0");
  if (d.ratio.fixed > 0 && d.dsp_engine.Lanes() == 0) {
    ratio.At("fixed").Fail("fixed-point filters need a DSP engine, but dsp_engine is 0 x 0");
  }
  if (d.ratio.sp2 > 0 && d.lut_engine.Lanes() == 0) {
    ratio.At("sp2").Fail("SP2 filters need a LUT engine, but lut_engine is 0 x 0");
  }

  const Node tile = root.At("tile");
  tile.ExpectObject({"out_rows", "out_cols", "out_channels", "in_channels"});
  d.tile.out_rows = static_cast<int>(tile.At("out_rows").Int(1, 4096));
  d.tile.out_cols = static_cast<int>(tile.At("out_cols").Int(1, 4096));
  d.tile.out_channels = static_cast<int>(tile.At("out_channels").Int(1, 65536));
  d.tile.in_channels = static_cast<int>(tile.At("in_channels").Int(1, 65536));

  const Node buffers = root.At("buffers");
  buffers.ExpectObject({"input_kib", "weight_kib", "output_kib", "double_buffered"});
  d.buffers.input_kib = static_cast<int>(buffers.At("input_kib").Int(1, 1 << 20));
  d.buffers.weight_kib = static_cast<int>(buffers.At("weight_kib").Int(1, 1 << 20));
  d.buffers.output_kib = static_cast<int>(buffers.At("output_kib").Int(1, 1 << 20));
  d.buffers.double_buffered = buffers.BoolOr("double_buffered", true);

  const Node dma = root.At("dma");
  dma.ExpectObject({"burst_beats", "axi_ports", "max_outstanding"});
  d.dma.burst_beats = static_cast<int>(dma.At("burst_beats").Int(1, d.device.axi.max_burst_beats));
  d.dma.axi_ports = static_cast<int>(dma.At("axi_ports").Int(1, d.device.axi.ports));
  d.dma.max_outstanding =
      static_cast<int>(dma.At("max_outstanding").Int(1, d.device.axi.max_outstanding));

  if (auto post = root.Find("post")) {
    post->ExpectObject({"fuse_activation", "vector_lanes"});
    d.post.fuse_activation = post->BoolOr("fuse_activation", true);
    d.post.vector_lanes = static_cast<int>(post->IntOr("vector_lanes", 16, 1, 4096));
  }
  return d;
}

nlohmann::json DesignToJson(const DesignSpec& d) {
  // A shipped device is written by name; one read from elsewhere keeps its path.
  const std::string shipped_suffix = "/devices/" + d.device.name + ".json";
  const bool shipped = d.device.source.size() >= shipped_suffix.size() &&
                       d.device.source.compare(d.device.source.size() - shipped_suffix.size(),
                                               shipped_suffix.size(), shipped_suffix) == 0;
  nlohmann::json j = {
      {"name", d.name},
      {"device", shipped ? d.device.name : d.device.source},
      {"clock_mhz", d.clock_mhz},
      {"dsp_engine",
       {{"rows", d.dsp_engine.rows},
        {"cols", d.dsp_engine.cols},
        {"macs_per_dsp", d.dsp_engine.macs_per_dsp}}},
      {"lut_engine", {{"rows", d.lut_engine.rows}, {"cols", d.lut_engine.cols}}},
      {"ratio", {{"fixed", d.ratio.fixed}, {"sp2", d.ratio.sp2}}},
      {"tile",
       {{"out_rows", d.tile.out_rows},
        {"out_cols", d.tile.out_cols},
        {"out_channels", d.tile.out_channels},
        {"in_channels", d.tile.in_channels}}},
      {"buffers",
       {{"input_kib", d.buffers.input_kib},
        {"weight_kib", d.buffers.weight_kib},
        {"output_kib", d.buffers.output_kib},
        {"double_buffered", d.buffers.double_buffered}}},
      {"dma",
       {{"burst_beats", d.dma.burst_beats},
        {"axi_ports", d.dma.axi_ports},
        {"max_outstanding", d.dma.max_outstanding}}},
      {"post",
       {{"fuse_activation", d.post.fuse_activation}, {"vector_lanes", d.post.vector_lanes}}},
  };
  if (!d.network.empty()) j["network"] = d.network;
  return j;
}

}  // namespace msqx::spec
