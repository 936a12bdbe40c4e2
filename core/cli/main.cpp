// whichgpu CLI: evaluate, decide, validate, catalog, bench — the offline harness
// over the same JSON API the page calls. Exit codes per API.md.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "api.hpp"

using whichgpu::json;

int run_bench(const whichgpu::Catalog& cat);  // bench.cpp

namespace {

const char* kHelp =
    "whichgpu " WHICHGPU_VERSION " - which hardware to run an LLM on, and what it costs\n"
    "\n"
    "usage:\n"
    "  whichgpu evaluate [--catalog FILE]... [FILE|-]   evaluate one request (JSON)\n"
    "  whichgpu decide   [--catalog FILE]... [FILE|-]   rank candidate deployments\n"
    "  whichgpu validate [--json] [--catalog FILE]...   predicted vs published measurements\n"
    "  whichgpu calibrate [--write DIR]                  fit efficiency factors to data/benchmarks\n"
    "  whichgpu catalog  [hardware|models|precisions|engines|disks|prices|benchmarks|efficiency|calibration]\n"
    "  whichgpu bench                                   speed benchmark (prints figures)\n"
    "  whichgpu --version | --help\n"
    "\n"
    "Requests and responses follow API.md. With no FILE (or -) the request is read from stdin.\n"
    "Exit: 0 ok (including does-not-fit), 2 bad request or usage, 3 unreadable file, 1 internal error.\n";

int usage(const std::string& msg) {
  json e = {{"ok", false}, {"error", {{"code", "invalid_combination"}, {"message", msg}, {"path", ""}}}};
  std::cout << e.dump(2) << "\n";
  std::cerr << msg << "\n(see whichgpu --help)\n";
  return 2;
}

bool read_file(const std::string& path, std::string& out) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    out = ss.str();
    return true;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return !f.bad();
}

int io_error(const std::string& path) {
  json e = {{"ok", false},
            {"error", {{"code", "io_error"}, {"message", "cannot read " + path}, {"path", ""}, {"file", path}}}};
  std::cout << e.dump(2) << "\n";
  return 3;
}

// Prints a response and maps it to the exit code.
int emit(const std::string& response) {
  json r = json::parse(response);
  std::cout << r.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  if (r.value("ok", false)) return 0;
  std::string code = r["error"].value("code", "internal");
  if (code == "internal") return 1;
  if (code == "io_error") return 3;
  return 2;
}

