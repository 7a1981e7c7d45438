// The synthesizable models stay in the subset that ICSC, Catapult and Stratus accept (STYLE.md):
// no floating point, no sc_fixed, no sc_fifo, no allocation, no containers; every SC_CTHREAD is
// a reset section ending in wait(), then while (true) with exactly one wait() at its end.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

namespace {
namespace fs = std::filesystem;

// The file without comments and string literals, so that prose never trips a check.
std::string Code(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "//") == 0) {
      while (i < text.size() && text[i] != '\n') ++i;
      out += '\n';
    } else if (text.compare(i, 2, "/*") == 0) {
      i = text.find("*/", i + 2);
      if (i == std::string::npos) break;
      ++i;
    } else if (text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      out += "\"\"";
    } else {
      out += text[i];
    }
  }
  return out;
}

// Headers that hold clocked modules (the synthesizable sources) and the ones they build on.
std::vector<fs::path> SynthesizableSources() {
  std::vector<fs::path> files;
  for (const char* dir : {"models/pe", "models/mem", "models/accel"}) {
    for (const auto& e : fs::directory_iterator(fs::path(MSQX_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".h") continue;
      const std::string code = Code(e.path());
      if (code.find("SC_CTHREAD") != std::string::npos || code.find("SC_METHOD") != std::string::npos) {
        files.push_back(e.path());
      }
    }
  }
  return files;
}

// The body of `void Name(...) {...}` (first definition), or "" when absent.
std::string Body(const std::string& code, const std::string& name) {
  const std::regex head("void\\s+([\\w<>, ]+::)?" + name + "\\s*\\(\\s*\\)\\s*\\{");
  std::smatch m;
  if (!std::regex_search(code, m, head)) return "";
  std::size_t i = m.position(0) + m.length(0), depth = 1, start = i;
  for (; i < code.size() && depth > 0; ++i) depth += code[i] == '{' ? 1 : code[i] == '}' ? -1 : 0;
  return code.substr(start, i - start - 1);
}

std::size_t Count(const std::string& s, const std::regex& re) {
  return std::distance(std::sregex_iterator(s.begin(), s.end(), re), std::sregex_iterator());
}

TEST(SynthesizableSubset, SourcesAreFound) {
  EXPECT_GE(SynthesizableSources().size(), 3u);  // PE arrays, BRAM, accelerator core
}

TEST(SynthesizableSubset, NoForbiddenConstructs) {
  const std::pair<const char*, const char*> forbidden[] = {
      {"\\bsc_u?fixed\\b", "sc_fixed"},       {"\\bsc_fifo\\b", "sc_fifo"},
      {"\\b(float|double)\\b", "floating point"}, {"\\bnew\\b", "new"},
      {"\\b(malloc|calloc|free)\\s*\\(", "malloc"}, {"std::(vector|map|list|deque|string|unique_ptr|shared_ptr)\\b", "a heap container"},
      {"\\bthrow\\b", "exceptions"},          {"\\bstd::cout\\b|\\bprintf\\b", "console output"}};
  for (const auto& file : SynthesizableSources()) {
    const std::string code = Code(file);
    for (const auto& [pattern, what] : forbidden) {
      std::smatch m;
      EXPECT_FALSE(std::regex_search(code, m, std::regex(pattern)))
          << file.filename() << " uses " << what << ": '" << m.str(0) << "'";
    }
  }
}

TEST(SynthesizableSubset, ClockedThreadsHaveResetThenOneWaitPerLoop) {
  const std::regex cthread("SC_CTHREAD\\s*\\(\\s*(\\w+)");
  const std::regex wait_call("\\bwait\\s*\\(\\s*\\)");
  int threads = 0;
  for (const auto& file : SynthesizableSources()) {
    const std::string code = Code(file);
    for (std::sregex_iterator it(code.begin(), code.end(), cthread), end; it != end; ++it) {
      const std::string name = (*it)[1];
      SCOPED_TRACE(file.filename().string() + ": " + name);
      const std::string body = Body(code, name);
      ASSERT_FALSE(body.empty()) << "no definition of " << name << " in the same file";
      const auto loop = body.find("while (true)");
      ASSERT_NE(loop, std::string::npos) << "no while (true) loop";
      EXPECT_EQ(Count(body.substr(0, loop), wait_call), 1u) << "reset section must end in one wait()";
      const std::string loop_body = body.substr(loop);
      EXPECT_EQ(Count(loop_body, wait_call), 1u) << "the loop must hold exactly one wait()";
      EXPECT_EQ(body.find("return"), std::string::npos) << "a thread never returns";
      ++threads;
    }
  }
  EXPECT_GE(threads, 3);
}

}  // namespace
