// Counters of the components and the report writers that walk the module tree
// (stats.h). JSON is built with cJSON; the summary is plain text.
#include "aimc_hw/stats.h"

#include <cjson/cJSON.h>

#include "aimc_hw/area.h"

#include <algorithm>
#include <cinttypes>
#include <map>

namespace aimc::hw {

namespace {

const char *const phase_keys[AIMC_HW_PHASE_COUNT] = {"forward", "backward", "update", "transfer", "digital"};

// Child components of an object, in creation order: the modules that keep
// statistics (sockets, processes and helper modules are skipped).
std::vector<const sc_core::sc_object *> child_modules(const sc_core::sc_object &object) {
  std::vector<const sc_core::sc_object *> out;
  for (const sc_core::sc_object *child : object.get_child_objects()) {
    if (dynamic_cast<const sc_core::sc_module *>(child) && dynamic_cast<const StatProvider *>(child))
      out.push_back(child);
  }
  return out;
}

template <typename Visit>
void walk(const sc_core::sc_object &object, Visit &&visit) {
  visit(object);
  for (const sc_core::sc_object *child : child_modules(object)) walk(*child, visit);
}

// A cJSON tree that frees itself.
struct Json {
  cJSON *node;
  explicit Json(cJSON *n) : node(n) {}
  ~Json() { cJSON_Delete(node); }
  Json(const Json &) = delete;
  Json &operator=(const Json &) = delete;
};

cJSON *energy_object(const std::array<double, AIMC_HW_PHASE_COUNT> &energy) {
  cJSON *object = cJSON_CreateObject();
  double total = 0.0;
  for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) {
    cJSON_AddNumberToObject(object, phase_keys[p], energy[p]);
    total += energy[p];
  }
  cJSON_AddNumberToObject(object, "total", total);
  return object;
}

std::array<double, AIMC_HW_PHASE_COUNT> subtree_energies(const sc_core::sc_object &root) {
  std::array<double, AIMC_HW_PHASE_COUNT> sum{};
  walk(root, [&](const sc_core::sc_object &o) {
    if (auto *s = dynamic_cast<const StatProvider *>(&o)) {
      for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) sum[p] += s->energy(static_cast<aimc_hw_phase>(p));
    }
  });
  return sum;
}

// Area of a component and everything below it, m^2.
double subtree_area(const sc_core::sc_object &root, const aimc_hw_chip_params &params) {
  double sum = 0.0;
  walk(root, [&](const sc_core::sc_object &o) { sum += component_area(o, params); });
  return sum;
}

cJSON *component_json(const sc_core::sc_object &object, const aimc_hw_chip_params *params, double powered) {
  cJSON *node = cJSON_CreateObject();
  auto *stats = dynamic_cast<const StatProvider *>(&object);
  cJSON_AddStringToObject(node, "kind", stats ? stats->kind().c_str() : object.kind());
  std::array<double, AIMC_HW_PHASE_COUNT> own{};
  if (stats) {
    for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) own[p] = stats->energy(static_cast<aimc_hw_phase>(p));
  }
  cJSON_AddItemToObject(node, "energy", energy_object(own));
  cJSON_AddItemToObject(node, "subtree_energy", energy_object(subtree_energies(object)));
  // Leakage: its own row, apart from the dynamic energy of the phases above.
  cJSON_AddNumberToObject(node, "static_power_w", stats ? stats->static_power() : 0.0);
  cJSON_AddNumberToObject(node, "leakage_j", leakage_energy(object, powered));
  cJSON_AddNumberToObject(node, "subtree_leakage_j", subtree_leakage(object, powered));
  if (params) {
    cJSON_AddNumberToObject(node, "area_mm2", component_area(object, *params) * 1e6);
    cJSON_AddNumberToObject(node, "subtree_area_mm2", subtree_area(object, *params) * 1e6);
  }
  cJSON_AddNumberToObject(node, "busy_time", stats ? stats->busy_time().to_seconds() : 0.0);
  cJSON *counters = cJSON_AddObjectToObject(node, "counters");
  if (stats) {
    for (const auto &c : stats->counters()) {
      cJSON *entry = cJSON_AddObjectToObject(counters, c->name().c_str());
      cJSON_AddNumberToObject(entry, "value", c->value());
      cJSON_AddStringToObject(entry, "unit", c->unit().c_str());
      cJSON_AddStringToObject(entry, "description", c->description().c_str());
    }
  }
  cJSON *children = cJSON_AddObjectToObject(node, "children");
  for (const sc_core::sc_object *child : child_modules(object))
    cJSON_AddItemToObject(children, child->basename(), component_json(*child, params, powered));
  return node;
}

