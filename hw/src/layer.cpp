// Layer: the grid of tiles of one weight matrix (layer.h).
#include "aimc_hw/layer.h"

#include <string>

namespace aimc::hw {

LayerMap::LayerMap(int out_, int in_, const aimc_hw_tile_params &tile)
    : out(out_),
      in(in_),
      row_blocks((out_ + tile.rows - 1) / tile.rows),
      col_blocks((in_ + tile.cols - 1) / tile.cols),
      tile_rows(tile.rows),
      tile_cols(tile.cols) {}

Layer::Layer(const sc_core::sc_module_name &name, const LayerConfig &config, std::vector<aimc_array> main,
             std::vector<aimc_array> fast)
    : sc_core::sc_module(name),
      StatProvider("layer"),
      map_(config.layer.out, config.layer.in, config.chip.tile),
      params_(config.layer) {
  for (int which = 0; which < 2; ++which) {
    std::vector<aimc_array> &arrays = which ? fast : main;
    for (size_t k = 0; k < arrays.size(); ++k) {
      int rb = static_cast<int>(k) / map_.col_blocks, cb = static_cast<int>(k) % map_.col_blocks;
      TileConfig tile;
      tile.chip = config.chip;
      tile.rows = map_.row_size(rb);
      tile.cols = map_.col_size(cb);
      tile.timed = config.timed;
      std::string tile_name = std::string(which ? "fast" : "main") + "_r" + std::to_string(rb) + "c" + std::to_string(cb);
      (which ? fast_ : main_).push_back(std::make_unique<Tile>(tile_name.c_str(), tile, arrays[k]));
    }
  }
}

}  // namespace aimc::hw
