#pragma once
// Helpers shared by the pin-level testbenches: a seeded random source of truth for back-pressure.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace msqx::tb {

// The seed comes from MSQX_SEED when set (to replay a failure), else from random_device; either
// way it is printed so that every run can be reproduced.
inline unsigned Seed(const char* what) {
  const char* env = std::getenv("MSQX_SEED");
  const unsigned seed =
      env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
  std::printf("[%s] seed %u (replay with MSQX_SEED=%u)\n", what, seed, seed);
  return seed;
}

inline bool Coin(std::mt19937& rng, double p) {
  return p >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

}  // namespace msqx::tb
