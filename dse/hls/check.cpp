#include "dse/hls/check.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "dse/hls/cosim.h"
#include "dse/hls/scripts.h"
#include "dse/hls/sv_for_yosys.h"

namespace msqx::hls {
namespace {

namespace fs = std::filesystem;

std::string Quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a shell command with its output appended to `log`; true on exit status 0.
bool Run(const std::string& command, const fs::path& log) {
  const std::string line = "(" + command + ") >>" + Quoted(log.string()) + " 2>&1";
  {
    std::ofstream out(log, std::ios::app);
    out << "$ " << command << "\n";
  }
  const int status = std::system(line.c_str());
  return status == 0;
}

// A command's standard output ("" when it cannot run).
std::string Capture(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
    pclose(pipe);
  }
  return out;
}

std::string Trim(const std::string& s) {
  const std::size_t a = s.find_first_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// The first line of a log that reports an error.
std::string FirstError(const std::string& log) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("ERROR") != std::string::npos) return line;
  }
  return "";
}

// The module ICSC wrote for the elaborated top (its header comment names the instance tb.top),
// or "" when none says so.
std::string TopModule(const std::vector<std::string>& sv_files) {
  static const std::regex header(R"(^module\s+(\w+)\s*//\s*"tb\.top"\s*$)");
  for (const auto& f : sv_files) {
    std::istringstream in(Slurp(f));
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_match(line, m, header)) return m[1];
    }
  }
  return "";
}

bool OnPath(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// The last line of the testbench's output that is a JSON object.
nlohmann::json TestbenchResult(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  nlohmann::json result;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '{') continue;
    result = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  }
  return result.is_discarded() ? nlohmann::json() : result;
}

// Occurrences of `what` in `text`.
long long CountOf(const std::string& text, const std::string& what) {
  long long n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Yosys's script splits its arguments at spaces: the files read are double-quoted (the whole
// script is then shell-quoted by Quoted). Yosys 0.23's `tee -o` takes no quotes: Yosys runs in
// the folder of its report, which `tee -o` names without a path.
std::string YosysReads(const std::vector<std::string>& files) {
  std::string r;
  for (const auto& f : files) r += "read_verilog -sv \"" + fs::absolute(f).string() + "\"; ";
  return r;
}

// The last lines of a log, for an error message.
std::string Tail(const std::string& text, int lines) {
  std::size_t pos = text.size();
  for (int i = 0; i <= lines && pos != std::string::npos && pos > 0; ++i)
    pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

// ICSC_HOME when it holds an installation (SVC's CMake package or the translator library), else
// nullptr.
const char* IcscHome() {
  const char* home = std::getenv("ICSC_HOME");
  if (home == nullptr) return nullptr;
  for (const char* lib : {"lib", "lib64"}) {
    if (fs::exists(fs::path(home) / lib / "cmake" / "SVC") ||
        fs::exists(fs::path(home) / lib / "libSCTool.so"))
      return home;
  }
  return nullptr;
}

// Verilator runs in `dir` and is given the files relative to it: Verilator 5.006 and the make it
// drives split paths at spaces, and the project folder (the user's --out) may hold one.
std::string InFolder(const fs::path& dir, const std::vector<std::string>& files,
                     std::string* relative) {
  for (const auto& f : files) {
    *relative += " " + Quoted(fs::absolute(f).lexically_relative(fs::absolute(dir)).string());
  }
  return "cd " + Quoted(fs::absolute(dir).string()) + " && ";
}

// Verilator's lint of the translation with the block RAM: every warning counted by kind and by
// file, "clean" only when there is none (lint exits 0 over warnings with -Wno-fatal).
nlohmann::json Lint(const std::vector<std::string>& sv, const std::string& top,
                    const fs::path& dir) {
  const fs::path log = dir / "lint.log";
  fs::remove(log);
  std::string files;
  const std::string cd = InFolder(dir, sv, &files);
  const bool ran = Run(cd + "verilator --lint-only -Wall -Wno-fatal -Wno-DECLFILENAME" +
                           (top.empty() ? std::string() : " --top-module " + top) + files,
                       log);
  static const std::regex warning(R"(^%Warning-(\w+): ([^:]+):(\d+):)");
  std::map<std::string, long long> by_kind, by_file;
  std::vector<std::string> first;
  long long count = 0;
  std::istringstream in(Slurp(log));
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, warning)) continue;
    ++count;
    ++by_kind[m[1]];
    ++by_file[fs::path(m[2].str()).filename().string()];
    if (first.size() < 10) first.push_back(line);
  }
  const std::string status = !ran ? "errors" : count == 0 ? "clean" : "warnings";
  return {{"status", status},   {"warnings", count}, {"by_kind", by_kind},
          {"by_file", by_file}, {"first", first},    {"log", log.string()}};
}

