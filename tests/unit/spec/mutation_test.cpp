// Random damage to valid configs: whatever the input, parsing either succeeds or throws a
// ConfigError; never another exception, never a crash (the sanitizer build runs this too).
#include <gtest/gtest.h>

#include <random>

#include "sim/spec/resolve.h"

namespace msqx::spec {
namespace {

nlohmann::json RandomValue(std::mt19937& rng) {
  switch (rng() % 9) {
    case 0:
      return nullptr;
    case 1:
      return static_cast<int>(rng() % 5) - 2;
    case 2:
      return 1e300;
    case 3:
      return -0.5;
    case 4:
      return "xc7z020";
    case 5:
      return nlohmann::json::array({1, "a"});
    case 6:
      return nlohmann::json::object({{"from", 1}, {"to", 1e12}, {"step", 1e-9}});
    case 7:
      return true;
    default:
      return std::numeric_limits<std::int64_t>::max();
  }
}

// Picks a random node (object member or array element) and replaces or removes it.
void Mutate(nlohmann::json& doc, std::mt19937& rng) {
  nlohmann::json* node = &doc;
  for (int depth = 0; depth < 6; ++depth) {
    if (!(node->is_object() || node->is_array()) || node->empty()) break;
    auto it = node->begin();
    std::advance(it, rng() % node->size());
    if (rng() % 3 == 0 || !(it->is_object() || it->is_array())) {
      if (rng() % 4 == 0 && node->is_object()) {
        node->erase(it.key());
      } else {
        *it = RandomValue(rng);
      }
      return;
    }
    node = &*it;
  }
}

TEST(ConfigMutation, NeverAnythingButConfigError) {
  const ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  const struct {
    const char* kind;
    const char* name;
  } bases[] = {{"devices", "xc7z045"},
               {"networks", "tiny"},
               {"networks", "resnet18"},
               {"designs", "xc7z045_ref"},
               {"sweeps", "default"}};
  int rejected = 0, accepted = 0;
  for (int i = 0; i < 1500; ++i) {
    const auto& base = bases[i % 5];
    nlohmann::json doc = LoadJsonFile(resolver.Resolve(base.kind, base.name));
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) Mutate(doc, rng);
    const Document d(doc, std::string("mutant.json"));
    try {
      if (std::string(base.kind) == "devices") ParseDevice(d.Root());
      if (std::string(base.kind) == "networks") ParseNetwork(d.Root());
      if (std::string(base.kind) == "designs") ParseDesign(d.Root(), resolver);
      if (std::string(base.kind) == "sweeps") ParseSweep(d.Root());
      ++accepted;
    } catch (const ConfigError& e) {
      ++rejected;
      EXPECT_EQ(e.file(), "mutant.json");
      EXPECT_EQ(e.json_path().rfind("$", 0), 0u) << e.json_path();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected " << e.what() << " for " << doc.dump();
    }
  }
  EXPECT_GT(rejected, 500);  // most mutations break something
  RecordProperty("accepted", accepted);
}

}  // namespace
}  // namespace msqx::spec
