// The synthesizable models stay in the subset that ICSC, Catapult and Stratus accept (STYLE.md,
// checks in tests/common/subset_scan.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/common/subset_scan.h"

namespace {
namespace fs = std::filesystem;
using namespace msqx::test_support;

// Every header the synthesizable tops include (the sources the HLS flows read), whether it holds
// a clocked process or not.
std::vector<fs::path> SynthesizableSources() {
  return IncludeClosure(MSQX_SOURCE_DIR, {"models/accel/core.h", "models/unrolled/dense_pin.h"});
}

TEST(SynthesizableSubset, SourcesAreFound) {
  const std::vector<fs::path> files = SynthesizableSources();
  std::vector<std::string> names;
  for (const fs::path& f : files) names.push_back(f.filename().string());
  for (const char* must : {"core.h", "core_impl.h", "core_ports.h", "pe_array.h", "stream.h",
                           "bram.h", "arithmetic.h", "dense_pin.h"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), must), names.end()) << must;
  }
  for (const char* host : {"core_tb.h", "core_fits.h", "golden.h", "core_sizing.h"}) {
    EXPECT_EQ(std::find(names.begin(), names.end(), host), names.end()) << host;
  }
}

TEST(SynthesizableSubset, TraceHooksAreNotScanned) {
  const std::string code =
      "inline void sc_trace(sc_trace_file*, const T&, const std::string& n) { f(n); }\nint a;\n";
  EXPECT_EQ(ForbiddenConstructs(WithoutTraceHooks(code)).size(), 0u);
  EXPECT_EQ(ForbiddenConstructs("std::string name;").size(), 1u);
}

TEST(SynthesizableSubset, NoForbiddenConstructs) {
  for (const auto& file : SynthesizableSources()) {
    for (const std::string& what : ForbiddenConstructs(CodeOf(file))) {
      ADD_FAILURE() << file.filename() << " uses " << what;
    }
  }
}

TEST(SynthesizableSubset, ForbiddenConstructsAreSeen) {
  EXPECT_EQ(ForbiddenConstructs("int x = 1; sc_uint<8> y;").size(), 0u);
  EXPECT_EQ(ForbiddenConstructs("double x; sc_fifo<int> f; int* p = new int;").size(), 3u);
  EXPECT_EQ(
      ForbiddenConstructs("int m = std::min(a, b); for (const auto& x : xs) {} if (++n == k) {}")
          .size(),
      3u);
  EXPECT_EQ(
      ForbiddenConstructs("for (int i = 0; i < n; ++i) {} std::uint8_t v; ++n; if (n == k) {}")
          .size(),
      0u);
  // ICSC takes a braced cast of a literal but not of a variable ("Unsupported literal").
  EXPECT_EQ(ForbiddenConstructs("std::int64_t y = std::int64_t{acc} * m;").size(), 1u);
  EXPECT_EQ(ForbiddenConstructs("std::int64_t y = std::int64_t{1} << s;").size(), 0u);
  // ICSC turns the bound (1 << 2) into a signed 3-bit -4 (issue 20); a named constant is kept.
  EXPECT_EQ(ForbiddenConstructs("for (int i = 1; i < (1 << M1); ++i) {}").size(), 1u);
  EXPECT_EQ(ForbiddenConstructs("for (int i = 1; i <= kK; ++i) { x = 1 << i; }").size(), 0u);
}

// A scalar assigned through a reference parameter is what ICSC 1.7.6 dropped from the depthwise
// weight request (issue 20); records, const references and locals are not out-parameters.
TEST(SynthesizableSubset, ScalarOutParametersAreSeen) {
  const std::string request =
      "void WeightRequest(const Tile& t, int k, int& lane0) {\n  int lane = k * 2;\n"
      "  lane0 = lane;\n}\n";
  ASSERT_EQ(ForbiddenConstructs(request).size(), 1u);
  EXPECT_NE(ForbiddenConstructs(request)[0].find("'WeightRequest(... int& lane0)'"),
            std::string::npos);
  EXPECT_EQ(ScalarOutParameters("void F(sc_dt::sc_uint<4>& c) { c += 1; }").size(), 1u);
  EXPECT_EQ(ScalarOutParameters("void F(std::int16_t& n) {\n  ++n;\n}").size(), 1u);
  // Read only, const, a record, or a returned value: nothing to drop.
  EXPECT_EQ(ScalarOutParameters("void F(int& n) { x = n == 2 ? n : 0; }").size(), 0u);
  EXPECT_EQ(ScalarOutParameters("void F(const int& n) { x = n; }").size(), 0u);
  EXPECT_EQ(ScalarOutParameters("void F(Request& r) { r.lane0 = 1; }").size(), 0u);
  EXPECT_EQ(ScalarOutParameters("int F(int k) { int lane0 = k; return lane0; }").size(), 0u);
}

// ICSC's intrinsics (std::string, by ICSC's definition) are directives to that tool: not scanned.
TEST(SynthesizableSubset, IcscOnlyBlocksAreNotScanned) {
  const std::string code =
      "int a;\n#ifdef __SC_TOOL__\n#if 1\nstd::string x;\n#endif\nstd::string y;\n#endif\ndouble "
      "b;\n";
  const std::string kept = WithoutToolOnlyCode(code);
  EXPECT_EQ(kept, "int a;\n\n\n\n\n\n\ndouble b;\n");
  EXPECT_EQ(ForbiddenConstructs(kept).size(), 1u);  // the double after the block is still seen
}

TEST(SynthesizableSubset, ClockedThreadsHaveResetThenOneWaitPerLoop) {
  int threads = 0;
  for (const auto& file : SynthesizableSources()) {
    for (const ThreadShape& t : ClockedThreads(CodeOf(file))) {
      EXPECT_EQ(t.problem, "") << file.filename() << ": " << t.name;
      ++threads;
    }
  }
  EXPECT_GE(threads, 3);
}

TEST(SynthesizableSubset, BadThreadShapesAreSeen) {
  const std::string two_waits =
      "SC_CTHREAD(Run, clk.pos());\nvoid Run() { x = 0; wait(); while (true) { wait(); wait(); } }";
  ASSERT_EQ(ClockedThreads(two_waits).size(), 1u);
  EXPECT_EQ(ClockedThreads(two_waits)[0].problem, "the loop must hold exactly one wait()");
}

}  // namespace
