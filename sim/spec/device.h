#pragma once
// Reading a device config (docs/configs.md) into models/spec/device.h's DeviceSpec.

#include "json_reader.h"
#include "models/spec/device.h"

namespace msqx::spec {

DeviceSpec ParseDevice(const Node& root);

}  // namespace msqx::spec