aimc_status write_all(FILE *out, const char *text, size_t size) {
  if (std::fwrite(text, 1, size, out) != size || std::fflush(out) != 0)
    return aimc_error_set(AIMC_EIO, "stats: cannot write the report");
  return AIMC_OK;
}

}  // namespace

const Counter *StatProvider::find_counter(const std::string &name) const {
  for (const auto &c : counters_) {
    if (c->name() == name) return c.get();
  }
  return nullptr;
}

double StatProvider::energy_total() const {
  double total = 0.0;
  for (double e : energy_) total += e;
  return total;
}

Counter &StatProvider::add_counter(const std::string &name, const std::string &unit, const std::string &description) {
  counters_.push_back(std::make_unique<Counter>(name, unit, description, true));
  return *counters_.back();
}

Counter &StatProvider::add_amount(const std::string &name, const std::string &unit, const std::string &description) {
  counters_.push_back(std::make_unique<Counter>(name, unit, description, false));
  return *counters_.back();
}

double powered_time(const RunSummary &run) { return run.timed ? run.simulated_time.to_seconds() : 0.0; }

double leakage_energy(const sc_core::sc_object &object, double powered_seconds) {
  auto *stats = dynamic_cast<const StatProvider *>(&object);
  return stats ? stats->static_power() * powered_seconds : 0.0;
}

double subtree_static_power(const sc_core::sc_object &root) {
  double sum = 0.0;
  walk(root, [&](const sc_core::sc_object &o) {
    if (auto *s = dynamic_cast<const StatProvider *>(&o)) sum += s->static_power();
  });
  return sum;
}

double subtree_leakage(const sc_core::sc_object &root, double powered_seconds) {
  double sum = 0.0;
  walk(root, [&](const sc_core::sc_object &o) { sum += leakage_energy(o, powered_seconds); });
  return sum;
}

double subtree_energy(const sc_core::sc_object &root, int phase) {
  auto energies = subtree_energies(root);
  if (phase >= 0 && phase < AIMC_HW_PHASE_COUNT) return energies[phase];
  double total = 0.0;
  for (double e : energies) total += e;
  return total;
}

const sc_core::sc_object *find_below(const sc_core::sc_object &root, const std::string &path) {
  if (path.empty()) return &root;
  const sc_core::sc_object *here = &root;
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find('.', begin);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(begin, end - begin);
    const sc_core::sc_object *next = nullptr;
    for (const sc_core::sc_object *child : child_modules(*here)) {
      if (part == child->basename()) next = child;
    }
    if (!next) return nullptr;
    here = next;
    begin = end + 1;
  }
  return here;
}

aimc_status write_stats_json(const sc_core::sc_object &root, const RunSummary &run, FILE *out) {
  Json doc(cJSON_CreateObject());
  cJSON_AddStringToObject(doc.node, "format", "aimcsim-hw-stats");
  cJSON_AddNumberToObject(doc.node, "version", 1);
  cJSON_AddBoolToObject(doc.node, "timed", run.timed);
  cJSON_AddNumberToObject(doc.node, "simulated_time", run.simulated_time.to_seconds());
  cJSON_AddNumberToObject(doc.node, "time_resolution", sc_core::sc_get_time_resolution().to_seconds());
  cJSON_AddNumberToObject(doc.node, "layers", run.layers);
  cJSON_AddNumberToObject(doc.node, "tiles_used", run.tiles_used);
  cJSON_AddNumberToObject(doc.node, "tiles_available", run.tiles_available);
  auto energies = subtree_energies(root);
  double dynamic = 0.0;
  for (double e : energies) dynamic += e;
  const double powered = powered_time(run);
  const double leakage = subtree_leakage(root, powered);
  cJSON_AddNumberToObject(doc.node, "energy_total", dynamic + leakage);
  cJSON_AddNumberToObject(doc.node, "energy_dynamic", dynamic);
  cJSON *leak = cJSON_AddObjectToObject(doc.node, "leakage");
  cJSON_AddNumberToObject(leak, "energy", leakage);
  cJSON_AddNumberToObject(leak, "static_power", subtree_static_power(root));
  cJSON_AddNumberToObject(leak, "powered_time", powered);
  if (run.params) {
    const aimc_hw_area area = chip_area(*run.params, run.tiles_used);
    cJSON_AddNumberToObject(doc.node, "area_mm2", area.total_mm2);
    cJSON *parts = cJSON_AddObjectToObject(doc.node, "area");
    cJSON_AddNumberToObject(parts, "tiles", area.tiles);
    cJSON_AddNumberToObject(parts, "crossbar_mm2", area.crossbar_mm2);
    cJSON_AddNumberToObject(parts, "adc_mm2", area.adc_mm2);
    cJSON_AddNumberToObject(parts, "dac_mm2", area.dac_mm2);
    cJSON_AddNumberToObject(parts, "pulse_mm2", area.pulse_mm2);
    cJSON_AddNumberToObject(parts, "buffer_mm2", area.buffer_mm2);
    cJSON_AddNumberToObject(parts, "controller_mm2", area.controller_mm2);
  }
  cJSON *phases = cJSON_AddObjectToObject(doc.node, "phases");
  for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) {
    cJSON *phase = cJSON_AddObjectToObject(phases, phase_keys[p]);
    cJSON_AddNumberToObject(phase, "energy", energies[p]);
    cJSON_AddNumberToObject(phase, "time", run.phases.time[p].to_seconds());
    cJSON_AddNumberToObject(phase, "operations", static_cast<double>(run.phases.operations[p]));
  }
  cJSON *components = cJSON_AddObjectToObject(doc.node, "components");
  cJSON_AddItemToObject(components, root.basename(), component_json(root, run.params, powered));
  char *text = cJSON_Print(doc.node);
  if (!text) return aimc_error_set(AIMC_ENOMEM, "stats: cannot format stats.json");
  std::string body(text);
  cJSON_free(text);
  body += '\n';
  return write_all(out, body.data(), body.size());
}

