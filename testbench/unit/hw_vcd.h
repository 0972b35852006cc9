// A small reader of the VCD files the hardware model writes (hw_trace.cpp,
// test_golden_sources.cpp): variables by identifier and scope, value changes per
// timestamp in file order.
#ifndef AIMC_HW_VCD_H
#define AIMC_HW_VCD_H

#include <cstdint>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hw_vcd {

// A parsed VCD: variables by identifier and the value changes per timestamp.
struct Vcd {
  struct Var {
    std::string scope, name, type;
  };
  std::map<std::string, Var> vars;
  std::vector<std::pair<uint64_t, std::vector<std::pair<std::string, std::string>>>> blocks;
  std::string timescale;

  explicit Vcd(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::string token;
    std::vector<std::string> scopes;
    bool definitions = true;
    while (definitions && in >> token) {
      if (token == "$scope") {
        std::string kind, name, end;
        in >> kind >> name >> end;
        scopes.push_back(name);
      } else if (token == "$upscope") {
        in >> token;
        scopes.pop_back();
      } else if (token == "$var") {
        std::string type, size, id, name, end;
        in >> type >> size >> id >> name >> end;
        std::string scope;
        for (const std::string &s : scopes) scope += (scope.empty() ? "" : ".") + s;
        vars[id] = {scope, name, type};
      } else if (token == "$timescale") {
        std::string number, unit;
        in >> number >> unit >> token;
        timescale = number + " " + unit;
      } else if (token == "$enddefinitions") {
        in >> token;
        definitions = false;
      }
    }
    while (in >> token) {
      if (token == "$dumpvars" || token == "$end") continue;
      if (token[0] == '#') {
        blocks.push_back({std::stoull(token.substr(1)), {}});
      } else if (token[0] == 'b' || token[0] == 'r') {
        std::string id;
        in >> id;
        blocks.back().second.push_back({id, token});
      } else {
        blocks.back().second.push_back({token.substr(1), token.substr(0, 1)});
      }
    }
  }
  std::string id_of(const std::string &scope, const std::string &name) const {
    for (const auto &[id, v] : vars)
      if (v.scope == scope && v.name == name) return id;
    throw std::runtime_error("no VCD variable " + scope + "." + name);
  }
};

inline int64_t integer_value(const std::string &binary) {
  uint32_t bits = static_cast<uint32_t>(std::stoul(binary.substr(1), nullptr, 2));
  return static_cast<int32_t>(bits);
}

}  // namespace hw_vcd

#endif
