// Area model (area.h). Parts are formed in m^2 and converted to mm^2; the total
// of aimc_hw_area is the sum of its parts.
#include "aimc_hw/area.h"

#include <cmath>

#include "aimc_hw/adc.h"
#include "aimc_hw/buffer.h"
#include "aimc_hw/controller.h"
#include "aimc_hw/dac.h"
#include "aimc_hw/pulse_generator.h"
#include "aimc_hw/tile.h"

namespace aimc::hw {

namespace {

constexpr double mm2_per_m2 = 1e6;
// Every weight is two devices in both conductance mappings (conductance.h).
constexpr double devices_per_weight = 2.0;

double crossbar_area(const aimc_hw_chip_params &p) {
  return static_cast<double>(p.tile.rows) * static_cast<double>(p.tile.cols) * devices_per_weight *
         p.area.cell_height * p.area.cell_width;
}

int adcs(int lines, const aimc_hw_adc_params &adc) { return (lines + adc.columns_per_adc - 1) / adc.columns_per_adc; }

// Row and column lines of one tile: the DACs of both sides, and the pulse drivers.
double lines(const aimc_hw_chip_params &p) { return static_cast<double>(p.tile.rows) + p.tile.cols; }

}  // namespace

double adc_area(const aimc_hw_chip_params &p) { return aimc_hw_adc_area(&p); }

double component_area(const sc_core::sc_object &object, const aimc_hw_chip_params &p) {
  if (dynamic_cast<const Tile *>(&object)) return crossbar_area(p);
  if (auto *dac = dynamic_cast<const DacBank *>(&object)) return dac->lines() * p.area.dac_line;
  if (auto *adc = dynamic_cast<const AdcBank *>(&object)) return adc->adcs() * adc_area(p);
  if (dynamic_cast<const PulseGenerator *>(&object)) return lines(p) * p.area.pulse_driver_line;
  if (dynamic_cast<const Buffer *>(&object)) return p.area.buffer_bytes * p.area.buffer_per_byte;
  if (dynamic_cast<const Controller *>(&object)) return p.controller.lanes * p.area.controller_per_lane;
  return 0.0;
}

aimc_hw_area chip_area(const aimc_hw_chip_params &p, int tiles_used) {
  aimc_hw_area area{};
  area.tiles = p.tiles > 0 ? p.tiles : tiles_used;
  const double tiles = area.tiles;
  const int adcs_per_tile = adcs(p.tile.rows, p.adc) + adcs(p.tile.cols, p.adc);
  area.crossbar_mm2 = tiles * crossbar_area(p) * mm2_per_m2;
  area.adc_mm2 = tiles * adcs_per_tile * adc_area(p) * mm2_per_m2;
  area.dac_mm2 = tiles * lines(p) * p.area.dac_line * mm2_per_m2;
  area.pulse_mm2 = tiles * lines(p) * p.area.pulse_driver_line * mm2_per_m2;
  area.buffer_mm2 = p.area.buffer_bytes * p.area.buffer_per_byte * mm2_per_m2;
  area.controller_mm2 = p.controller.lanes * p.area.controller_per_lane * mm2_per_m2;
  area.total_mm2 = area.crossbar_mm2 + area.adc_mm2 + area.dac_mm2 + area.pulse_mm2 + area.buffer_mm2 +
                   area.controller_mm2;
  return area;
}

}  // namespace aimc::hw
