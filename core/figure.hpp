// A catalog figure: a number with its provenance, or null with whether the feature exists.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "json_io.hpp"

namespace whichgpu {

struct Source {
  std::string id, title, url, kind, locator;
};

struct Figure {
  std::optional<double> value;
  bool supported = true;   // meaningful when value is null: false = hardware lacks it
  std::string provenance;  // published | derived | secondary | user
  std::string source, formula, note;

  bool known() const { return value.has_value(); }
  double v() const { return *value; }
  static Figure user(double x) {
    Figure f;
    f.value = x;
    f.provenance = "user";
    return f;
  }
};

// Reads a figure object (SCHEMA.md) at r[key]: range-checked with its unit, its
// source checked against the entry's sources. A plain number is accepted only
// when `allow_plain` (requests), and gets provenance "user".
Figure read_figure(Reader& r, const std::string& key, double lo, double hi, const std::string& unit,
                   const std::vector<Source>* sources, bool allow_plain = false);
Figure read_figure_value(const json& v, const std::string& path, const std::string& file, double lo,
                         double hi, const std::string& unit, const std::vector<Source>* sources,
                         bool allow_plain);
std::vector<Source> read_sources(Reader& r);
json figure_to_json(const Figure& f);

}  // namespace whichgpu
