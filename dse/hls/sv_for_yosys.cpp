#include "dse/hls/sv_for_yosys.h"

#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <regex>
#include <stdexcept>
#include <vector>

namespace msqx::hls {
namespace {

// Lines of a text without their '\n'; Join gives the text back exactly.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(text.substr(start, nl - start));
  }
  lines.push_back(text.substr(start));
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) text += (i ? "\n" : "") + lines[i];
  return text;
}

// Every match of `re` in `text` replaced by what `fn` makes of it.
std::string Substitute(const std::string& text, const std::regex& re,
                       const std::function<std::string(const std::smatch&)>& fn) {
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    out.append(last, (*it)[0].first);
    out += fn(*it);
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  return out;
}

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

bool IsNumber(const std::string& s, long long* value = nullptr) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  if (value) *value = std::atoll(s.c_str());
  return true;
}

std::string Trim(const std::string& s) {
  const std::size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// Sizes and offsets are expressions, folded when they are numbers (ICSC's always are; parameter
// names appear in hand-written modules such as msqx_bram_icsc.sv).
std::string Paren(const std::string& e) {
  bool ident = !e.empty();
  for (char c : e) ident = ident && IsIdentChar(c);
  if (ident) return e;
  if (e.front() == '(') {  // already one parenthesized term?
    int depth = 0;
    std::size_t i = 0;
    for (; i < e.size(); ++i) {
      depth += e[i] == '(' ? 1 : e[i] == ')' ? -1 : 0;
      if (depth == 0) break;
    }
    if (i == e.size() - 1) return e;
  }
  return "(" + e + ")";
}

std::string Mul(const std::string& a, const std::string& b) {
  long long x = 0, y = 0;
  if (IsNumber(a, &x) && IsNumber(b, &y)) return std::to_string(x * y);
  if (a == "1") return b;
  if (b == "1") return a;
  return Paren(a) + "*" + Paren(b);
}

std::string Add(const std::string& a, const std::string& b) {
  long long x = 0, y = 0;
  if (IsNumber(a, &x) && IsNumber(b, &y)) return std::to_string(x + y);
  if (a == "0") return b;
  if (b == "0") return a;
  return a + "+" + b;
}

std::string MinusOne(const std::string& e) {
  long long x = 0;
  return IsNumber(e, &x) ? std::to_string(x - 1) : Paren(e) + "-1";
}

// Bits of a packed range [hi:lo].
std::string RangeWidth(const std::string& hi, const std::string& lo) {
  long long h = 0, l = 0;
  if (IsNumber(hi, &h) && IsNumber(lo, &l)) return std::to_string(std::llabs(h - l) + 1);
  static const std::regex minus_one(R"(^(.*\S)\s*-\s*1$)");
  std::smatch m;
  if (lo == "0" && std::regex_match(hi, m, minus_one)) return m[1];
  return Paren(hi) + "-" + Paren(lo) + "+1";
}

// Index of the bracket closing the one at `open`.
std::size_t MatchingBracket(const std::string& text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '[') ++depth;
    if (text[i] == ']' && --depth == 0) return i;
  }
  throw std::runtime_error("sv_for_yosys: unbalanced '[' in: " + text.substr(open, 80));
}

// Position of the first ':' outside parentheses and brackets that is not a ternary's, or npos.
std::size_t RangeColon(const std::string& inner) {
  int depth = 0;
  bool ternary = false;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    const char c = inner[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (depth != 0) continue;
    if (c == '?') ternary = true;
    if (c == ':' && !ternary) return i;
  }
  return std::string::npos;
}

// `function void F; ... endfunction` inlined where `F;` is called, as a named block (its locals
// are declarations at the start of a block wherever the call stands).
std::string InlineVoidFunctions(const std::string& module) {
  static const std::regex head(R"(^\s*function\s+void\s+(\w+)\s*;\s*$)");
  static const std::regex tail(R"(^\s*endfunction\b.*$)");
  static const std::regex call(R"(^(\s*)(\w+)\s*;\s*$)");
  const std::vector<std::string> lines = Lines(module);
  std::map<std::string, std::vector<std::string>> bodies;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (!std::regex_match(lines[i], m, head)) {
      rest.push_back(lines[i]);
      continue;
    }
    std::vector<std::string>& body = bodies[m[1]];
    for (++i; i < lines.size() && !std::regex_match(lines[i], tail); ++i) body.push_back(lines[i]);
    if (i == lines.size())
      throw std::runtime_error("sv_for_yosys: function " + m[1].str() + " has no endfunction");
  }
  if (bodies.empty()) return module;
  std::vector<std::string> out;
  for (const std::string& line : rest) {
    std::smatch m;
    const auto it = std::regex_match(line, m, call) ? bodies.find(m[2]) : bodies.end();
    if (it == bodies.end()) {
      out.push_back(line);
      continue;
    }
    out.push_back(m[1].str() + "begin : " + it->first + "_inlined");
    out.insert(out.end(), it->second.begin(), it->second.end());
    out.push_back(m[1].str() + "end");
  }
  return Join(out);
}

