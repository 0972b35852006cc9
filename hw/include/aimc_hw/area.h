// Silicon area of the chip (docs/hardware.md, "Area"): a component-sum model
// in the style of ISAAC and NeuroSim. A physical tile is its crossbar
// (rows x cols weights of two devices, each cell_height x cell_width) with its
// periphery: one DAC per line on each side (cols forward, rows backward), the
// ADCs of each side (ceil(lines / columns_per_adc)), and one update pulse driver
// per row and column line. The chip adds one buffer (capacity x area per byte)
// and one controller (lanes x area per lane). Tiles are counted whole, however
// little of them a layer uses; a chip with a fixed number of tiles counts them
// all. Area is a function of the parameters and the tile count only.
#ifndef AIMC_HW_AREA_H
#define AIMC_HW_AREA_H

#include <systemc>

#include "aimc_hw/chip.h"
#include "aimc_hw/params.h"

namespace aimc::hw {

// One ADC of the chip's type and resolution, m^2.
double adc_area(const aimc_hw_chip_params &params);
// The area of a component itself, without its children, m^2: a Tile's crossbar,
// a DacBank's or AdcBank's converters, a PulseGenerator's drivers, the Buffer,
// the Controller; 0 for grouping modules (the chip, a layer).
double component_area(const sc_core::sc_object &object, const aimc_hw_chip_params &params);
// The whole chip with `tiles_used` tiles in use (params.tiles when that is > 0).
aimc_hw_area chip_area(const aimc_hw_chip_params &params, int tiles_used);

}  // namespace aimc::hw

#endif
