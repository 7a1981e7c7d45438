#include "sim/spec/json_reader.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace msqx::spec {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Line and column (1-based) of a byte offset, for syntax errors.
std::pair<std::size_t, std::size_t> LineColumn(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::string JoinQuoted(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) out += i + 1 == words.size() ? " or " : ", ";
    out += Quote(words[i]);
  }
  return out;
}

std::string FormatNumber(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

bool IsIdentifier(const std::string& key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

nlohmann::json ParseJsonText(const std::string& text, const std::string& file_label) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const auto [line, column] = LineColumn(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line ..";
    // keep the part after the last ": " which says what was wrong.
    const auto cut = what.rfind(": ");
    if (cut != std::string::npos) what = what.substr(cut + 2);
    throw ConfigError(file_label, "$",
                      "not valid JSON at line " + std::to_string(line) + ", column " +
                          std::to_string(column) + ": " + what);
  }
}

nlohmann::json LoadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "$", "cannot open the file (does it exist and is it readable?)");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path, "$", "cannot read the file");
  return ParseJsonText(text.str(), path);
}

std::optional<std::string> DidYouMean(std::string_view word,
                                      const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& c : candidates) {
    const std::size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  if (!best || best_distance > limit) return std::nullopt;
  return best;
}

Node::Node(const nlohmann::json& value, std::shared_ptr<const std::string> file, std::string path)
    : value_(&value), file_(std::move(file)), path_(std::move(path)) {}

void Node::Fail(const std::string& message) const { throw ConfigError(*file_, path_, message); }

std::string Node::Describe() const {
  const auto& v = *value_;
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::string:
      return "the string \"" + v.get<std::string>() + "\"";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "the integer " + v.dump();
    case nlohmann::json::value_t::number_float:
      return "the number " + v.dump();
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    default:
      return "a value of unsupported type";
  }
}

void Node::ExpectObject(std::initializer_list<std::string_view> allowed) const {
  ExpectObject(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void Node::ExpectObject(const std::vector<std::string>& allowed) const {
  if (!value_->is_object()) Fail("expected an object, got " + Describe());
  for (const auto& item : value_->items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
    std::string message = "unknown key " + Quote(item.key());
    if (auto guess = DidYouMean(item.key(), allowed)) {
      message += "; did you mean " + Quote(*guess) + "?";
    } else {
      message += "; expected one of " + JoinQuoted(allowed);
    }
    Fail(message);
  }
}

bool Node::Has(const std::string& key) const {
  return value_->is_object() && value_->contains(key);
}

Node Node::At(const std::string& key) const {
  if (!value_->is_object()) Fail("expected an object, got " + Describe());
  auto it = value_->find(key);
  if (it == value_->end()) Fail("missing required key " + Quote(key));
  return Node(*it, file_, path_ + (IsIdentifier(key) ? "." + key : "[\"" + key + "\"]"));
}

std::optional<Node> Node::Find(const std::string& key) const {
  if (!Has(key)) return std::nullopt;
  return At(key);
}

std::vector<std::string> Node::Keys() const {
  if (!value_->is_object()) Fail("expected an object, got " + Describe());
  std::vector<std::string> keys;
  for (const auto& item : value_->items()) keys.push_back(item.key());
  return keys;
}

std::size_t Node::ArraySize(std::size_t min_size) const {
  if (!value_->is_array()) Fail("expected an array, got " + Describe());
  if (value_->size() < min_size) {
    Fail("expected an array of at least " + std::to_string(min_size) + " element" +
         (min_size == 1 ? "" : "s") + ", got " + std::to_string(value_->size()));
  }
  return value_->size();
}

Node Node::At(std::size_t index) const {
  ArraySize();
  if (index >= value_->size()) Fail("index " + std::to_string(index) + " out of range");
  return Node((*value_)[index], file_, path_ + "[" + std::to_string(index) + "]");
}

std::int64_t Node::Int(std::int64_t min, std::int64_t max) const {
  std::int64_t v = 0;
  if (value_->is_number_integer()) {
    if (value_->is_number_unsigned() &&
        value_->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      Fail("expected an integer no larger than " + std::to_string(max) + ", got " + Describe());
    }
    v = value_->get<std::int64_t>();
  } else if (value_->is_number_float() && std::isfinite(value_->get<double>()) &&
             value_->get<double>() == std::floor(value_->get<double>()) &&
             std::fabs(value_->get<double>()) < 9e15) {
    v = static_cast<std::int64_t>(value_->get<double>());  // 4.0 is an integer
  } else {
    Fail("expected an integer, got " + Describe());
  }
  if (v < min || v > max) {
    std::string range;
    if (min != INT64_MIN && max != INT64_MAX) {
      range = "between " + std::to_string(min) + " and " + std::to_string(max);
    } else if (min != INT64_MIN) {
      range = ">= " + std::to_string(min);
    } else {
      range = "<= " + std::to_string(max);
    }
    Fail("expected an integer " + range + ", got " + std::to_string(v));
  }
  return v;
}

double Node::Number(double min, double max) const {
  if (!value_->is_number()) Fail("expected a number, got " + Describe());
  const double v = value_->get<double>();
  if (!std::isfinite(v) || v < min || v > max) {
    std::string range;
    if (min > -1e300 && max < 1e300) {
      range = "between " + FormatNumber(min) + " and " + FormatNumber(max);
    } else if (min > -1e300) {
      range = ">= " + FormatNumber(min);
    } else {
      range = "<= " + FormatNumber(max);
    }
    Fail("expected a number " + range + ", got " + FormatNumber(v));
  }
  return v;
}

bool Node::Bool() const {
  if (!value_->is_boolean()) Fail("expected true or false, got " + Describe());
  return value_->get<bool>();
}

std::string Node::String() const {
  if (!value_->is_string()) Fail("expected a string, got " + Describe());
  return value_->get<std::string>();
}

std::string Node::OneOf(const std::vector<std::string>& choices) const {
  if (!value_->is_string()) Fail("expected one of " + JoinQuoted(choices) + ", got " + Describe());
  const std::string v = value_->get<std::string>();
  if (std::find(choices.begin(), choices.end(), v) != choices.end()) return v;
  std::string message = "expected one of " + JoinQuoted(choices) + ", got " + Quote(v);
  if (auto guess = DidYouMean(v, choices)) message += "; did you mean " + Quote(*guess) + "?";
  Fail(message);
}

std::int64_t Node::IntOr(const std::string& key, std::int64_t fallback, std::int64_t min,
                         std::int64_t max) const {
  return Has(key) ? At(key).Int(min, max) : fallback;
}

double Node::NumberOr(const std::string& key, double fallback, double min, double max) const {
  return Has(key) ? At(key).Number(min, max) : fallback;
}

bool Node::BoolOr(const std::string& key, bool fallback) const {
  return Has(key) ? At(key).Bool() : fallback;
}

std::string Node::StringOr(const std::string& key, const std::string& fallback) const {
  return Has(key) ? At(key).String() : fallback;
}

Document::Document(nlohmann::json value, std::string file)
    : value_(std::make_shared<const nlohmann::json>(std::move(value))),
      file_(std::make_shared<const std::string>(std::move(file))) {}

Document Document::Load(const std::string& path) { return Document(LoadJsonFile(path), path); }

}  // namespace msqx::spec
