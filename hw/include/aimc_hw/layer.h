// A layer's weight matrix mapped onto a grid of tiles: ceil(out / tile.rows)
// row blocks by ceil(in / tile.cols) column blocks, every block on its own tile
// (and, for Tiki-Taka, a second grid for the fast array A). Blocks are as large
// as a tile except the last ones of each direction; the unused cells of those
// tiles stay idle. The Layer is a grouping module; its tiles do the work.
#ifndef AIMC_HW_LAYER_H
#define AIMC_HW_LAYER_H

#include <algorithm>
#include <memory>
#include <vector>

#include <systemc>

#include "aimc_hw/chip.h"
#include "aimc_hw/stats.h"
#include "aimc_hw/tile.h"

namespace aimc::hw {

// Where each block of a layer lies in its matrix.
struct LayerMap {
  int out = 0, in = 0;
  int row_blocks = 0, col_blocks = 0;
  int tile_rows = 0, tile_cols = 0;
  LayerMap(int out_, int in_, const aimc_hw_tile_params &tile);
  LayerMap() = default;
  int row_begin(int rb) const { return rb * tile_rows; }
  int col_begin(int cb) const { return cb * tile_cols; }
  int row_size(int rb) const { return std::min(tile_rows, out - rb * tile_rows); }
  int col_size(int cb) const { return std::min(tile_cols, in - cb * tile_cols); }
  int tiles() const { return row_blocks * col_blocks; }
};

struct LayerConfig {
  aimc_hw_chip_params chip;    // validated
  aimc_hw_layer_params layer;  // validated
  bool timed = false;
};

class Layer : public sc_core::sc_module, public StatProvider {
 public:
  // Takes ownership of the arrays: one per block in row-major block order, and as
  // many for A when the layer has a fast array (else `fast` is empty).
  Layer(const sc_core::sc_module_name &name, const LayerConfig &config, std::vector<aimc_array> main,
        std::vector<aimc_array> fast);

  const LayerMap &map() const { return map_; }
  const aimc_hw_layer_params &params() const { return params_; }
  bool has_fast() const { return !fast_.empty(); }
  Tile &tile(aimc_hw_array which, int rb, int cb) const {
    return *(which == AIMC_HW_ARRAY_FAST ? fast_ : main_)[static_cast<size_t>(rb * map_.col_blocks + cb)];
  }

 private:
  LayerMap map_;
  aimc_hw_layer_params params_;
  std::vector<std::unique_ptr<Tile>> main_, fast_;
};

}  // namespace aimc::hw

#endif