void print_validate_table(const json& res) {
  std::printf("%-60s %-32s %11s %11s %8s %8s\n", "benchmark", "metric", "measured", "predicted", "error", "cv error");
  for (const auto& b : res["benchmarks"]) {
    if (b.contains("predicted"))
      std::printf("%-60.60s %-32.32s %11.5g %11.5g %+7.1f%% %+7.1f%%\n", b["id"].get<std::string>().c_str(),
                  b["metric"].get<std::string>().c_str(), b["measured"].get<double>(), b["predicted"].get<double>(),
                  b["speed_error_rel"].get<double>() * 100, b.value("cv_speed_error_rel", 0.0) * 100);
    else
      std::printf("%-60.60s %-32.32s %11.5g  (%s)\n", b["id"].get<std::string>().c_str(),
                  b["metric"].get<std::string>().c_str(), b["measured"].get<double>(),
                  b["error"].get<std::string>().c_str());
  }
  auto line = [](const std::string& name, const json& s) {
    if (!s.contains("median_abs_rel")) {
      std::printf("  %-30s n=%-3d %s\n", name.c_str(), s["n"].get<int>(), s["status"].get<std::string>().c_str());
      return;
    }
    std::printf("  %-30s n=%-3d sources=%-2d median |error| %5.1f%%  within 25%% %5.1f%%  bias %+6.1f%%%s\n",
                name.c_str(), s["n"].get<int>(), s["sources"].get<int>(), s["median_abs_rel"].get<double>() * 100,
                s["within_25_share"].get<double>() * 100, s["bias_rel"].get<double>() * 100,
                s["status"] == "ok" ? "" : "  (insufficient data)");
  };
  const json& s = res["summary"];
  std::printf("\n%s\n", s["definition"].get<std::string>().c_str());
  for (const std::string which : {"in_sample", "cross_validated"}) {
    std::printf("\n%s:\n", which == "in_sample" ? "In sample (committed calibration)" : "Cross-validated (leave one source out)");
    const json& w = s[which];
    line("overall", w["overall"]);
    for (const std::string k : {"by_group", "by_family", "by_engine"})
      if (w.contains(k))
        for (auto it = w[k].begin(); it != w[k].end(); ++it) line(k.substr(3) + " " + it.key(), *it);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kHelp;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "whichgpu " << whichgpu::version() << "\n";
    return 0;
  }
  const std::string cmd = args[0];
  std::vector<std::string> catalogs, rest;
  bool as_json = false;
  std::string write_dir;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--catalog") {
      if (i + 1 >= args.size()) return usage("--catalog needs a FILE");
      catalogs.push_back(args[++i]);
    } else if (args[i] == "--write") {
      if (i + 1 >= args.size()) return usage("--write needs a DIR");
      write_dir = args[++i];
    } else if (args[i] == "--json") {
      as_json = true;
    } else if (args[i].size() > 1 && args[i][0] == '-' && args[i] != "-") {
      return usage("unknown option " + args[i]);
    } else {
      rest.push_back(args[i]);
    }
  }
  try {
    whichgpu::Catalog cat = whichgpu::Catalog::builtin();
    for (const auto& f : catalogs) {
      std::string text;
      if (!read_file(f, text)) return io_error(f);
      try {
        cat.load_user_file(f, text);
      } catch (const whichgpu::Error& e) {
        std::cout << whichgpu::error_json(e).dump(2) << "\n";
        return 2;
      }
    }
    if (cmd == "evaluate" || cmd == "decide") {
      if (rest.size() > 1) return usage(cmd + " takes one request FILE (or - for stdin)");
      std::string path = rest.empty() ? "-" : rest[0];
      std::string text;
      if (!read_file(path, text)) return io_error(path);
      return emit(cmd == "evaluate" ? whichgpu::evaluate_json(text, cat) : whichgpu::decide_json(text, cat));
    }
    if (cmd == "catalog") {
      if (rest.size() > 1) return usage("catalog takes at most one kind");
      return emit(whichgpu::catalog_json(rest.empty() ? "" : rest[0], cat));
    }
    if (cmd == "validate") {
      std::string out = whichgpu::validate_json(cat);
      if (as_json) return emit(out);
      json r = json::parse(out);
      if (!r["ok"].get<bool>()) return emit(out);
      print_validate_table(r["result"]);
      return 0;
    }
    if (cmd == "bench") return run_bench(cat);
    if (cmd == "calibrate") {
      // Prints the fitted data/calibration entries; --write DIR writes them as files.
      std::string out = whichgpu::calibrate_json(cat);
      json r = json::parse(out);
      if (!r["ok"].get<bool>() || write_dir.empty()) return emit(out);
      for (const auto& e : r["result"]["entries"]) {
        std::ofstream f(write_dir + "/" + e["id"].get<std::string>() + ".json");
        if (!f) return io_error(write_dir);
        f << e.dump(2) << "\n";
      }
      std::cout << r["result"]["cross_validated"].dump(2) << "\n";
      return 0;
    }
    return usage("unknown command \"" + cmd + "\"");
  } catch (const whichgpu::Error& e) {
    std::cout << whichgpu::error_json(e).dump(2) << "\n";
    return e.code == "catalog_invalid" ? 2 : 1;
  } catch (const std::exception& e) {
    std::cout << json{{"ok", false}, {"error", {{"code", "internal"}, {"message", e.what()}, {"path", ""}}}}.dump(2) << "\n";
    return 1;
  }
}
