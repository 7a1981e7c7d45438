#pragma once
// The synthesizable subset of STYLE.md as checks on source text, shared by the scan of msqx's own
// pin-level sources (tests/unit/subset) and of the projects `msqx hls` exports (tests/unit/hls):
// no floating point, no sc_fixed, no sc_fifo, no allocation, no containers, nothing ICSC stops at
// that a pattern can see; every SC_CTHREAD is a reset section ending in wait(), then while (true)
// with exactly one wait() at its end.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace msqx::test_support {

// The text without the blocks only ICSC's translator compiles (`#ifdef __SC_TOOL__` to its
// `#endif`, without #else): ICSC's intrinsics are directives to that tool, in the std::string its
// user guide prescribes, not hardware. Lines are kept (emptied), so positions stay.
inline std::string WithoutToolOnlyCode(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  int depth = 0;  // #if nesting inside the dropped block
  while (std::getline(in, line)) {
    const std::size_t first = line.find_first_not_of(" \t");
    const std::string t = first == std::string::npos ? "" : line.substr(first);
    if (depth == 0 && t.rfind("#ifdef __SC_TOOL__", 0) == 0) {
      depth = 1;
    } else if (depth > 0 && t.rfind("#if", 0) == 0) {
      ++depth;
    } else if (depth > 0 && t.rfind("#endif", 0) == 0) {
      --depth;
    } else if (depth == 0) {
      out += line;
    }
    out += '\n';
  }
  return out;
}

// The code without its sc_trace overloads: SystemC requires one for every signal type, with a
// std::string name, and every HLS tool ignores them (simulation plumbing, not hardware).
inline std::string WithoutTraceHooks(const std::string& code) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t hook = code.find("void sc_trace(", at);
    if (hook == std::string::npos) break;
    std::size_t open = code.find('{', hook);
    const std::size_t semi = code.find(';', hook);
    if (open == std::string::npos || (semi != std::string::npos && semi < open)) {
      out += code.substr(at, semi + 1 - at);  // a declaration: keep it
      at = semi + 1;
      continue;
    }
    int depth = 1;
    std::size_t i = open + 1;
    for (; i < code.size() && depth > 0; ++i) depth += code[i] == '{' ? 1 : code[i] == '}' ? -1 : 0;
    out += code.substr(at, hook - at);
    at = i;
  }
  return out + code.substr(at);
}

// The file without comments, string literals, ICSC-only blocks and trace hooks, so that prose and
// simulation plumbing never trip a check.
inline std::string CodeOf(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = WithoutToolOnlyCode(s.str());
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
  return WithoutTraceHooks(out);
}

// The headers that `tops` (paths relative to `root`) include from `root`, transitively, the tops
// first: every file an HLS flow reads when it elaborates them. A testbench or host-side header
// that no top includes is not among them.
inline std::vector<std::filesystem::path> IncludeClosure(const std::filesystem::path& root,
                                                         const std::vector<std::string>& tops) {
  std::vector<std::string> seen;
  std::vector<std::string> todo(tops.begin(), tops.end());
  const std::regex include("#include\\s+\"([^\"]+)\"");
  while (!todo.empty()) {
    const std::string rel = todo.back();
    todo.pop_back();
    if (std::find(seen.begin(), seen.end(), rel) != seen.end()) continue;
    if (!std::filesystem::exists(root / rel)) continue;  // <systemc>-style or outside the tree
    seen.push_back(rel);
    std::ifstream in(root / rel);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it) {
      todo.push_back((*it)[1]);
    }
  }
  std::vector<std::filesystem::path> files;
  for (const std::string& rel : seen) files.push_back(root / rel);
  return files;
}

// Whether the code holds clocked processes (a synthesizable module, not a helper header).
inline bool HasProcesses(const std::string& code) {
  return code.find("SC_CTHREAD") != std::string::npos ||
         code.find("SC_METHOD") != std::string::npos;
}

// Each function that assigns a scalar through a non-const reference parameter ("an out-parameter
// (ICSC): '<function>(... <type>& <name>)'"). ICSC inlines every function into its process and
// may drop such an assignment: 1.7.6 removed `lane0 = lane;` from `WeightRequest(..., int& lane0)`,
// inlined twice in one thread with the result unused in the first call, and the depthwise layers
// went wrong in the RTL only (issue 20). A scalar result is returned (a record for several).
inline std::vector<std::string> ScalarOutParameters(const std::string& code) {
  static const std::regex function("\\b(\\w+)\\s*\\(([^()]*)\\)\\s*(const\\s*)?\\{");
  static const std::regex scalar_ref(
      "^\\s*((?:unsigned\\s+|signed\\s+)?(?:bool|char|short|int|long(?:\\s+long)?|unsigned|"
      "std::u?int(?:8|16|32|64)_t|u?int(?:8|16|32|64)_t|std::size_t|size_t|Dim|"
      "(?:sc_dt::)?sc_(?:big)?u?int\\s*<[^<>]*>))\\s*&\\s*(\\w+)\\s*$");
  std::vector<std::string> found;
  for (std::sregex_iterator it(code.begin(), code.end(), function), end; it != end; ++it) {
    const std::string name = (*it)[1];
    if (name == "if" || name == "for" || name == "while" || name == "switch") continue;
    // The body, to its closing brace.
    std::size_t i = it->position(0) + it->length(0), depth = 1;
    const std::size_t start = i;
    for (; i < code.size() && depth > 0; ++i) depth += code[i] == '{' ? 1 : code[i] == '}' ? -1 : 0;
    const std::string body = code.substr(start, i - start);
    std::stringstream params((*it)[2].str());
    for (std::string p; std::getline(params, p, ',');) {
      std::smatch m;
      if (!std::regex_match(p, m, scalar_ref)) continue;
      const std::regex assigned("(^|[^\\w.>])" + m[2].str() +
                                "\\s*(\\+|-|\\*|/|%|&|\\||\\^|<<|>>)?=[^=]");
      const std::regex stepped("(\\+\\+|--)\\s*" + m[2].str() + "\\b|\\b" + m[2].str() +
                               "\\s*(\\+\\+|--)");
      if (std::regex_search(body, assigned) || std::regex_search(body, stepped)) {
        found.push_back("an out-parameter (ICSC): '" + name + "(... " + m[1].str() + "& " +
                        m[2].str() + ")'");
      }
    }
  }
  return found;
}