// ++x / x++ / --x / x-- as statements and for-loop steps.
std::string RewriteIncrements(const std::string& text) {
  const auto step = [](const std::string& target, const std::string& op) {
    return target + " = " + target + (op == "++" ? " + 1" : " - 1");
  };
  static const std::regex for_pre(R"(;(\s*)(\+\+|--)\s*(\w+)\s*\))");
  static const std::regex for_post(R"(;(\s*)(\w+)\s*(\+\+|--)\s*\))");
  static const std::regex stmt_pre(R"((^|\n)([ \t]*)(\+\+|--)\s*(\w+(?:\[[^\];\n]*\])*)\s*;)");
  static const std::regex stmt_post(R"((^|\n)([ \t]*)(\w+(?:\[[^\];\n]*\])*)\s*(\+\+|--)\s*;)");
  std::string t = Substitute(text, for_pre, [&](const std::smatch& m) {
    return ";" + m[1].str() + step(m[3], m[2]) + ")";
  });
  t = Substitute(t, for_post,
                 [&](const std::smatch& m) { return ";" + m[1].str() + step(m[2], m[3]) + ")"; });
  t = Substitute(t, stmt_pre, [&](const std::smatch& m) {
    return m[1].str() + m[2].str() + step(m[4], m[3]) + ";";
  });
  return Substitute(t, stmt_post, [&](const std::smatch& m) {
    return m[1].str() + m[2].str() + step(m[3], m[4]) + ";";
  });
}

// -N'(e) as (N'(0) - N'(e)), where the minus is unary.
std::string RewriteNegatedCasts(const std::string& text) {
  static const std::regex cast(R"(-\s*(\d+)'\()");
  std::string out;
  std::size_t i = 0;
  std::smatch m;
  auto from = text.cbegin();
  while (std::regex_search(from, text.cend(), m, cast)) {
    const std::size_t at = static_cast<std::size_t>(m[0].first - text.cbegin());
    const std::size_t open = static_cast<std::size_t>(m[0].second - text.cbegin()) - 1;
    std::size_t before = at;
    while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '\t')) --before;
    const char prev = before > 0 ? text[before - 1] : '\0';
    if (IsIdentChar(prev) || prev == ')' || prev == ']' || prev == '\'') {  // a binary minus
      out += text.substr(i, open + 1 - i);
      i = open + 1;
      from = text.cbegin() + static_cast<long>(i);
      continue;
    }
    int depth = 0;
    std::size_t close = open;
    for (; close < text.size(); ++close) {
      if (text[close] == '(') ++depth;
      if (text[close] == ')' && --depth == 0) break;
    }
    if (close == text.size())
      throw std::runtime_error("sv_for_yosys: unbalanced cast at: " + text.substr(at, 80));
    const std::string n = m[1];
    out += text.substr(i, at - i) + "(" + n + "'(0) - " + n + "'" +
           text.substr(open, close + 1 - open) + ")";
    i = close + 1;
    from = text.cbegin() + static_cast<long>(i);
  }
  return out + text.substr(i);
}

// begin/end balance of a line, comments aside.
int BlockDepthChange(const std::string& line) {
  static const std::regex word(R"(\b(begin|end)\b)");
  const std::string code = line.substr(0, line.find("//"));
  int change = 0;
  for (std::sregex_iterator it(code.begin(), code.end(), word), end; it != end; ++it) {
    change += (*it)[1] == "begin" ? 1 : -1;
  }
  return change;
}

