// Parsing of single catalog entries (SCHEMA.md), shared by the catalog loader.
#pragma once
#include <string>
#include <vector>

#include "catalog.hpp"

namespace whichgpu::detail {

// Ids match ^[a-z0-9][a-z0-9._-]*$; built-in entries are named data/<kind>/<id>.json.
void check_id(Reader& r, const std::string& id, const std::string& file);
std::vector<std::string> string_list(Reader& r, const std::string& key);
std::string opt_text(Reader& r, const std::string& key);

// The head every entry shares: its file, raw JSON, id (checked against the file
// name) and sources.
template <class Entry>
void read_head(Reader& r, Entry& e, const json& j, const std::string& file) {
  e.file = file;
  e.raw = j;
  e.id = r.str("id");
  check_id(r, e.id, file);
  e.sources = read_sources(r);
}

Efficiency parse_efficiency(const json& j, const std::string& file);
Precision parse_precision(const json& j, const std::string& file);
Engine parse_engine(const json& j, const std::string& file);
Disk parse_disk(const json& j, const std::string& file);
PriceList parse_prices(const json& j, const std::string& file);
ModelEntry parse_model(const json& j, const std::string& file);
Benchmark parse_benchmark(const json& j, const std::string& file);
Calibration parse_calibration(const json& j, const std::string& file);

}  // namespace whichgpu::detail
