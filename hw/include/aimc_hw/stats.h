// Statistics of the hardware components (DRAMSys StatProvider style): each
// component owns named counters with a unit and a one-line description, its
// energy per phase and its busy time. Energy is action counts times the
// energy-per-action table of the parameters (Accelergy style), plus the
// data-dependent crossbar terms. One writer walks the SystemC module tree and
// emits JSON (stats.json) and a human summary.
#ifndef AIMC_HW_STATS_H
#define AIMC_HW_STATS_H

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "aimc/serial.h"
#include "aimc_hw/chip.h"

namespace aimc::hw {

// A named action count (exact integer) or amount (floating point).
class Counter {
 public:
  Counter(std::string name, std::string unit, std::string description, bool integral)
      : name_(std::move(name)), unit_(std::move(unit)), description_(std::move(description)), integral_(integral) {}
  void add(uint64_t n) { count_ += n; }
  void add_amount(double v) { amount_ += v; }
  const std::string &name() const { return name_; }
  const std::string &unit() const { return unit_; }
  const std::string &description() const { return description_; }
  bool integral() const { return integral_; }
  double value() const { return integral_ ? static_cast<double>(count_) : amount_; }
  uint64_t count() const { return count_; }
  double amount() const { return amount_; }
  // Checkpoints: the exact count and amount saved earlier.
  void restore(uint64_t count, double amount) {
    count_ = count;
    amount_ = amount;
  }

 private:
  std::string name_, unit_, description_;
  bool integral_;
  uint64_t count_ = 0;
  double amount_ = 0.0;
};

// Mixed into every component module that counts something.
class StatProvider {
 public:
  explicit StatProvider(std::string kind) : kind_(std::move(kind)) {}
  virtual ~StatProvider() = default;
  StatProvider(const StatProvider &) = delete;
  StatProvider &operator=(const StatProvider &) = delete;

  const std::string &kind() const { return kind_; }
  const std::vector<std::unique_ptr<Counter>> &counters() const { return counters_; }
  const Counter *find_counter(const std::string &name) const;
  double energy(aimc_hw_phase phase) const { return energy_[phase]; }
  double energy_total() const;
  sc_core::sc_time busy_time() const { return busy_; }
  // Static power (W) drawn while the chip is powered; its leakage energy is this
  // times the powered time (leakage_energy), booked apart from the phases.
  double static_power() const { return static_power_; }
  // Checkpoints (state.cpp): counters, energy and busy time; components with
  // more state (arrays, resource timelines) extend both and call the base first.
  virtual void save_state(aimc_writer *out) const;
  virtual aimc_status load_state(aimc_reader *in);
  // Untimed chips keep no busy time (their components report 0).
  void keep_time(bool on) { keep_time_ = on; }

 protected:
  // Counters are created once, in the constructor; the reference stays valid.
  Counter &add_counter(const std::string &name, const std::string &unit, const std::string &description);
  Counter &add_amount(const std::string &name, const std::string &unit, const std::string &description);
  void add_energy(aimc_hw_phase phase, double joules) { energy_[phase] += joules; }
  void set_static_power(double watts) { static_power_ = watts; }
  void add_busy(const sc_core::sc_time &t) {
    if (keep_time_) busy_ += t;
  }

 private:
  std::string kind_;
  std::vector<std::unique_ptr<Counter>> counters_;
  std::array<double, AIMC_HW_PHASE_COUNT> energy_{};
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
  bool keep_time_ = true;
  double static_power_ = 0.0;
};

// Per-phase time and operation counts kept by whoever issues the operations.
struct PhaseTimes {
  std::array<sc_core::sc_time, AIMC_HW_PHASE_COUNT> time{};
  std::array<uint64_t, AIMC_HW_PHASE_COUNT> operations{};
};

// Sum of the energies of every StatProvider at or below `root`.
double subtree_energy(const sc_core::sc_object &root, int phase /* AIMC_HW_PHASE_COUNT: all */);

// The StatProvider at `path` below root ("" is root itself), or nullptr.
const sc_core::sc_object *find_below(const sc_core::sc_object &root, const std::string &path);

// What the report writers need besides the module tree.
struct RunSummary {
  bool timed = false;
  sc_core::sc_time simulated_time = sc_core::SC_ZERO_TIME;
  PhaseTimes phases;
  int tiles_used = 0;
  int tiles_available = 0;  // 0: as many as needed
  int layers = 0;
  const aimc_hw_chip_params *params = nullptr;  // the chip's, for its area (area.h); nullptr: no area
};

// The time a run's components are powered: the whole simulated run, from 0 to
// the end of its last operation (0 for an untimed chip: no leakage).
double powered_time(const RunSummary &run);
// Leakage energy of one component (static power x powered time) and the sums of
// static power and leakage over every StatProvider at or below `root`.
double leakage_energy(const sc_core::sc_object &object, double powered_seconds);
double subtree_static_power(const sc_core::sc_object &root);
double subtree_leakage(const sc_core::sc_object &root, double powered_seconds);

aimc_status write_stats_json(const sc_core::sc_object &root, const RunSummary &run, FILE *out);
aimc_status write_summary(const sc_core::sc_object &root, const RunSummary &run, FILE *out);

}  // namespace aimc::hw

#endif