// `continue;` as ICSC writes it, the last statement of an if's then-branch placed directly in a
// loop's body: `if (c) begin A; continue; end R` becomes `if (c) begin A; end else begin R end`,
// where R is the rest of the loop's body. Yosys 0.23 has no continue. The last one is rewritten
// first, so that the rest of an earlier one already holds the later ones' rewrites; a continue in
// any other place throws.
std::string RewriteContinues(const std::string& module) {
  static const std::regex stmt(R"(^\s*continue\s*;\s*(//.*)?$)");
  static const std::regex end_line(R"(^\s*end\s*(//.*)?$)");
  static const std::regex loop(R"(^\s*(for|while)\b)");
  std::vector<std::string> lines = Lines(module);
  for (std::size_t c = lines.size(); c-- > 0;) {
    if (!std::regex_match(lines[c], stmt)) continue;
    const auto fail = [&](const std::string& why) {
      return std::runtime_error("sv_for_yosys: a continue " + why + ": " + Trim(lines[c]));
    };
    if (c + 1 == lines.size() || !std::regex_match(lines[c + 1], end_line))
      throw fail("that does not end a then-branch");
    // The loop body's begin: the second unmatched begin above the continue.
    std::size_t open = c;
    for (int depth = 0, unmatched = 0; unmatched < 2;) {
      if (open == 0) throw fail("outside a block");
      depth += BlockDepthChange(lines[--open]);
      if (depth > 0) {
        ++unmatched;
        depth = 0;
      }
    }
    const bool body_of_loop = std::regex_search(lines[open], loop) ||
                              (Trim(lines[open]).rfind("begin", 0) == 0 && open > 0 &&
                               std::regex_search(lines[open - 1], loop));
    if (!body_of_loop) throw fail("in a branch nested in the loop's body");
    std::size_t close = c + 2;
    for (int depth = 0; close < lines.size(); ++close) {
      depth += BlockDepthChange(lines[close]);
      if (depth < 0) break;
    }
    if (close == lines.size()) throw fail("in a loop without an end");
    const std::string indent = lines[c + 1].substr(0, lines[c + 1].find("end"));
    lines[c + 1] = indent + "end else begin";
    lines.insert(lines.begin() + static_cast<long>(close), indent + "end");
    lines.erase(lines.begin() + static_cast<long>(c));
  }
  return Join(lines);
}

// A for-loop bounded by a variable (`t < width`, with `width = TMP_5;` and `TMP_5 = a > b ? a :
// b;` before it, as ICSC writes a bound computed by a function) gets the expression the variable
// holds there, substituted back until it holds only constants and enclosing loops' variables.
// Yosys 0.23 unrolls a for-loop only if its condition is constant in each iteration, and it does
// not follow assignments. The assignment used is the last one before the loop in its block or an
// enclosing one; one inside a block closed before the loop (a branch) makes the bound unknown,
// which throws.
std::string RewriteVariableLoopBounds(const std::string& module) {
  static const std::regex var_decl(
      R"(^\s*(?:integer|int|logic|bit|reg)\b(?:\s+(?:signed|unsigned))?(?:\s*\[[^\]]*\])*\s+(\w+)\s*(?:\[[^\]]*\]\s*)*;)");
  static const std::regex for_head(
      R"(^(\s*for\s*\(\s*int\s+\w+\s*=[^;]*;\s*\w+\s*(?:<=|>=|<|>)\s*)(\w+)(\s*;.*)$)");
  static const std::regex ident(R"(\b[A-Za-z_]\w*\b)");
  std::vector<std::string> lines = Lines(module);
  std::map<std::string, bool> variables;
  for (const std::string& line : lines) {
    std::smatch m;
    if (std::regex_search(line, m, var_decl)) variables[m[1]] = true;
  }
  // The expression `name` holds at line `at`, its variables substituted.
  std::function<std::string(const std::string&, std::size_t, int)> value =
      [&](const std::string& name, std::size_t at, int hops) -> std::string {
    if (hops > 32) throw std::runtime_error("sv_for_yosys: loop bound too deep: " + name);
    const std::regex assign("(?:^|[;\\s])" + name + R"(\s*=\s*([^=;][^;]*);)");
    int depth = 0;
    for (std::size_t i = at; i-- > 0;) {
      const std::string code = lines[i].substr(0, lines[i].find("//"));
      depth -= BlockDepthChange(code);  // > 0 inside a block closed before `at`
      std::smatch m;
      // The last assignment on the line is the one in force after it.
      std::string found;
      for (auto from = code.cbegin(); std::regex_search(from, code.cend(), m, assign);
           from = m[0].second) {
        found = m[1];
      }
      if (found.empty()) continue;
      if (depth <= 0) {
        return Substitute(Trim(found), ident, [&](const std::smatch& v) {
          return variables.count(v[0]) ? Paren(value(v[0], i, hops + 1)) : v[0].str();
        });
      }
      throw std::runtime_error("sv_for_yosys: loop bound " + name + " is assigned in a branch");
    }
    throw std::runtime_error("sv_for_yosys: loop bound " + name + " is never assigned");
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (!std::regex_match(lines[i], m, for_head) || !variables.count(m[2])) continue;
    lines[i] = m[1].str() + Paren(value(m[2], i, 0)) + m[3].str();
  }
  return Join(lines);
}

