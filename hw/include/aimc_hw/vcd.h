// A VCD (IEEE 1364 value change dump) writer for the waveforms of a run, plus
// the GTKWave save file (.gtkw) that opens it with a ready view.
//
// Components record value changes with the simulated time at which they happen,
// which in a loosely-timed model can lie ahead of sc_time_stamp() and arrive out
// of order across components. Changes are therefore buffered and written, sorted
// by time (ties in recording order), once no earlier change can come: the owner
// calls flush_before(t) when every later change is known to be at or after t.
// The file is written under a temporary name (NAME.tmp.<pid>, created new with
// O_EXCL in the VCD's directory, never through a symbolic link) and moved into
// place by finish(); a VCD, .gtkw or filter file whose name exists as anything
// but a regular file (a symbolic link, a device) is refused, never written through.
#ifndef AIMC_HW_VCD_H
#define AIMC_HW_VCD_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <systemc>

#include "aimc/error.h"

namespace aimc::hw {

class VcdWriter {
 public:
  enum class Kind { wire, integer, real };
  // How the GTKWave view shows a variable.
  enum class View { wire, signed_decimal, analog, enumeration };

  VcdWriter() = default;
  ~VcdWriter();
  VcdWriter(const VcdWriter &) = delete;
  VcdWriter &operator=(const VcdWriter &) = delete;

  // Declares a variable in `scope` ("chip.layer0.main_r0c0"); returns its index.
  // `enumeration` names the values of an integer shown as text in GTKWave.
  int declare(const std::string &scope, const std::string &name, Kind kind, View view,
              const std::vector<std::string> &enumeration = {});
  // Sets the value at time zero of a declared variable (before open()).
  void initial(int var, double value);

  // Writes the header and the initial values to a new temporary file next to
  // `path`; AIMC_EINVAL if `path` exists and is not a regular file, AIMC_EIO on failure.
  aimc_status open(const std::string &path);
  bool is_open() const { return file_ != nullptr; }

  void change(const sc_core::sc_time &t, int var, int64_t value);
  void change_real(const sc_core::sc_time &t, int var, double value);
  // Writes every buffered change strictly before t. A write error is kept and
  // reported again by finish(), which then removes the partial file.
  aimc_status flush_before(const sc_core::sc_time &t);
  // Writes the rest, moves the VCD into place and writes the .gtkw (and the
  // enumeration filter files) next to it.
  aimc_status finish();

 private:
  struct Var {
    std::string scope, name, id;
    Kind kind;
    View view;
    std::vector<std::string> enumeration;
    int64_t value = 0;
    double real = 0.0;
    bool written = false;
  };
  struct Change {
    uint64_t tick, sequence;
    int var;
    int64_t value;
    double real;
  };
  aimc_status write_changes(size_t count);
  aimc_status fail(aimc_status status);
  aimc_status write_gtkw() const;
  std::string format(const Var &var, int64_t value, double real) const;

  std::vector<Var> vars_;
  std::vector<Change> pending_;
  uint64_t sequence_ = 0;
  uint64_t last_tick_ = 0;
  bool any_tick_ = false;
  std::string path_, temp_path_;
  std::string name_, temp_name_; // within dir_
  int dir_ = -1;                 // the VCD's directory, opened once
  FILE *file_ = nullptr;
  aimc_status failure_ = AIMC_OK;
  std::string failure_message_;
};

}  // namespace aimc::hw

#endif
