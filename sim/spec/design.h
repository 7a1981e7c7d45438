#pragma once
// Reading and writing a design config (docs/configs.md) as models/spec/design.h's DesignSpec.

#include <string>
#include <vector>

#include "device.h"
#include "json_reader.h"
#include "models/spec/design.h"

namespace msqx::spec {

// A design's "clock_mhz" node, which must lie within the device's typical range (both design
// kinds).
double ClockWithinDevice(const Node& clock, const DeviceSpec& device);

// Dotted keys of every design field a sweep may vary ("dsp_engine.rows", "ratio", "clock_mhz",
// ...).
const std::vector<std::string>& DesignAxisKeys();

// The "device" value (a name or a path) is read through `resolver`.
class ConfigResolver;
DesignSpec ParseDesign(const Node& root, const ConfigResolver& resolver);
// The design as JSON, in the schema ParseDesign reads (device by name).
nlohmann::json DesignToJson(const DesignSpec& design);

}  // namespace msqx::spec
