#pragma once
// Reading a network config (docs/configs.md) into models/spec/network.h's NetworkSpec, with every
// shape derived and checked layer to layer.

#include "json_reader.h"
#include "models/spec/network.h"

namespace msqx::spec {

NetworkSpec ParseNetwork(const Node& root);

}  // namespace msqx::spec
