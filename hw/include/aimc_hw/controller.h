// The clocked digital Controller. It executes the operations of a training
// step by issuing TLM transactions to the tiles of a layer and to the buffer,
// adds the partial sums of split layers and does the digital work (activations,
// loss, update management) on its digital unit: `lanes` operations start per
// cycle, an operation of a class takes that class's cycles and energy.
//
// Timing is loosely timed: an operation starts at the current time (or at the
// start of a parallel group), computes when each of its transactions completes
// from the data dependencies (operands from the buffer -> tiles -> additions ->
// results to the buffer) and the free-at times of the shared resources (each
// tile, each buffer port, the digital unit), and waits once for the last one.
// Tiles of one layer thus work concurrently. In an untimed chip the same calls
// happen in the same order without any time.
#ifndef AIMC_HW_CONTROLLER_H
#define AIMC_HW_CONTROLLER_H

#include <array>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "aimc_hw/buffer.h"
#include "aimc_hw/chip.h"
#include "aimc_hw/layer.h"
#include "aimc_hw/stats.h"
#include "aimc_hw/tile.h"
#include "aimc_hw/trace.h"

namespace aimc::hw {

struct ControllerConfig {
  aimc_hw_controller_params controller;  // validated
  int word_bits = 16;                    // bits of one buffered value
  bool timed = false;
};

class Controller : public sc_core::sc_module, public StatProvider {
 public:
  tlm_utils::multi_passthrough_initiator_socket<Controller> tile_socket;
  tlm_utils::simple_initiator_socket<Controller> buffer_socket;

  SC_HAS_PROCESS(Controller);
  Controller(const sc_core::sc_module_name &name, const ControllerConfig &config);

  void connect(Tile &tile);
  void connect(Buffer &buffer);

  aimc_status forward(Layer &layer, aimc_hw_array which, const float *x, float *y, int batch);
  aimc_status backward(Layer &layer, aimc_hw_array which, const float *d, float *y, int batch);
  aimc_status update(Layer &layer, aimc_hw_array which, const float *x, const float *d, int batch, float lr);
  aimc_status transfer(Layer &layer, int first_column, int columns, float lr);
  aimc_status device_step(Layer &layer);
  aimc_status reset_columns(Layer &layer, aimc_hw_array which, int first_column, int columns);
  aimc_status digital(aimc_hw_phase phase, aimc_hw_op_class op, uint64_t count);
  aimc_status parallel_begin();
  aimc_status parallel_end();
  void set_step(uint64_t step);

  int run(int (*program)(void *context), void *context);

  // Checkpoints: the phase totals, the resource timelines and the time now.
  // A loaded state's time is reached by the program thread before the next
  // program starts (timed chips), so the run continues at the saved instant.
  void save_state(aimc_writer *out) const override;
  aimc_status load_state(aimc_reader *in) override;

  const PhaseTimes &phases() const { return phases_; }
  bool in_parallel_group() const { return in_group_; }
  sc_core::sc_time last_end() const { return last_end_; }
  void attach_trace(TraceWindow *trace) { trace_ = trace; }

 private:
  void main_thread();
  // True inside the program run by this controller's thread.
  bool in_program() const;
  aimc_status begin(aimc_hw_phase phase, sc_core::sc_time *start);
  void end(aimc_hw_phase phase, const sc_core::sc_time &start, const sc_core::sc_time &end);
  sc_core::sc_time tile_transport(Tile &tile, TileTransaction &t, const sc_core::sc_time &request);
  sc_core::sc_time buffer_transport(bool read, uint64_t words, aimc_hw_phase phase, const sc_core::sc_time &request);
  sc_core::sc_time digital_unit(aimc_hw_op_class op, uint64_t count, aimc_hw_phase phase,
                                const sc_core::sc_time &request);
  sc_core::sc_time update_management(const Tile &tile, const aimc_update_params &update, int samples,
                                     aimc_hw_phase phase, const sc_core::sc_time &request);
  aimc_status read(Layer &layer, aimc_hw_array which, bool backward, const float *in, float *out, int batch);
  aimc_status check_layer(const Layer &layer, aimc_hw_array which, int batch) const;

  aimc_hw_controller_params params_;
  int word_bits_;
  bool timed_;
  sc_core::sc_time clock_;
  sc_core::sc_time digital_free_ = sc_core::SC_ZERO_TIME;
  Buffer *buffer_ = nullptr;
  tlm::tlm_generic_payload payload_;
  // Program handed to the thread by run().
  int (*program_)(void *) = nullptr;
  void *context_ = nullptr;
  bool has_program_ = false;
  int result_ = 0;
  sc_core::sc_event start_;
  sc_core::sc_process_handle thread_;
  // Parallel groups.
  bool in_group_ = false;
  sc_core::sc_time group_start_ = sc_core::SC_ZERO_TIME, group_end_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time last_end_ = sc_core::SC_ZERO_TIME;
  PhaseTimes phases_;
  uint64_t operation_index_ = 0, step_ = 0;
  sc_core::sc_time resume_at_ = sc_core::SC_ZERO_TIME;  // a loaded checkpoint's time
  TraceWindow *trace_ = nullptr;
  // Scratch for slices and partial sums, reused across operations.
  std::vector<std::vector<float>> in_slices_, partials_, aux_slices_;
  std::array<Counter *, AIMC_HW_OP_CLASS_COUNT> op_counters_{};
  Counter &operations_;
};

}  // namespace aimc::hw

#endif
