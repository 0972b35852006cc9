// The Chip: top-level module elaborated from aimc_hw_chip_params. It holds the
// Controller and the Buffer, maps every added layer onto tiles (Layer), and
// owns the waveform trace. The C interface (chip.h) is a thin wrapper over it.
#ifndef AIMC_HW_CHIP_MODULE_H
#define AIMC_HW_CHIP_MODULE_H

#include <memory>
#include <vector>

#include <systemc>

#include "aimc_hw/buffer.h"
#include "aimc_hw/chip.h"
#include "aimc_hw/controller.h"
#include "aimc_hw/layer.h"
#include "aimc_hw/stats.h"
#include "aimc_hw/trace.h"

namespace aimc::hw {

class Chip : public sc_core::sc_module, public StatProvider {
 public:
  // params must be valid (aimc_hw_chip_params_validate).
  Chip(const sc_core::sc_module_name &name, const aimc_hw_chip_params &params, bool timed);
  ~Chip() override;

  bool timed() const { return timed_; }
  const aimc_hw_chip_params &params() const { return params_; }
  Controller &controller() { return controller_; }

  aimc_status add_layer(const aimc_hw_layer_params &params, int *index);
  int layers() const { return static_cast<int>(layers_.size()); }
  // nullptr (with a message) for an invalid index.
  Layer *layer(int index) const;
  int tiles_used() const { return tiles_used_; }

  aimc_status set_weights(Layer &layer, aimc_hw_array which, const float *weights);
  void get_weights(const Layer &layer, aimc_hw_array which, float *weights) const;
  // Saturation |w - w*| / (bound - w*) of every cell (the C core's
  // aimc_array_saturation), gathered like the weights; AIMC_ENOMEM on failure.
  aimc_status get_saturation(const Layer &layer, aimc_hw_array which, float *saturation) const;

  aimc_status trace_start(const aimc_hw_trace_params &params);
  aimc_status trace_finish();

  RunSummary summary() const;
  // Checkpoints (state.cpp): every component's state in module-tree order.
  aimc_status save_chip_state(aimc_writer *out) const;
  aimc_status load_chip_state(aimc_reader *in);

 private:
  aimc_hw_chip_params params_;
  bool timed_;
  Buffer buffer_;
  Controller controller_;
  std::vector<std::unique_ptr<Layer>> layers_;
  int tiles_used_ = 0;
  std::unique_ptr<TraceWindow> trace_;
  std::vector<std::unique_ptr<TileTrace>> tile_traces_;
  std::vector<Tile *> traced_tiles_;
};

}  // namespace aimc::hw

#endif
