#include "sim/report/output_folder.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sim/report/file_io.h"

namespace msqx::report {
namespace fs = std::filesystem;

namespace {

constexpr const char* kSchema = "msqx.output/1";

std::optional<nlohmann::json> ReadMarker(const fs::path& dir) {
  std::ifstream in(dir / OutputFolder::kMarker, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("schema", "") != kSchema || !j.contains("kind") ||
      !j["kind"].is_string())
    return std::nullopt;
  return j;
}

std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) throw IoError(dir.string(), "list", ec.value());
  std::sort(names.begin(), names.end());
  return names;
}

std::string Listed(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", '" : "'") + names[i] + "'";
  if (names.size() > 5) out += " and " + std::to_string(names.size() - 5) + " more";
  return out;
}

// The target with symbolic links of its parent resolved and no trailing separator, so that
// comparisons with the working directory and the sibling names are exact.
fs::path Normalized(const std::string& target) {
  fs::path p = fs::absolute(target).lexically_normal();
  if (p.filename().empty() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  if (p == p.root_path()) return p;
  std::error_code ec;
  const fs::path parent = fs::weakly_canonical(p.parent_path(), ec);
  return (ec ? p.parent_path() : parent) / p.filename();
}

bool Contains(const fs::path& outer, const fs::path& inner) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *o != *i) return false;
  }
  return true;
}

std::string Now() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

// Flushes every file and folder of a tree: the rename that publishes it must not reach the disk
// before what it publishes.
void SyncTree(const fs::path& dir) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) || (it->is_directory(ec) && !it->is_symlink(ec))) {
      Sync(it->path());
    }
  }
  if (ec) throw IoError(dir.string(), "list", ec.value());
  Sync(dir);
}

// Removes a folder msqx marked, its marker last: a run killed part way leaves a folder that the
// next run still recognizes as msqx's and finishes removing. Returns false on a failure.
bool RemoveMarked(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != OutputFolder::kMarker) fs::remove_all(it->path(), ec);
    if (ec) return false;
  }
  if (ec) return false;
  fs::remove(dir / OutputFolder::kMarker, ec);
  return !ec && fs::remove(dir, ec) && !ec;
}

}  // namespace

fs::path WorkFolderOf(const fs::path& target) {
  const fs::path t = target.filename().empty() ? target.parent_path() : target;  // "dir/"
  return t.parent_path() / ("." + t.filename().string() + ".msqx-partial");
}

std::optional<std::string> MarkedKind(const fs::path& dir) {
  const auto marker = ReadMarker(dir);
  if (!marker) return std::nullopt;
  return (*marker)["kind"].get<std::string>();
}

OutputFolder::OutputFolder(const std::string& target, std::string kind, std::string command_line,
                           OutputOptions options)
    : display_(target),
      kind_(std::move(kind)),
      command_line_(std::move(command_line)),
      options_(std::move(options)),
      target_(Normalized(target)) {
  const std::string where =
      (options_.is_default ? "the default output folder " : options_.option + " ") + display_;
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (target_ == target_.root_path() || (!ec && Contains(target_, fs::weakly_canonical(cwd, ec)))) {
    throw OutputConflict(where +
                         " is the working directory or one of its parents: msqx writes its "
                         "outputs into a folder of their own and replaces that folder as a whole; "
                         "name a new folder, e.g. " +
                         options_.option + " results/" + kind_);
  }
  try {
    MakeDirectories(target_.parent_path());
  } catch (const IoError& e) {
    throw IoError(e.path(), "create the folder", e.error_number(), "to hold " + where);
  }
  lock_ = std::make_unique<FolderLock>(target_, command_line_);
  state_ = CheckTarget();
  previous_ = state_ == Target::kEarlierRun;
  work_ = WorkFolderOf(target_);
  PrepareWork();
}

OutputFolder::~OutputFolder() {
  if (committed_ || keep_ || work_.empty()) return;
  std::error_code ec;
  if (!fs::exists(work_ / kMarker, ec)) return;
  // A work folder kept for --resume is worth keeping only if the run got to write in it.
  bool written = false;
  for (fs::directory_iterator it(work_, ec), end; !ec && it != end; it.increment(ec))
    written = written || it->path().filename() != kMarker;
  if (!options_.keep_work_on_failure || !written) RemoveMarked(work_);
}

