#include "sim/spec/json_reader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_set>

namespace msqx::spec {
namespace {

// A value echoed in a message is cut: a 200 MB string must not become a 200 MB message.
std::string Quote(std::string_view s) { return "'" + Elide(s) + "'"; }

// A member of an object in a JSON path: $.name, or $["a key"] when it is not an identifier.
std::string Member(const std::string& key);

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

std::string Member(const std::string& key) {
  return IsIdentifier(key) ? "." + key : "[\"" + Elide(key) + "\"]";
}

// Builds the document from nlohmann's SAX events (nlohmann parses; this only assembles), and
// rejects an object that names a key twice: JSON allows it and nlohmann keeps the last, so a
// config whose second "rows" silently won was accepted. (nlohmann's parser callback could see the
// keys too, but its DOM builder then rescans each array on every element: quadratic in layers.)
class DocumentBuilder {
 public:
  using json = nlohmann::json;
  explicit DocumentBuilder(const std::string& file) : file_(file) {}

  json Take() { return std::move(root_); }
  std::size_t error_byte() const { return error_byte_; }
  const std::string& error() const { return error_; }

  bool null() { return Add(nullptr); }
  bool boolean(bool v) { return Add(v); }
  bool number_integer(json::number_integer_t v) { return Add(v); }
  bool number_unsigned(json::number_unsigned_t v) { return Add(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return Add(v); }
  bool string(json::string_t& v) { return Add(std::move(v)); }
  bool binary(json::binary_t& v) { return Add(json::binary(std::move(v))); }
  bool start_object(std::size_t) { return Open(json::object()); }
  bool start_array(std::size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(json::string_t& key) {
    Open_& top = open_.back();
    if (!top.keys.insert(key).second) {
      throw ConfigError(file_, Path() + Member(key),
                        "the key " + Quote(key) +
                            " appears twice in this object; keep one (JSON readers differ on "
                            "which one wins)");
    }
    top.key = std::move(key);
    return true;
  }

  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& e) {
    error_byte_ = byte;
    error_ = e.what();
    return false;
  }

 private:
  struct Open_ {
    json* value;
    std::string key;                       // object: the member being read
    std::unordered_set<std::string> keys;  // object: the members read so far
  };

  // Puts `v` where the parser is (the root, the next array element, the current member) and
  // returns where it went. A pointer to an open container stays valid: its parent gains no new
  // element until it is closed.
  template <typename V>
  json* Place(V&& v) {
    if (open_.empty()) {
      root_ = json(std::forward<V>(v));
      return &root_;
    }
    json& parent = *open_.back().value;
    if (parent.is_array()) {
      parent.emplace_back(std::forward<V>(v));
      return &parent.back();
    }
    json& member = parent[open_.back().key];
    member = json(std::forward<V>(v));
    return &member;
  }
  template <typename V>
  bool Add(V&& v) {
    Place(std::forward<V>(v));
    return true;
  }
  bool Open(json container) {
    open_.push_back({Place(std::move(container)), {}, {}});
    return true;
  }
  bool Close() {
    open_.pop_back();
    return true;
  }

  // The JSON path of the innermost open object.
  std::string Path() const {
    std::string path = "$";
    for (std::size_t i = 0; i + 1 < open_.size(); ++i) {
      const json& v = *open_[i].value;
      path += v.is_object() ? Member(open_[i].key) : "[" + std::to_string(v.size() - 1) + "]";
    }
    return path;
  }

  const std::string& file_;
  json root_;
  std::vector<Open_> open_;
  std::size_t error_byte_ = 0;
  std::string error_;
};
}  // namespace

nlohmann::json ParseJsonText(const std::string& text, const std::string& file_label) {
  DocumentBuilder builder(file_label);
  if (nlohmann::json::sax_parse(text, &builder)) return builder.Take();
  const std::size_t byte = builder.error_byte();
  const auto [line, column] = LineColumn(text, byte == 0 ? 0 : byte - 1);
  std::string what = builder.error();
  // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line ..";
  // keep the part after the last ": " which says what was wrong.
  const auto cut = what.rfind(": ");
  if (cut != std::string::npos) what = what.substr(cut + 2);
  throw ConfigError(file_label, "$",
                    "not valid JSON at line " + std::to_string(line) + ", column " +
                        std::to_string(column) + ": " + Elide(what, 200));
}

nlohmann::json LoadJsonFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path, "$", "is a folder; expected a JSON file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "$", "cannot open the file (does it exist and is it readable?)");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path, "$", "cannot read the file");
  return ParseJsonText(text.str(), path);
}

std::optional<std::string> DidYouMean(std::string_view word,
                                      const std::vector<std::string>& candidates) {
  // No typo makes a word this long; and the edit distance is quadratic in its length.
  if (word.size() > 64) return std::nullopt;
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
      return "the string \"" + Elide(v.get_ref<const std::string&>()) + "\"";
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
  return Node(*it, file_, path_ + Member(key));
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

std::optional<std::string> FileNameProblem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > kMaxFileNameLength) {
    return "it is " + std::to_string(name.size()) + " characters long (at most " +
           std::to_string(kMaxFileNameLength) + ")";
  }
  if (name.front() == '.') return "it starts with '.' (a hidden file, or '.' and '..')";
  if (name.front() == '-') return "it starts with '-' (it would read as an option)";
  for (const char c : name) {
    const bool portable = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (portable) continue;
    if (c == '/' || c == '\\') return std::string("it holds a path separator '") + c + "'";
    const auto code = static_cast<unsigned char>(c);
    if (code < 0x20 || code >= 0x7f) return "it holds the byte " + std::to_string(code);
    return std::string("it holds '") + c + "'";
  }
  return std::nullopt;
}

const std::string& CheckFileName(const std::string& name, const std::string& what,
                                 const std::string& file, const std::string& json_path) {
  if (const auto problem = FileNameProblem(name)) {
    throw ConfigError(file, json_path,
                      what + " '" + Elide(name) +
                          "' is used as a file name and cannot be one: " + *problem +
                          "; use letters, digits, '.', '_' and '-' (not first: '.', '-')");
  }
  return name;
}

std::string Elide(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  // Do not split a UTF-8 sequence: back up to the first byte of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace msqx::spec
