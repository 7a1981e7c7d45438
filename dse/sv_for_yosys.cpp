#include "dse/sv_for_yosys.h"

#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <regex>
#include <stdexcept>
#include <vector>

namespace msqx::dse {
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
  t = RewriteIncrements(t);
  t = RewriteNegatedCasts(t);
  static const std::regex always_comb(R"(\balways_comb\b)");
  t = std::regex_replace(t, always_comb, "always @*");
  std::map<std::string, Array> arrays;
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

}  // namespace msqx::dse