// Each forbidden construct found: "<what>: '<text>'".
inline std::vector<std::string> ForbiddenConstructs(const std::string& code) {
  static const std::pair<const char*, const char*> kForbidden[] = {
      {"\\bsc_u?fixed\\b", "sc_fixed"},
      {"\\bsc_fifo\\b", "sc_fifo"},
      {"\\b(float|double)\\b", "floating point"},
      {"\\bnew\\b", "new"},
      {"\\b(malloc|calloc|free)\\s*\\(", "malloc"},
      {"std::(vector|map|list|deque|string|unique_ptr|shared_ptr)\\b", "a heap container"},
      {"\\bthrow\\b", "exceptions"},
      {"\\bstd::cout\\b|\\bprintf\\b", "console output"},
      // What Intel's SystemC compiler rejects besides (docs/hls.md): it stops at each of these.
      {"\\bstd::(min|max)\\s*[(<]", "std::min/std::max (ICSC)"},
      {"\\[\\[fallthrough\\]\\]", "[[fallthrough]] (ICSC)"},
      {"\\bfor\\s*\\([^;{}]*[^:]:[^:][^;{}]*\\)", "a range-for (ICSC)"},
      {"\\bif\\s*\\(\\s*(\\+\\+|--)|(\\+\\+|--)\\s*\\w+\\s*[=!<>]=",
       "an increment inside a condition (ICSC)"},
      {"\\bu?int(8|16|32|64)_t\\s*\\{\\s*[A-Za-z_]",
       "a braced cast of a variable (ICSC: static_cast)"},
      // ICSC 1.7.6 sizes `1 << M` in a loop condition to M + 1 bits, signed: `i < (1 << 2)`
      // became `i < 3'(1 <<< 2)`, -4, and the loop vanished (issue 20). A named constant is kept.
      {"\\bfor\\s*\\([^;]*;[^;]*<=?\\s*\\(?\\s*1\\s*<<",
       "a shifted 1 as a loop bound (ICSC: a named constant)"}};
  std::vector<std::string> found;
  for (const auto& [pattern, what] : kForbidden) {
    std::smatch m;
    if (std::regex_search(code, m, std::regex(pattern)))
      found.push_back(std::string(what) + ": '" + m.str(0) + "'");
  }
  for (const std::string& out : ScalarOutParameters(code)) found.push_back(out);
  return found;
}

// The body of `void Name(...) {...}` (first definition), or "" when absent.
inline std::string FunctionBody(const std::string& code, const std::string& name) {
  const std::regex head("void\\s+([\\w<>, ]+::)?" + name + "\\s*\\(\\s*\\)\\s*\\{");
  std::smatch m;
  if (!std::regex_search(code, m, head)) return "";
  std::size_t i = m.position(0) + m.length(0), depth = 1, start = i;
  for (; i < code.size() && depth > 0; ++i) depth += code[i] == '{' ? 1 : code[i] == '}' ? -1 : 0;
  return code.substr(start, i - start - 1);
}

struct ThreadShape {
  std::string name;
  std::string problem;  // empty when the thread has the required shape
};

// Every SC_CTHREAD of the code and what is wrong with its shape, if anything.
inline std::vector<ThreadShape> ClockedThreads(const std::string& code) {
  const std::regex cthread("SC_CTHREAD\\s*\\(\\s*(\\w+)");
  const std::regex wait_call("\\bwait\\s*\\(\\s*\\)");
  const auto count = [](const std::string& s, const std::regex& re) {
    return std::distance(std::sregex_iterator(s.begin(), s.end(), re), std::sregex_iterator());
  };
  std::vector<ThreadShape> threads;
  for (std::sregex_iterator it(code.begin(), code.end(), cthread), end; it != end; ++it) {
    ThreadShape t{(*it)[1], ""};
    const std::string body = FunctionBody(code, t.name);
    const auto loop = body.find("while (true)");
    if (body.empty()) {
      t.problem = "no definition in the same file";
    } else if (loop == std::string::npos) {
      t.problem = "no while (true) loop";
    } else if (count(body.substr(0, loop), wait_call) != 1) {
      t.problem = "the reset section must end in one wait()";
    } else if (count(body.substr(loop), wait_call) != 1) {
      t.problem = "the loop must hold exactly one wait()";
    } else if (body.find("return") != std::string::npos) {
      t.problem = "a thread never returns";
    }
    threads.push_back(t);
  }
  return threads;
}

}  // namespace msqx::test_support
