// VCD and GTKWave save file writer (vcd.h).
#include "aimc_hw/vcd.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aimc::hw {

namespace {

// Identifier codes: printable ASCII '!'..'~' in base 94.
std::string identifier(size_t index) {
  std::string id;
  do {
    id += static_cast<char>('!' + index % 94);
    index /= 94;
  } while (index > 0);
  return id;
}

std::string timescale() {
  // The resolution is a power of ten of fs, ps, ns, ... (SystemC requires it).
  double fs = sc_core::sc_get_time_resolution().to_seconds() * 1e15;
  const char *units[] = {"fs", "ps", "ns", "us", "ms", "s"};
  int unit = 0;
  while (fs >= 1000.0 - 1e-6 && unit < 5) {
    fs /= 1000.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.0f %s", fs, units[unit]);
  return text;
}

std::string absolute(const std::string &path) {
  char *resolved = realpath(path.c_str(), nullptr);
  if (!resolved) return path;
  std::string out(resolved);
  std::free(resolved);
  return out;
}

// AIMC_EINVAL if `name` in the directory exists as anything but a regular file
// (a symbolic link, a device, a FIFO, a directory): never written through.
aimc_status require_regular_or_absent(int dir, const std::string &shown, const std::string &name) {
  struct stat info;
  if (fstatat(dir, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return AIMC_OK;
    return aimc_error_set(AIMC_EIO, "trace: cannot examine %s: %s", shown.c_str(), std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode))
    return aimc_error_set(AIMC_EINVAL, "trace: %s exists and is not a regular file; refusing to replace it", shown.c_str());
  return AIMC_OK;
}

// Creates `name`.tmp.<pid> in the directory, new (O_EXCL, never through a
// symbolic link); *temp gets its name.
FILE *create_temporary(int dir, const std::string &name, std::string *temp) {
  *temp = name + ".tmp." + std::to_string(static_cast<long>(getpid()));
  int fd = openat(dir, temp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) return nullptr;
  FILE *file = fdopen(fd, "w");
  if (!file) {
    close(fd);
    unlinkat(dir, temp->c_str(), 0);
  }
  return file;
}

// Writes text to `name` in the directory: a new temporary file renamed over it.
aimc_status write_small_file(int dir, const std::string &shown, const std::string &name, const std::string &text) {
  aimc_status status = require_regular_or_absent(dir, shown, name);
  if (status != AIMC_OK) return status;
  std::string temp;
  FILE *f = create_temporary(dir, name, &temp);
  if (!f) return aimc_error_set(AIMC_EIO, "trace: cannot create %s: %s", shown.c_str(), std::strerror(errno));
  bool ok = std::fputs(text.c_str(), f) >= 0;
  ok = (std::fclose(f) == 0) && ok;
  if (ok) ok = require_regular_or_absent(dir, shown, name) == AIMC_OK && renameat(dir, temp.c_str(), dir, name.c_str()) == 0;
  if (!ok) {
    unlinkat(dir, temp.c_str(), 0);
    return aimc_error_set(AIMC_EIO, "trace: cannot write %s", shown.c_str());
  }
  return AIMC_OK;
}

std::string base_name(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string gtkw_path(const std::string &vcd) {
  std::string base = vcd;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) base.resize(base.size() - 4);
  return base + ".gtkw";
}

}  // namespace

VcdWriter::~VcdWriter() {
  if (file_) {
    std::fclose(file_);
    unlinkat(dir_, temp_name_.c_str(), 0);
  }
  if (dir_ >= 0) close(dir_);
}

int VcdWriter::declare(const std::string &scope, const std::string &name, Kind kind, View view,
                       const std::vector<std::string> &enumeration) {
  Var v;
  v.scope = scope;
  v.name = name;
  v.id = identifier(vars_.size());
  v.kind = kind;
  v.view = view;
  v.enumeration = enumeration;
  vars_.push_back(v);
  return static_cast<int>(vars_.size() - 1);
}

void VcdWriter::initial(int var, double value) {
  Var &v = vars_[var];
  if (v.kind == Kind::real)
    v.real = value;
  else
    v.value = static_cast<int64_t>(value);
}

std::string VcdWriter::format(const Var &var, int64_t value, double real) const {
  char text[96];
  switch (var.kind) {
    case Kind::wire: std::snprintf(text, sizeof text, "%d%s", value ? 1 : 0, var.id.c_str()); break;
    case Kind::integer: {
      uint32_t bits = static_cast<uint32_t>(value);
      char binary[34];
      int n = 0;
      bool started = false;
      for (int b = 31; b >= 0; --b) {
        bool one = (bits >> b) & 1u;
        if (one) started = true;
        if (started) binary[n++] = one ? '1' : '0';
      }
      if (!started) binary[n++] = '0';
      binary[n] = '\0';
      std::snprintf(text, sizeof text, "b%s %s", binary, var.id.c_str());
      break;
    }
    case Kind::real: std::snprintf(text, sizeof text, "r%.17g %s", real, var.id.c_str()); break;
  }
  return text;
}

aimc_status VcdWriter::open(const std::string &path) {
  path_ = path;
  size_t slash = path.rfind('/');
  std::string directory = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  name_ = base_name(path);
  if (dir_ >= 0) close(dir_);
  dir_ = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_ < 0)
    return aimc_error_set(AIMC_EIO, "trace: cannot open the directory %s: %s", directory.c_str(), std::strerror(errno));
  aimc_status status = require_regular_or_absent(dir_, path_, name_);
  if (status != AIMC_OK) return status;
  file_ = create_temporary(dir_, name_, &temp_name_);
  temp_path_ = (slash == std::string::npos ? "" : path.substr(0, slash + 1)) + temp_name_;
  if (!file_) return aimc_error_set(AIMC_EIO, "trace: cannot create %s: %s", temp_path_.c_str(), std::strerror(errno));
  std::string header = "$version aimcsim $end\n$timescale " + timescale() + " $end\n";
  // Scopes as a tree, in order of first declaration.
  std::vector<std::string> open_scopes;
  std::map<std::string, std::vector<int>> by_scope;
  std::vector<std::string> scope_order;
  for (size_t i = 0; i < vars_.size(); ++i) {
    if (!by_scope.count(vars_[i].scope)) scope_order.push_back(vars_[i].scope);
    by_scope[vars_[i].scope].push_back(static_cast<int>(i));
  }
  std::sort(scope_order.begin(), scope_order.end());
  for (const std::string &scope : scope_order) {
    std::vector<std::string> parts;
    for (size_t begin = 0;;) {
      size_t end = scope.find('.', begin);
      parts.push_back(scope.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
      if (end == std::string::npos) break;
      begin = end + 1;
    }
    size_t common = 0;
    while (common < open_scopes.size() && common < parts.size() && open_scopes[common] == parts[common]) ++common;
    while (open_scopes.size() > common) {
      header += "$upscope $end\n";
      open_scopes.pop_back();
    }
    for (size_t k = common; k < parts.size(); ++k) {
      header += "$scope module " + parts[k] + " $end\n";
      open_scopes.push_back(parts[k]);
    }
    for (int i : by_scope[scope]) {
      const Var &v = vars_[i];
      const char *type = v.kind == Kind::wire ? "wire 1" : (v.kind == Kind::integer ? "integer 32" : "real 64");
      // Vectors carry their bit range so that viewers name them name[31:0].
      header += std::string("$var ") + type + " " + v.id + " " + v.name + (v.kind == Kind::integer ? " [31:0]" : "") +
                " $end\n";
    }
  }
  while (!open_scopes.empty()) {
    header += "$upscope $end\n";
    open_scopes.pop_back();
  }
  header += "$enddefinitions $end\n#0\n$dumpvars\n";
  for (Var &v : vars_) {
    header += format(v, v.value, v.real) + "\n";
    v.written = true;
  }
  header += "$end\n";
  any_tick_ = true;
  last_tick_ = 0;
  if (std::fputs(header.c_str(), file_) < 0) return aimc_error_set(AIMC_EIO, "trace: cannot write %s", temp_path_.c_str());
  return AIMC_OK;
}

void VcdWriter::change(const sc_core::sc_time &t, int var, int64_t value) {
  pending_.push_back({t.value(), sequence_++, var, value, 0.0});
}

void VcdWriter::change_real(const sc_core::sc_time &t, int var, double value) {
  pending_.push_back({t.value(), sequence_++, var, 0, value});
}

// Writes the first `count` (sorted) changes; of several changes of one variable
// at one time only the last counts, and changes to the current value are dropped.
aimc_status VcdWriter::write_changes(size_t count) {
  std::string out;
  std::unordered_map<int, size_t> last_in_tick;
  for (size_t begin = 0; begin < count;) {
    size_t end = begin;
    last_in_tick.clear();
    while (end < count && pending_[end].tick == pending_[begin].tick) {
      last_in_tick[pending_[end].var] = end;
      ++end;
    }
    bool stamped = false;
    for (size_t k = begin; k < end; ++k) {
      const Change &c = pending_[k];
      if (last_in_tick[c.var] != k) continue;
      Var &v = vars_[c.var];
      bool same = v.kind == Kind::real ? v.real == c.real : v.value == c.value;
      if (same) continue;
      if (!stamped && (!any_tick_ || c.tick != last_tick_)) {
        out += "#" + std::to_string(c.tick) + "\n";
        last_tick_ = c.tick;
        any_tick_ = true;
      }
      stamped = true;
      v.value = c.value;
      v.real = c.real;
      out += format(v, c.value, c.real) + "\n";
    }
    begin = end;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
  if (!out.empty() && std::fputs(out.c_str(), file_) < 0) return fail(aimc_error_set(AIMC_EIO, "trace: cannot write %s", temp_path_.c_str()));
  return AIMC_OK;
}

aimc_status VcdWriter::fail(aimc_status status) {
  if (failure_ == AIMC_OK) {
    failure_ = status;
    failure_message_ = aimc_error_message();
  }
  return status;
}

aimc_status VcdWriter::flush_before(const sc_core::sc_time &t) {
  if (!file_ || failure_ != AIMC_OK) return failure_;
  std::stable_sort(pending_.begin(), pending_.end(), [](const Change &a, const Change &b) {
    return a.tick != b.tick ? a.tick < b.tick : a.sequence < b.sequence;
  });
  size_t count = 0;
  while (count < pending_.size() && pending_[count].tick < t.value()) ++count;
  return write_changes(count);
}

aimc_status VcdWriter::finish() {
  if (!file_) return AIMC_OK;
  if (failure_ != AIMC_OK) {
    std::fclose(file_);
    file_ = nullptr;
    unlinkat(dir_, temp_name_.c_str(), 0);
    return aimc_error_set(failure_, "%s", failure_message_.c_str());
  }
  std::stable_sort(pending_.begin(), pending_.end(), [](const Change &a, const Change &b) {
    return a.tick != b.tick ? a.tick < b.tick : a.sequence < b.sequence;
  });
  aimc_status status = write_changes(pending_.size());
  // A final timestamp so that viewers show the last values for a while.
  if (status == AIMC_OK) std::fprintf(file_, "#%" PRIu64 "\n", last_tick_ + 1);
  int failed = std::ferror(file_) | (std::fflush(file_) != 0) | (fsync(fileno(file_)) != 0);
  failed |= std::fclose(file_) != 0;
  file_ = nullptr;
  if (status == AIMC_OK && !failed) status = require_regular_or_absent(dir_, path_, name_);
  if (status != AIMC_OK) {
    unlinkat(dir_, temp_name_.c_str(), 0);
    return status;
  }
  if (failed || renameat(dir_, temp_name_.c_str(), dir_, name_.c_str()) != 0) {
    unlinkat(dir_, temp_name_.c_str(), 0);
    return aimc_error_set(AIMC_EIO, "trace: cannot complete %s: %s", path_.c_str(), std::strerror(errno));
  }
  return write_gtkw();
}

aimc_status VcdWriter::write_gtkw() const {
  std::string vcd = absolute(path_), save = gtkw_path(vcd);
  std::string text = "[*] aimcsim waveform view\n[dumpfile] \"" + vcd + "\"\n[savefile] \"" + save +
                     "\"\n[timestart] 0\n[size] 1400 900\n[sst_expanded] 1\n";
  std::string last_scope;
  for (size_t i = 0; i < vars_.size(); ++i) {
    const Var &v = vars_[i];
    if (v.scope != last_scope) {
      text += "@200\n-" + v.scope + "\n";
      last_scope = v.scope;
    }
    std::string name = v.scope + "." + v.name;
    switch (v.view) {
      case View::wire: text += "@28\n" + name + "\n"; break;
      case View::signed_decimal: text += "@420\n" + name + "[31:0]\n"; break;
      case View::analog: text += "@8020\n" + name + "\n@20000\n-\n-\n"; break;
      case View::enumeration: {
        std::string filter = gtkw_path(vcd);
        filter.resize(filter.size() - 5);
        filter += "." + v.name + ".txt";
        std::string values;
        for (size_t k = 0; k < v.enumeration.size(); ++k) values += std::to_string(k) + " " + v.enumeration[k] + "\n";
        aimc_status status = write_small_file(dir_, filter, base_name(filter), values);
        if (status != AIMC_OK) return status;
        text += "^1 " + filter + "\n@2024\n" + name + "[31:0]\n";
        break;
      }
    }
  }
  return write_small_file(dir_, save, base_name(save), text);
}

}  // namespace aimc::hw
