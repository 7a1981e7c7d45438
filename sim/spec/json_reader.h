#pragma once
// Validating access to a parsed JSON document. Every accessor knows the file and the JSON path of
// the value it reads, so an error can say exactly where the input is wrong and what was expected.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/spec/config_error.h"

namespace msqx::spec {

// Reads and parses a JSON file; a missing file or a syntax error is a ConfigError with line and
// column.
nlohmann::json LoadJsonFile(const std::string& path);
nlohmann::json ParseJsonText(const std::string& text, const std::string& file_label);

// The closest candidate by edit distance, if it is close enough to be a plausible typo.
std::optional<std::string> DidYouMean(std::string_view word,
                                      const std::vector<std::string>& candidates);

class Node {
 public:
  Node(const nlohmann::json& value, std::shared_ptr<const std::string> file,
       std::string path = "$");

  const nlohmann::json& json() const { return *value_; }
  const std::string& file() const { return *file_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void Fail(const std::string& message) const;

  // Objects. Expect() rejects keys outside `allowed` (with a did-you-mean) and a non-object value.
  void ExpectObject(std::initializer_list<std::string_view> allowed) const;
  void ExpectObject(const std::vector<std::string>& allowed) const;
  bool Has(const std::string& key) const;
  Node At(const std::string& key) const;  // required key
  std::optional<Node> Find(const std::string& key) const;
  std::vector<std::string> Keys() const;

  // Arrays.
  std::size_t ArraySize(std::size_t min_size = 0) const;
  Node At(std::size_t index) const;

  // Scalars, with the admissible range stated in the error.
  std::int64_t Int(std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  double Number(double min = -1e300, double max = 1e300) const;
  bool Bool() const;
  std::string String() const;
  std::string OneOf(const std::vector<std::string>& choices) const;

  // Optional members with defaults.
  std::int64_t IntOr(const std::string& key, std::int64_t fallback, std::int64_t min = INT64_MIN,
                     std::int64_t max = INT64_MAX) const;
  double NumberOr(const std::string& key, double fallback, double min = -1e300,
                  double max = 1e300) const;
  bool BoolOr(const std::string& key, bool fallback) const;
  std::string StringOr(const std::string& key, const std::string& fallback) const;

 private:
  std::string Describe() const;  // "an integer 5", "a string \"x\"" for error messages
  const nlohmann::json* value_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
};

// A whole document: owns the parsed JSON so that Nodes into it stay valid.
class Document {
 public:
  Document(nlohmann::json value, std::string file);
  static Document Load(const std::string& path);
  Node Root() const { return Node(*value_, file_); }
  const std::string& file() const { return *file_; }

 private:
  std::shared_ptr<const nlohmann::json> value_;
  std::shared_ptr<const std::string> file_;
};

// Names that become file or folder names (a design's name in results/<design>-..., a sweep's name,
// a layer's name in <weights>/<layer>.npy) must stay inside the folder they are meant for and
// mean the same on every system: the portable file name characters of POSIX (letters, digits,
// '.', '_', '-'), not starting with '.' or '-', at most kMaxFileNameLength characters.
inline constexpr std::size_t kMaxFileNameLength = 200;

// Why `name` cannot be a file name, or nothing when it can.
std::optional<std::string> FileNameProblem(std::string_view name);

// `name` when it can be a file name; otherwise a ConfigError at `file`/`json_path` saying which
// `what` ("the design's name", "layer name") is used as a file name and why it cannot be one.
const std::string& CheckFileName(const std::string& name, const std::string& what,
                                 const std::string& file, const std::string& json_path);

// `text` cut to about `max` characters for a message, with how much was left out.
std::string Elide(std::string_view text, std::size_t max = 80);

}  // namespace msqx::spec