struct Array {
  std::string element_bits;       // an expression
  std::vector<std::string> dims;  // outermost first
  bool is_signed = false;
  bool operator!=(const Array& o) const {
    return element_bits != o.element_bits || dims != o.dims || is_signed != o.is_signed;
  }
};

// Declarations with unpacked dimensions rewritten as vectors; `arrays` gets their shapes.
std::string FlattenDeclarations(const std::string& module, std::map<std::string, Array>* arrays) {
  static const std::regex decl(
      R"(^(\s*(?:(?:input|output|inout)\s+)?)(logic|integer|int|bit|reg|wire)((?:\s+(?:signed|unsigned))?))"
      R"(((?:\s*\[[^\]]*\])*)\s+(\w+)((?:\s*\[[^\]:]+\])+)(.*)$)");
  static const std::regex bracket(R"(\[([^\]]*)\])");
  std::vector<std::string> lines = Lines(module);
  for (std::string& line : lines) {
    std::smatch m;
    if (!std::regex_match(line, m, decl)) continue;
    const std::string type = m[2], sign = Trim(m[3]), packed = m[4], name = m[5], dims = m[6];
    Array a;
    const bool integer = type == "integer" || type == "int";
    a.is_signed = integer ? sign != "unsigned" : sign == "signed";
    a.element_bits = integer ? "32" : "1";
    for (std::sregex_iterator it(packed.begin(), packed.end(), bracket), end; it != end; ++it) {
      const std::string range = (*it)[1];
      const std::size_t colon = range.find(':');
      if (colon == std::string::npos)
        throw std::runtime_error("sv_for_yosys: packed dimension without a range: " + line);
      a.element_bits = Mul(a.element_bits,
                           RangeWidth(Trim(range.substr(0, colon)), Trim(range.substr(colon + 1))));
    }
    std::string total = a.element_bits;
    for (std::sregex_iterator it(dims.begin(), dims.end(), bracket), end; it != end; ++it) {
      a.dims.push_back(Trim((*it)[1]));
      total = Mul(total, a.dims.back());
    }
    const auto [known, inserted] = arrays->emplace(name, a);
    if (!inserted && known->second != a) {
      throw std::runtime_error("sv_for_yosys: '" + name +
                               "' is declared with two shapes in one module");
    }
    line = m[1].str() + (integer ? "logic" : type) + (a.is_signed ? " signed" : "") + " [" +
           MinusOne(total) + ":0] " + name + m[7].str();
  }
  return Join(lines);
}

// A literal of ICSC's assignment patterns (`5`, `-7'sd43`, `8'hff`) as the bits of a W-bit
// element, W <= 64; false if it is anything else.
bool LiteralBits(const std::string& text, long long width, unsigned long long* bits) {
  static const std::regex literal(
      R"(^\s*(-)?\s*(?:\d*\s*'\s*[sS]?([dDhHbBoO])\s*)?([0-9a-fA-F_]+)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, literal)) return false;
  const char base = m[2].matched ? static_cast<char>(std::tolower(m[2].str()[0])) : 'd';
  const int radix = base == 'h' ? 16 : base == 'b' ? 2 : base == 'o' ? 8 : 10;
  std::string digits;
  for (char c : m[3].str()) {
    if (c != '_') digits += c;
  }
  unsigned long long value = 0;
  for (char c : digits) {
    const int d = std::isdigit(static_cast<unsigned char>(c))
                      ? c - '0'
                      : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    if (d >= radix) return false;
    value = value * static_cast<unsigned long long>(radix) + static_cast<unsigned long long>(d);
  }
  if (m[1].matched) value = ~value + 1;  // two's complement, as SystemVerilog negates
  if (width < 64) value &= (1ULL << width) - 1;
  *bits = value;
  return true;
}

std::string Hex(unsigned long long v) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 15]);
    v >>= 4;
  } while (v);
  return s;
}

