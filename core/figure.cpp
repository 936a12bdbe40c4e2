// Figures and sources: the provenance rules of API.md, enforced when the catalog loads.
#include "figure.hpp"

#include <algorithm>

namespace whichgpu {

std::vector<Source> read_sources(Reader& r) {
  const json& arr = r.array("sources");
  if (arr.empty()) r.error("missing_field", "sources", "an entry needs at least one source");
  std::vector<Source> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    Reader s(arr[i], r.path_of("sources") + "/" + std::to_string(i), r.file(), "a source");
    Source src;
    src.id = s.str("id");
    src.title = s.str("title");
    src.url = s.str("url");
    src.kind = s.one_of("kind", {"datasheet", "whitepaper", "vendor-docs", "config", "model-card",
                                 "paper", "benchmark", "source-code", "price-list", "secondary",
                                 "log"});
    if (auto l = s.opt_str("locator")) src.locator = *l;
    s.opt_str("accessed");
    s.finish();
    if (src.url.rfind("http", 0) != 0)
      s.error("out_of_range", "url", "a source url must start with http");
    for (const auto& o : out)
      if (o.id == src.id) s.error("duplicate_key", "id", "source id \"" + src.id + "\" is used twice");
    out.push_back(std::move(src));
  }
  return out;
}

Figure read_figure_value(const json& v, const std::string& path, const std::string& file, double lo,
                         double hi, const std::string& unit, const std::vector<Source>* sources,
                         bool allow_plain) {
  if (allow_plain && v.is_number()) return Figure::user(as_number(v, path, lo, hi, unit, file));
  Reader r(v, path, file, "a figure {value, provenance, source}");
  Figure f;
  if (!r.present("value")) r.error("missing_field", "value", "a figure needs \"value\" (" + unit + ")");
  const json& val = r.get("value");
  if (val.is_null()) {
    f.supported = r.boolean("supported");
    if (r.present("provenance"))
      r.error("unknown_key", "provenance", "a null figure carries \"supported\", not a provenance");
  } else {
    f.value = as_number(val, r.path_of("value"), lo, hi, unit, file);
    f.provenance = r.one_of("provenance", {"published", "derived", "secondary"});
    if (f.provenance == "derived") {
      f.formula = r.str("formula");
      if (f.formula.size() < 3) r.error("out_of_range", "formula", "a derived figure states its formula");
    }
    if (f.provenance != "derived" || r.has("source")) f.source = r.str("source");
  }
  if (auto n = r.opt_str("note")) f.note = *n;
  if (!f.value && r.has("formula")) f.formula = r.str("formula");
  r.finish();
  if (!f.source.empty() && sources) {
    bool found = std::any_of(sources->begin(), sources->end(),
                             [&](const Source& s) { return s.id == f.source; });
    if (!found) r.error("unknown_id", "source", "source \"" + f.source + "\" is not in this entry's sources");
  }
  return f;
}

Figure read_figure(Reader& r, const std::string& key, double lo, double hi, const std::string& unit,
                   const std::vector<Source>* sources, bool allow_plain) {
  return read_figure_value(r.get(key), r.path_of(key), r.file(), lo, hi, unit, sources, allow_plain);
}

json figure_to_json(const Figure& f) {
  json j;
  j["value"] = f.value ? json(*f.value) : json(nullptr);
  if (f.value) j["provenance"] = f.provenance;
  else j["supported"] = f.supported;
  if (!f.source.empty()) j["source"] = f.source;
  if (!f.formula.empty()) j["formula"] = f.formula;
  if (!f.note.empty()) j["note"] = f.note;
  return j;
}

}  // namespace whichgpu