aimc_status write_summary(const sc_core::sc_object &root, const RunSummary &run, FILE *out) {
  auto energies = subtree_energies(root);
  const double powered = powered_time(run);
  const double leakage = subtree_leakage(root, powered);
  double total = leakage;
  for (double e : energies) total += e;
  std::string s;
  char line[256];
  auto add = [&](const char *format, auto... args) {
    std::snprintf(line, sizeof line, format, args...);
    s += line;
  };
  add("aimcsim hardware summary (%s)\n", run.timed ? "timed" : "untimed: no simulated time");
  add("layers %d, tiles used %d of %s\n", run.layers, run.tiles_used,
      run.tiles_available ? std::to_string(run.tiles_available).c_str() : "as many as needed");
  add("simulated time  %.6e s\n", run.simulated_time.to_seconds());
  add("energy          %.6e J (phases plus leakage)\n", total);
  if (run.params) {
    const aimc_hw_area area = chip_area(*run.params, run.tiles_used);
    add("area            %.6e mm^2, %d tiles counted\n", area.total_mm2, area.tiles);
    add("  crossbar %.4e, ADC %.4e, DAC %.4e, pulse drivers %.4e, buffer %.4e, controller %.4e mm^2\n",
        area.crossbar_mm2, area.adc_mm2, area.dac_mm2, area.pulse_mm2, area.buffer_mm2, area.controller_mm2);
  }
  add("%s", "\n");
  add("%-10s %14s %7s %14s %12s\n", "phase", "energy [J]", "share", "busy time [s]", "operations");
  for (int p = 0; p < AIMC_HW_PHASE_COUNT; ++p) {
    add("%-10s %14.6e %6.2f%% %14.6e %12" PRIu64 "\n", phase_keys[p], energies[p],
        total > 0.0 ? 100.0 * energies[p] / total : 0.0, run.phases.time[p].to_seconds(), run.phases.operations[p]);
  }
  add("%-10s %14.6e %6.2f%% %14.6e %12s  (%.6e W static, powered time in the time column)\n", "leakage", leakage,
      total > 0.0 ? 100.0 * leakage / total : 0.0, powered, "-", subtree_static_power(root));
  std::map<std::string, std::array<double, 2>> by_kind;  // dynamic, leakage
  walk(root, [&](const sc_core::sc_object &o) {
    if (auto *st = dynamic_cast<const StatProvider *>(&o)) {
      by_kind[st->kind()][0] += st->energy_total();
      by_kind[st->kind()][1] += leakage_energy(o, powered);
    }
  });
  add("\n%-18s %14s %14s %7s\n", "component kind", "dynamic [J]", "leakage [J]", "share");
  for (const auto &[kind, energy] : by_kind) {
    if (energy[0] == 0.0 && energy[1] == 0.0) continue;
    add("%-18s %14.6e %14.6e %6.2f%%\n", kind.c_str(), energy[0], energy[1],
        total > 0.0 ? 100.0 * (energy[0] + energy[1]) / total : 0.0);
  }
  add("\n%-18s %14s %14s %7s\n", "top-level part", "dynamic [J]", "leakage [J]", "share");
  for (const sc_core::sc_object *child : child_modules(root)) {
    double e = subtree_energy(*child, AIMC_HW_PHASE_COUNT), l = subtree_leakage(*child, powered);
    add("%-18s %14.6e %14.6e %6.2f%%\n", child->basename(), e, l, total > 0.0 ? 100.0 * (e + l) / total : 0.0);
  }
  return write_all(out, s.data(), s.size());
}

}  // namespace aimc::hw