// `localparam T x[N]... = '{...};` as a packed localparam vector, element i at [i * W +: W] as for
// the flattened variables: the concatenation of the elements as sized hexadecimal literals, last
// element first. Yosys 0.23 has neither unpacked localparams nor assignment patterns. Only
// numeric dimensions, elements of at most 64 bits and literal elements are rewritten; anything
// else is left as it is (and Yosys 0.23 stops at it).
std::string FlattenLocalparams(const std::string& module, std::map<std::string, Array>* arrays) {
  static const std::regex decl(
      R"(^(\s*)(localparam|parameter)\s+(logic|integer|int|bit|reg)?((?:\s+(?:signed|unsigned))?))"
      R"(((?:\s*\[\s*\d+\s*:\s*\d+\s*\])?)\s+(\w+)((?:\s*\[\s*\d+\s*\])+)\s*=\s*'\{(.*)\}\s*;(.*)$)");
  static const std::regex bracket(R"(\[\s*(\d+)\s*(?::\s*(\d+)\s*)?\])");
  std::vector<std::string> lines = Lines(module);
  for (std::string& line : lines) {
    std::smatch m;
    if (line.find("'{") == std::string::npos || !std::regex_match(line, m, decl)) continue;
    const std::string type = m[3], sign = Trim(m[4]), packed = m[5], name = m[6], dims = m[7];
    const bool integer = type == "integer" || type == "int";
    Array a;
    a.is_signed = integer ? sign != "unsigned" : sign == "signed";
    long long width = integer ? 32 : 1;
    std::smatch r;
    if (std::regex_search(packed, r, bracket)) {
      width = std::llabs(std::atoll(r[1].str().c_str()) - std::atoll(r[2].str().c_str())) + 1;
    }
    if (width > 64) continue;
    a.element_bits = std::to_string(width);
    long long count = 1;
    for (std::sregex_iterator it(dims.begin(), dims.end(), bracket), end; it != end; ++it) {
      a.dims.push_back((*it)[1]);
      count *= std::atoll(a.dims.back().c_str());
    }
    // Nested patterns '{'{...}, '{...}} list the elements row-major, as the vector holds them.
    std::string elements = m[8];
    for (char& c : elements) {
      if (c == '{' || c == '}') c = ' ';
    }
    static const std::regex pattern_quote(R"('\s)");
    elements = std::regex_replace(elements, pattern_quote, " ");
    std::vector<std::string> items;
    for (std::size_t start = 0;;) {
      const std::size_t comma = elements.find(',', start);
      items.push_back(elements.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (static_cast<long long>(items.size()) != count) continue;
    std::vector<std::string> literals;
    for (const std::string& item : items) {
      unsigned long long bits = 0;
      if (!LiteralBits(item, width, &bits)) break;
      literals.push_back(std::to_string(width) + "'h" + Hex(bits));
    }
    if (literals.size() != items.size()) continue;
    std::string concat;
    for (std::size_t i = literals.size(); i-- > 0;) {
      concat += literals[i] + (i ? ", " : "");
    }
    const auto [known, inserted] = arrays->emplace(name, a);
    if (!inserted && known->second != a) {
      throw std::runtime_error("sv_for_yosys: '" + name +
                               "' is declared with two shapes in one module");
    }
    line = m[1].str() + m[2].str() + " logic" + (a.is_signed ? " signed" : "") + " [" +
           std::to_string(width * count - 1) + ":0] " + name + " = {" + concat + "};" + m[9].str();
  }
  return Join(lines);
}

// Whether the select text[begin, end) is the target of an assignment (`x[i] = ...;`,
// `x[i] <= ...;`, `assign x[i] = ...`): those may not be wrapped in $signed.
bool IsAssignmentTarget(const std::string& text, std::size_t begin, std::size_t end) {
  std::size_t after = text.find_first_not_of(" \t", end);
  if (after == std::string::npos) return false;
  const bool assigns = (text.compare(after, 2, "<=") == 0 && text.compare(after, 3, "<==") != 0) ||
                       (text[after] == '=' && text.compare(after, 2, "==") != 0);
  if (!assigns) return false;
  std::size_t before = begin;
  while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '\t')) --before;
  if (before == 0 || text[before - 1] == '\n' || text[before - 1] == ';' || text[before - 1] == ')')
    return true;
  for (const char* word : {"begin", "else", "assign"}) {
    const std::size_t n = std::char_traits<char>::length(word);
    if (before >= n && text.compare(before - n, n, word) == 0 &&
        (before == n || !IsIdentChar(text[before - n - 1]))) {
      return true;
    }
  }
  return false;
}

