#include "sim/spec/resolve.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace msqx::spec {
namespace fs = std::filesystem;

namespace {

bool LooksLikePath(const std::string& s) {
  return s.find('/') != std::string::npos ||
         (s.size() > 5 && s.compare(s.size() - 5, 5, ".json") == 0);
}

// Kind folder name in singular, for messages ("devices" -> "device").
std::string Singular(const std::string& kind) { return kind.substr(0, kind.size() - 1); }

struct Resolution {
  std::string path;
  std::string error;  // empty on success
};

Resolution TryResolve(const ConfigResolver& r, const std::string& kind, const std::string& ref,
                      const std::string& relative_to) {
  if (ref.empty()) return {"", "expected a " + Singular(kind) + " name or a path, got \"\""};
  if (LooksLikePath(ref)) {
    fs::path p(ref);
    if (p.is_relative() && !relative_to.empty()) p = fs::path(relative_to).parent_path() / p;
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      return {"", "'" + Elide(p.string()) + "' is a folder; expected a " + Singular(kind) +
                      " file (.json)"};
    }
    if (!fs::is_regular_file(p, ec))
      return {"", "no such " + Singular(kind) + " file '" + Elide(p.string()) + "'"};
    return {p.lexically_normal().string(), ""};
  }
  const fs::path p = fs::path(r.config_dir()) / kind / (ref + ".json");
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return {p.string(), ""};
  const auto names = r.Names(kind);
  std::string message = "unknown " + Singular(kind) + " '" + Elide(ref) + "'";
  if (auto guess = DidYouMean(ref, names)) {
    message += "; did you mean '" + *guess + "'?";
  } else if (!names.empty()) {
    message += "; shipped " + kind + ":";
    for (const auto& n : names) message += " " + n;
  }
  message += " (names resolve in " + (fs::path(r.config_dir()) / kind).string() +
             "; a path must contain '/' or end in .json)";
  return {"", message};
}

}  // namespace

ConfigResolver::ConfigResolver() {
  const char* env = std::getenv("MSQX_CONFIG_DIR");
  config_dir_ = env && *env ? env : MSQX_DEFAULT_CONFIG_DIR;
}

ConfigResolver::ConfigResolver(std::string config_dir) : config_dir_(std::move(config_dir)) {}

std::vector<std::string> ConfigResolver::Names(const std::string& kind) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(config_dir_) / kind, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() == ".json") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ConfigResolver::Resolve(const std::string& kind, const std::string& name_or_path,
                                    const std::string& relative_to) const {
  Resolution r = TryResolve(*this, kind, name_or_path, relative_to);
  if (!r.error.empty()) {
    if (relative_to.empty()) throw ConfigError("command line", "--" + Singular(kind), r.error);
    throw ConfigError(relative_to, "$", r.error);
  }
  return r.path;
}

std::string ResolveAt(const ConfigResolver& resolver, const std::string& kind, const Node& ref) {
  Resolution r = TryResolve(resolver, kind, ref.String(), ref.file());
  if (!r.error.empty()) ref.Fail(r.error);
  return r.path;
}

DeviceSpec ConfigResolver::LoadDevice(const std::string& ref, const std::string& rel) const {
  return ParseDevice(Document::Load(Resolve("devices", ref, rel)).Root());
}

NetworkSpec ConfigResolver::LoadNetwork(const std::string& ref, const std::string& rel) const {
  return ParseNetwork(Document::Load(Resolve("networks", ref, rel)).Root());
}

DesignSpec ConfigResolver::LoadDesign(const std::string& ref, const std::string& rel) const {
  return ParseDesign(Document::Load(Resolve("designs", ref, rel)).Root(), *this);
}

bool ConfigResolver::IsUnrolledDesign(const std::string& ref) const {
  return spec::IsUnrolledDesign(Document::Load(Resolve("designs", ref)).Root());
}

UnrolledDesignSpec ConfigResolver::LoadUnrolledDesign(const std::string& ref,
                                                      const std::string& rel) const {
  return ParseUnrolledDesign(Document::Load(Resolve("designs", ref, rel)).Root(), *this);
}

bool ConfigResolver::IsUnrolledSweep(const std::string& ref) const {
  const Document doc = Document::Load(Resolve("sweeps", ref));
  return doc.Root().Has("kind") && doc.Root().At("kind").String() == "unrolled";
}

UnrolledSweepSpec ConfigResolver::LoadUnrolledSweep(const std::string& ref) const {
  return ParseUnrolledSweep(Document::Load(Resolve("sweeps", ref)).Root(), *this);
}

SweepSpec ConfigResolver::LoadSweep(const std::string& ref, const std::string& rel) const {
  return ParseSweep(Document::Load(Resolve("sweeps", ref, rel)).Root());
}

}  // namespace msqx::spec