// The RTL co-simulation: ICSC's SystemVerilog of Top under Verilator, driven by the SystemC
// testbench's port trace and compared with it in every cycle (dse/hls/cosim.h).
nlohmann::json Cosimulate(const std::vector<std::string>& sv, const std::string& top,
                          const fs::path& trace, const HlsCheckOptions& options,
                          const fs::path& dir) {
  const fs::path work = dir / "cosim";
  const fs::path log = work / "cosim.log";
  fs::create_directories(work);
  fs::remove(log);
  nlohmann::json cosim = {{"log", log.string()}, {"pass", false}};
  if (top.empty()) {
    cosim["error"] = "ICSC's SystemVerilog names no top module (tb.top)";
    return cosim;
  }
  std::ifstream trace_in(trace);
  std::vector<TracePort> traced;
  std::vector<SvPort> ports;
  try {
    traced = ReadTraceHeader(trace_in);
    std::string text;
    for (const auto& f : sv) text += Slurp(f) + "\n";
    ports = SvPorts(text, top);
    WriteProjectFile(work / "cosim_main.cpp", CosimHarness(top, ports, traced));
  } catch (const std::runtime_error& e) {
    cosim["error"] = std::string("cannot set up the co-simulation: ") + e.what();
    return cosim;
  }
  if (options.note) options.note("co-simulating ICSC's SystemVerilog under Verilator");
  // GNU Make refuses a folder whose path holds a space (verilated.mk): then the co-simulation is
  // built from copies in a temporary folder, removed when it has run.
  fs::path build_dir = work;
  std::vector<std::string> sources = sv;
  struct Scratch {
    fs::path dir;
    ~Scratch() {
      std::error_code ec;
      if (!dir.empty()) fs::remove_all(dir, ec);
    }
  } scratch;
  if (fs::absolute(work).string().find(' ') != std::string::npos) {
    std::string pattern = (fs::temp_directory_path() / "msqx-cosim-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      cosim["error"] =
          "cannot make a temporary folder for Verilator (the project's path holds a "
          "space, which GNU Make refuses)";
      return cosim;
    }
    scratch.dir = build_dir = pattern;
    sources.clear();
    try {
      for (const auto& f : sv) {
        const fs::path copy = build_dir / fs::path(f).filename();
        fs::copy_file(f, copy, fs::copy_options::overwrite_existing);
        sources.push_back(copy.string());
      }
      fs::copy_file(work / "cosim_main.cpp", build_dir / "cosim_main.cpp");
    } catch (const fs::filesystem_error& e) {
      cosim["error"] = std::string("cannot copy the co-simulation's sources: ") + e.what();
      return cosim;
    }
  }
  std::string files;
  const std::string cd = InFolder(build_dir, sources, &files);
  const auto start = std::chrono::steady_clock::now();
  // Uninitialized state reads 0, as the SystemC model's members do.
  const std::string build = cd + "verilator --cc --exe --build -j " + std::to_string(options.jobs) +
                            " -Wno-fatal -Wno-lint -Wno-style --x-assign 0 --x-initial 0" +
                            " --top-module " + top + " -Mdir obj -o cosim cosim_main.cpp" + files;
  if (!Run(build, log)) {
    cosim["error"] = "Verilator did not build the co-simulation: " + Tail(Slurp(log), 15);
    return cosim;
  }
  const fs::path out = work / "cosim.out";
  fs::remove(out);
  Run(Quoted((build_dir / "obj" / "cosim").string()) + " " + Quoted(fs::absolute(trace).string()),
      out);
  const std::string output = Slurp(out);
  std::ofstream(log, std::ios::app) << output;
  const nlohmann::json result = TestbenchResult(output);
  cosim["seconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
          .count();
  if (result.is_null()) {
    cosim["error"] = "the co-simulation did not finish: " + Tail(output, 8);
    return cosim;
  }
  for (const auto& [key, value] : result.items()) cosim[key] = value;
  return cosim;
}

// Yosys reads ICSC's SystemVerilog as it is when it can; Debian 12's Yosys 0.23 does not, and
// reads a converted copy instead (dse/hls/sv_for_yosys.h: good for an estimate, not verified
// equivalent). The files it read, or an error in icsc["error"].
std::vector<std::string> YosysInput(const std::vector<std::string>& sv, const std::string& top_arg,
                                    const HlsCheckOptions& options, const fs::path& dir,
                                    const fs::path& log, nlohmann::json* icsc) {
  std::vector<std::string> input = sv;
  const std::size_t log_before = Slurp(log).size();
  if (Run("yosys -q -p " + Quoted(YosysReads(sv) + "hierarchy -check" + top_arg), log)) {
    (*icsc)["yosys_input"] = "icsc";
    return input;
  }
  (*icsc)["yosys_icsc_read_error"] = FirstError(Slurp(log).substr(log_before));
  if (options.note)
    options.note("Yosys cannot read ICSC's SystemVerilog as it is: converting it for Yosys 0.23");
  const fs::path converted = dir / "yosys";
  fs::create_directories(converted);
  input.clear();
  try {
    for (const auto& f : sv) {
      const fs::path out = converted / fs::path(f).filename();
      WriteProjectFile(out, SvForYosys(Slurp(f)));
      input.push_back(out.string());
    }
  } catch (const std::runtime_error& e) {
    (*icsc)["error"] =
        std::string("Yosys cannot read ICSC's SystemVerilog and msqx cannot convert it: ") +
        e.what();
    return {};
  }
  if (!Run("yosys -q -p " + Quoted(YosysReads(input) + "hierarchy -check" + top_arg), log)) {
    (*icsc)["error"] = "Yosys reads neither ICSC's SystemVerilog nor msqx's conversion of it (" +
                       converted.string() + "): " + Tail(Slurp(log), 15);
    return {};
  }
  (*icsc)["yosys_input"] = "converted for yosys 0.23";
  (*icsc)["yosys_converted"] = input;
  return input;
}

// ICSC's translation of Top, then Verilator's lint and co-simulation, then Yosys's synthesis and
// its counts beside the model's.
nlohmann::json IcscFlow(const HlsCheckTarget& target, const HlsCheckOptions& options,
                        const fs::path& trace, HlsCheck* check) {
  const fs::path& dir = target.dir;
  const fs::path log = dir / "icsc" / "check.log";
  const char* home = IcscHome();
  nlohmann::json icsc = {{"found", false}};
  if (home == nullptr) {
    const char* set = std::getenv("ICSC_HOME");
    icsc["note"] =
        std::string("ICSC_HOME ") +
        (set ? "does not hold an ICSC installation (" + std::string(set) + ")" : "is not set") +
        ": with Intel's SystemC compiler installed, --check also translates Top to SystemVerilog, "
        "lints it and co-simulates it with Verilator against the SystemC testbench, synthesizes "
        "it with Yosys synth_xilinx, and puts Yosys's LUT/FF/DSP/BRAM counts beside the resource "
        "model's estimate";
    return icsc;
  }
  check->icsc_found = true;
  icsc = {{"found", true}, {"home", home}, {"log", log.string()}};
  fs::remove(log);
  if (options.note)
    options.note("translating Top to SystemVerilog with ICSC (" + std::string(home) + ")");
  const fs::path build = dir / "icsc" / "build";
  // ICSC's environment (its own SystemC and LLVM libraries), then its tool build and run.
  // setenv.sh is a bash script (it finds itself through BASH_SOURCE).
  const std::string env = fs::exists(fs::path(home) / "setenv.sh")
                              ? "source " + Quoted(home + std::string("/setenv.sh")) + " && "
                              : "";
  const std::string steps = env + "cmake -S " + Quoted((dir / "icsc").string()) + " -B " +
                            Quoted(build.string()) + " -DCMAKE_PREFIX_PATH=" + Quoted(home) +
                            " && cmake --build " + Quoted(build.string()) +
                            " --target msqx_top_sctool -j " + std::to_string(options.jobs) +
                            " && cd " + Quoted(build.string()) + " && timeout " +
                            std::to_string(options.icsc_timeout_s) + " ./msqx_top_sctool";
  const auto icsc_start = std::chrono::steady_clock::now();
  if (!Run("bash -c " + Quoted(steps), log)) {
    icsc["error"] = "ICSC translation failed or ran past --icsc-timeout (" +
                    std::to_string(options.icsc_timeout_s) + " s): " + Tail(Slurp(log), 15);
    return icsc;
  }
  icsc["icsc_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::steady_clock::now() - icsc_start)
                             .count();
  std::vector<std::string> sv;
  if (fs::exists(build / "sv_out")) {
    for (const auto& e : fs::directory_iterator(build / "sv_out")) {
      if (e.path().extension() == ".sv") sv.push_back(e.path().string());
    }
  }
  if (sv.empty()) {
    icsc["error"] = "ICSC ran but wrote no .sv file under " + (build / "sv_out").string();
    return icsc;
  }
  const std::string top = TopModule(sv);
  for (const auto& f : target.systemverilog) sv.push_back(f.string());
  icsc["systemverilog"] = sv;
  icsc["icsc_warnings"] = CountOf(Slurp(log), ": warning: ");
  if (OnPath("verilator")) {
    icsc["verilator_lint"] = Lint(sv, top, dir / "icsc");
    icsc["cosim"] = Cosimulate(sv, top, trace, options, dir / "icsc");
    check->cosim_pass = icsc["cosim"].value("pass", false);
  } else {
    icsc["verilator_lint"] = {{"status", "verilator not installed"}};
    icsc["cosim"] = {{"pass", false},
                     {"error",
                      "verilator is not installed (Debian package "
                      "verilator)"}};
  }
  if (!options.synthesize) {
    icsc["yosys"] = "not run (--no-synthesis)";
    return icsc;
  }
  if (!OnPath("yosys")) {
    icsc["error"] = "yosys is not installed (Debian package yosys)";
    return icsc;
  }
  icsc["yosys_version"] = Trim(Capture("yosys -V"));
  const std::string top_arg = top.empty() ? "" : " -top " + top;
  const std::vector<std::string> input = YosysInput(sv, top_arg, options, dir / "icsc", log, &icsc);
  if (input.empty()) return icsc;
  if (options.note)
    options.note("synthesizing with Yosys synth_xilinx -family " + target.yosys_family);
  const fs::path stat = dir / "icsc" / "yosys_stat.txt";
  const auto start = std::chrono::steady_clock::now();
  if (!Run("cd " + Quoted(stat.parent_path().string()) + " && yosys -q -p " +
               Quoted(YosysReads(input) + "synth_xilinx -family " + target.yosys_family + top_arg +
                      "; tee -o " + stat.filename().string() + " stat"),
           log)) {
    icsc["error"] = "Yosys synthesis failed: " + Tail(Slurp(log), 15);
    return icsc;
  }
  icsc["yosys_seconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
          .count();
  const auto counts = YosysCounts(Slurp(stat));
  nlohmann::json diff;
  for (const auto& [key, est] : target.estimate) {
    const long long got = counts.count(key) ? counts.at(key) : 0;
    diff[key] = {
        {"yosys", got},
        {"model", est},
        {"difference", got - est},
        {"difference_percent",
         est > 0 ? 100.0 * static_cast<double>(got - est) / static_cast<double>(est) : 0.0}};
  }
  icsc["yosys"] = counts;
  icsc["comparison"] = diff;
  icsc["estimate_scope"] = target.estimate_scope;
  check->synthesized = true;
  return icsc;
}

}  // namespace

std::map<std::string, long long> YosysCounts(const std::string& stat_report) {
  std::map<std::string, long long> counts = {{"lut", 0}, {"ff", 0}, {"dsp", 0}, {"bram18", 0}};
  const std::regex name_first(R"(^\s+([A-Za-z_$][\w$]*)\s+(\d+)\s*$)");
  const std::regex count_first(R"(^\s+(\d+)\s+(?:[\d.]+\s+)?([A-Za-z_$][\w$]*)\s*$)");
  // A design that keeps its hierarchy (synth_xilinx does not flatten) is reported module by module,
  // each once however often it is instantiated, then as totals under "design hierarchy": those.
  const std::size_t totals = stat_report.find("=== design hierarchy ===");
  std::istringstream in(totals == std::string::npos ? stat_report : stat_report.substr(totals));
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    std::string cell;
    long long n = 0;
    if (std::regex_match(line, m, name_first)) {
      cell = m[1];
      n = std::stoll(m[2]);
    } else if (std::regex_match(line, m, count_first)) {
      cell = m[2];
      n = std::stoll(m[1]);
    } else {
      continue;
    }
    if (std::regex_match(cell, std::regex("LUT[1-6]")))
      counts["lut"] += n;
    else if (std::regex_match(cell, std::regex("FD[RSCP]E(_1)?")))
      counts["ff"] += n;
    else if (std::regex_match(cell, std::regex("DSP48E[12]")))
      counts["dsp"] += n;
    else if (std::regex_match(cell, std::regex("RAMB18E[12]")))
      counts["bram18"] += n;
    else if (std::regex_match(cell, std::regex("RAMB36E[12]")))
      counts["bram18"] += 2 * n;
  }
  return counts;
}

HlsCheck RunHlsCheck(const HlsCheckTarget& target, const HlsCheckOptions& options) {
  HlsCheck check;
  const fs::path& dir = target.dir;
  const fs::path build = dir / "build";
  const fs::path log = dir / "check.log";
  const fs::path trace = dir / "tb_trace.txt";
  fs::remove(log);
  fs::remove(dir / "hls_check.json");
  nlohmann::json systemc = {{"log", log.string()}};
  if (options.note)
    options.note("building the testbench with Debian's SystemC (log: " + log.string() + ")");
  const bool built = Run("cmake -S " + Quoted(dir.string()) + " -B " + Quoted(build.string()) +
                             " -DCMAKE_BUILD_TYPE=Release && cmake --build " +
                             Quoted(build.string()) + " -j " + std::to_string(options.jobs),
                         log);
  systemc["built"] = built;
  if (!built) {
    systemc["error"] = "the testbench did not build: " + Tail(Slurp(log), 15);
  } else {
    if (options.note) {
      options.note("running layer " + target.layer + " through Top (" +
                   std::to_string(target.expected_cycles) + " cycles)");
    }
    const fs::path out = dir / "tb.log";
    fs::remove(out);
    fs::remove(trace);
    // With ICSC the run also records the ports for the RTL co-simulation.
    const bool ran =
        Run("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " + Quoted((build / "msqx_tb").string()) +
                (IcscHome() != nullptr ? " --trace " + Quoted(trace.string()) : ""),
            out);
    const std::string output = Slurp(out);
    std::ofstream(log, std::ios::app) << output;
    systemc["result"] = TestbenchResult(output);
    check.pass = ran && systemc["result"].value("pass", false);
    if (!check.pass) systemc["error"] = Tail(output, 8);
  }
  systemc["pass"] = check.pass;
  check.report = {{"schema", "msqx.hls_check/1"},
                  {"design", target.design},
                  {"network", target.network},
                  {"layer", target.layer},
                  {"systemc", systemc}};
  if (check.pass) {
    check.report["icsc"] = IcscFlow(target, options, trace, &check);
  } else {
    check.report["icsc"] = {{"found", IcscHome() != nullptr},
                            {"note", "not run: the SystemC testbench did not pass"}};
  }
  const fs::path tmp = dir / "hls_check.json.tmp";
  WriteProjectFile(tmp, check.report.dump(2) + "\n");
  fs::rename(tmp, dir / "hls_check.json");
  return check;
}

}  // namespace msqx::hls