// Element selects of the flattened arrays as selects of their vectors.
std::string RewriteSelects(const std::string& text, const std::map<std::string, Array>& arrays) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsIdentChar(text[i]) ||
        (i > 0 && (IsIdentChar(text[i - 1]) || text[i - 1] == '.' || text[i - 1] == '\''))) {
      out += text[i++];
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && IsIdentChar(text[j])) ++j;
    const auto it = arrays.find(text.substr(i, j - i));
    if (it == arrays.end() || j == text.size() || text[j] != '[') {
      out += text.substr(i, j - i);
      i = j;
      continue;
    }
    const Array& a = it->second;
    std::vector<std::string> index;
    std::size_t k = j;
    while (index.size() < a.dims.size() && k < text.size() && text[k] == '[') {
      const std::size_t close = MatchingBracket(text, k);
      const std::string inner = text.substr(k + 1, close - k - 1);
      if (RangeColon(inner) != std::string::npos) break;
      index.push_back(Trim(RewriteSelects(inner, arrays)));
      k = close + 1;
    }
    if (index.empty()) {
      out += text.substr(i, j - i);
      i = j;
      continue;
    }
    // Row-major: the stride of index d is the bits of one element of dimension d.
    std::string offset = "0", bits = a.element_bits;
    for (std::size_t d = a.dims.size(); d-- > 0;) {
      if (d < index.size()) offset = Add(Mul(Paren(index[d]), bits), offset);
      bits = Mul(bits, a.dims[d]);
    }
    std::string slice = a.element_bits;
    for (std::size_t d = index.size(); d < a.dims.size(); ++d) slice = Mul(slice, a.dims[d]);
    const std::string& name = it->first;
    std::string select;
    bool whole_element = index.size() == a.dims.size();
    if (whole_element && k < text.size() && text[k] == '[') {
      // A bit or part select of the element: one select of the vector.
      const std::size_t close = MatchingBracket(text, k);
      const std::string inner = Trim(RewriteSelects(text.substr(k + 1, close - k - 1), arrays));
      const std::size_t colon = RangeColon(inner);
      if (colon == std::string::npos) {
        select = name + "[" + Add(offset, Paren(inner)) + "]";
      } else if (colon > 0 && (inner[colon - 1] == '+' || inner[colon - 1] == '-')) {
        const std::string base = Trim(inner.substr(0, colon - 1)),
                          width = Trim(inner.substr(colon + 1));
        const std::string low =
            inner[colon - 1] == '+' ? Paren(base) : Paren(base) + "-" + Paren(width) + "+1";
        select = name + "[" + Add(offset, low) + " +: " + width + "]";
      } else {
        const std::string hi = Trim(inner.substr(0, colon)), lo = Trim(inner.substr(colon + 1));
        select = name + "[" + Add(offset, Paren(lo)) + " +: " + RangeWidth(hi, lo) + "]";
      }
      k = close + 1;
      whole_element = false;
    } else {
      select = name + "[" + offset + " +: " + slice + "]";
    }
    if (whole_element && a.is_signed && !IsAssignmentTarget(text, i, k))
      select = "$signed(" + select + ")";
    out += select;
    i = k;
  }
  return out;
}

std::string ConvertModule(const std::string& module) {
  std::string t = InlineVoidFunctions(module);
  t = RewriteContinues(t);
  t = RewriteVariableLoopBounds(t);
  t = RewriteIncrements(t);
  t = RewriteNegatedCasts(t);
  static const std::regex always_comb(R"(\balways_comb\b)");
  t = std::regex_replace(t, always_comb, "always @*");
  std::map<std::string, Array> arrays;
  t = FlattenLocalparams(t, &arrays);
  t = FlattenDeclarations(t, &arrays);
  return arrays.empty() ? t : RewriteSelects(t, arrays);
}

}  // namespace

std::string SvForYosys(const std::string& sv) {
  // Modules one by one: each has its own names.
  static const std::regex module_line(R"(^\s*module\b)");
  std::vector<std::string> chunks(1);
  std::vector<std::string> current;
  for (const std::string& line : Lines(sv)) {
    if (std::regex_search(line, module_line) && !current.empty()) {
      chunks.back() = Join(current);
      chunks.emplace_back();
      current.clear();
    }
    current.push_back(line);
  }
  chunks.back() = Join(current);
  std::string out;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    out += (c ? "\n" : "") +
           (std::regex_search(chunks[c], module_line) ? ConvertModule(chunks[c]) : chunks[c]);
  }
  return out;
}

}  // namespace msqx::hls