OutputFolder::Target OutputFolder::CheckTarget() const {
  const std::string where =
      (options_.is_default ? "the default output folder " : options_.option + " ") + display_;
  struct stat st;
  if (::lstat(target_.c_str(), &st) != 0) {
    if (errno == ENOENT) return Target::kAbsent;
    throw IoError(target_.string(), "inspect", errno);
  }
  if (S_ISLNK(st.st_mode)) {
    throw OutputConflict(where +
                         " is a symbolic link: msqx replaces its output folder by a rename and "
                         "would replace the link, not what it points to; give the real folder");
  }
  if (!S_ISDIR(st.st_mode)) {
    throw OutputConflict(where +
                         " is an existing file, not a folder: msqx writes its outputs into a "
                         "folder of their own and never replaces a file; choose another " +
                         options_.option);
  }
  std::vector<std::string> entries = Entries(target_);
  const auto marker = ReadMarker(target_);
  if (!marker) {
    if (entries.empty()) return Target::kEmpty;
    throw OutputConflict(where + " holds " + std::to_string(entries.size()) +
                         (entries.size() == 1 ? " entry" : " entries") +
                         " that msqx did not write (" + Listed(entries) +
                         "): msqx only replaces a folder that an earlier msqx " + kind_ +
                         " wrote (one with its marker " + kMarker + "); choose another " +
                         options_.option + " or empty that folder");
  }
  const std::string kind = (*marker)["kind"];
  if (kind != kind_) {
    throw OutputConflict(where + " holds the outputs of an earlier 'msqx " + kind +
                         "', which a 'msqx " + kind_ + "' does not replace; choose another " +
                         options_.option);
  }
  std::set<std::string> owned(options_.later_entries.begin(), options_.later_entries.end());
  owned.insert(kMarker);
  if (marker->contains("files") && (*marker)["files"].is_array()) {
    for (const auto& f : (*marker)["files"])
      if (f.is_string()) owned.insert(f.get<std::string>());
  }
  std::vector<std::string> foreign;
  for (const auto& e : entries)
    if (!owned.count(e)) foreign.push_back(e);
  if (!foreign.empty()) {
    throw OutputConflict(where + " holds an earlier msqx " + kind_ + "'s outputs and also " +
                         Listed(foreign) +
                         ", which msqx did not write: replacing the folder would delete "
                         "them; move them out or choose another " +
                         options_.option);
  }
  return Target::kEarlierRun;
}

void OutputFolder::PrepareWork() {
  struct stat st;
  if (::lstat(work_.c_str(), &st) == 0) {
    const auto marker = S_ISDIR(st.st_mode) ? ReadMarker(work_) : std::nullopt;
    // Empty, or holding only a marker draft: a run killed between making it and marking it;
    // nothing in it to lose.
    if (!marker && S_ISDIR(st.st_mode)) {
      bool unmarked_draft_only = true;
      for (const auto& e : Entries(work_)) unmarked_draft_only &= e == kMarkerDraft;
      if (unmarked_draft_only) {
        std::error_code ec;
        fs::remove(work_ / kMarkerDraft, ec);
        if (::rmdir(work_.c_str()) == 0) return PrepareWork();
      }
    }
    if (!marker) {
      throw OutputConflict(work_.string() + " (where msqx writes before renaming into " + display_ +
                           ") exists and was not made by msqx; move it away");
    }
    if (options_.reuse_work && (*marker)["kind"] == kind_ &&
        marker->value("state", "") == "partial") {
      continued_ = true;
      return;
    }
    // An interrupted run's, or an earlier result a killed run had not finished removing.
    if (!RemoveMarked(work_)) throw IoError(work_.string(), "remove", EIO);
    discarded_work_ = true;
  } else if (errno != ENOENT) {
    throw IoError(work_.string(), "inspect", errno);
  }
  if (::mkdir(work_.c_str(), 0755) != 0) throw IoError(work_.string(), "create the folder", errno);
  try {
    WriteMarker("partial");
  } catch (const IoError&) {
    ::rmdir(work_.c_str());  // the constructor fails: no destructor will remove it
    throw;
  }
}

void OutputFolder::WriteMarker(const std::string& state) {
  nlohmann::json marker = {{"schema", kSchema},
                           {"kind", kind_},
                           {"state", state},
                           {"command", command_line_},
                           {"written", Now()}};
  if (state == "complete") {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& e : Entries(work_))
      if (e != kMarker && e != kMarkerDraft) files.push_back(e);
    marker["files"] = files;
  }
  WriteFile(work_ / kMarkerDraft, marker.dump(2) + "\n");
  if (::rename((work_ / kMarkerDraft).c_str(), (work_ / kMarker).c_str()) != 0) {
    throw IoError((work_ / kMarker).string(), "rename " + std::string(kMarkerDraft) + " to", errno);
  }
}

void OutputFolder::Commit() {
  try {
    state_ = CheckTarget();  // again: the user may have added something while this run went on
  } catch (const OutputConflict& e) {
    keep_ = true;
    throw OutputConflict(std::string(e.what()) + ". This run's outputs are kept in " +
                         work_.string());
  }
  WriteMarker("complete");
  SyncTree(work_);
  if (state_ == Target::kEarlierRun) {
    // Swap, so that the target is never missing: the earlier run's folder ends up at work_.
    if (::renameat2(AT_FDCWD, work_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
      if (errno != EINVAL && errno != ENOSYS)
        throw IoError(target_.string(), "rename " + work_.string() + " to", errno);
      const fs::path old =
          target_.parent_path() / ("." + target_.filename().string() + ".msqx-old");
      if (fs::exists(old) && !RemoveMarked(old)) throw IoError(old.string(), "remove", EIO);
      if (::rename(target_.c_str(), old.c_str()) != 0)
        throw IoError(old.string(), "move " + target_.string() + " aside to", errno);
      if (::rename(work_.c_str(), target_.c_str()) != 0)
        throw IoError(target_.string(), "rename " + work_.string() + " to", errno);
      std::error_code ec;
      fs::rename(old, work_, ec);
    }
    RemoveMarked(work_);  // the earlier run's outputs; whatever is left, the next run removes
  } else if (::rename(work_.c_str(), target_.c_str()) != 0) {
    const int error = errno;
    keep_ = true;
    if (error == ENOTEMPTY || error == EEXIST) {
      throw OutputConflict(display_ +
                           " was filled by something else while this run went on; its outputs "
                           "are kept in " +
                           work_.string());
    }
    throw IoError(target_.string(), "rename " + work_.string() + " to", error);
  }
  committed_ = true;
  Sync(target_.parent_path());
}

}  // namespace msqx::report
