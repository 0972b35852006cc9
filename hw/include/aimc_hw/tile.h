// A Tile: one physical crossbar holding one block of a layer's weight matrix as
// an aimc_array of the C core, with its periphery: a DAC bank and an ADC bank on
// each side (forward reads drive the columns and convert the rows, backward reads
// the reverse), an update pulse generator, and the integration of the analog read.
//
// It serves TileTransactions (transaction.h) on its TLM target socket: forward
// and backward MVMs, pulsed updates and one-hot column reads. The C core does all
// arithmetic; the Tile times and costs what the C core reports:
//   analog pass   = DAC setup + window + ceil(outputs / ADCs) x conversion time
//                   + post-processing cycles (window: 2^bits slots with
//                   pulse-width encoding, the integration time with amplitude)
//   MVM           = passes x analog pass (bound-management repeats are passes)
//   pulsed update = applied samples x setup + slots x pulse period
//   column reset  = columns x (setup + pulse period), one pulse per device
//   device step   = diffusion and lifetime decay over a mini-batch: no time, no energy
// Energy per pass: inputs x e_dac + outputs x (e_adc + e_post) +
// V_read^2 x window x sum(G) over all devices of the block; per update: line
// pulses x e_line + device pulses x e_pulse + half-selects x e_half.
// The tile serialises its transactions; different tiles run concurrently.
#ifndef AIMC_HW_TILE_H
#define AIMC_HW_TILE_H

#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "aimc/aimc.h"
#include "aimc_hw/adc.h"
#include "aimc_hw/conductance.h"
#include "aimc_hw/dac.h"
#include "aimc_hw/params.h"
#include "aimc_hw/pulse_generator.h"
#include "aimc_hw/stats.h"
#include "aimc_hw/trace.h"
#include "aimc_hw/transaction.h"

namespace aimc::hw {

struct TileConfig {
  aimc_hw_chip_params chip;  // validated; periphery, conductances, clock
  int rows = 0;              // rows of the block it holds, 1..chip.tile.rows
  int cols = 0;              // columns of the block, 1..chip.tile.cols
  bool timed = false;        // keep busy times and free-at times
};

class Tile : public sc_core::sc_module, public StatProvider {
 public:
  tlm_utils::simple_target_socket<Tile> socket;

  // Takes ownership of `array` (rows x cols of the config).
  Tile(const sc_core::sc_module_name &name, const TileConfig &config, aimc_array array);
  ~Tile() override;

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  const aimc_array &array() const { return array_; }
  aimc_status set_weights(const float *weights);

  // Duration of one analog pass that converts `outputs` lines (forward: rows).
  sc_core::sc_time pass_time(bool backward, int outputs) const;
  // When the last accepted transaction completes.
  const sc_core::sc_time &free_at() const { return free_at_; }
  // Sum of the conductances of every device of the block (cached until the weights change).
  double conductance_sum();

  const aimc_io_stats &forward_stats() const { return forward_stats_; }
  const aimc_io_stats &backward_stats() const { return backward_stats_; }
  const aimc_io_stats &transfer_stats() const { return transfer_stats_; }
  const aimc_update_stats &update_stats() const { return update_stats_; }

  DacBank &forward_dac() { return *forward_dac_; }
  AdcBank &forward_adc() { return *forward_adc_; }
  DacBank &backward_dac() { return *backward_dac_; }
  AdcBank &backward_adc() { return *backward_adc_; }
  PulseGenerator &pulse_generator() { return pulse_generator_; }
  const ConductanceMap &conductances() const { return conductances_; }

  // The Controller's index of this tile on its initiator socket.
  void set_socket_index(int index) { socket_index_ = index; }
  void save_state(aimc_writer *out) const override;
  aimc_status load_state(aimc_reader *in) override;
  int socket_index() const { return socket_index_; }

  // Tracing (nullptr: off). The trace is owned by the chip.
  void attach_trace(TileTrace *trace) { trace_ = trace; }
  void trace_conductances(const sc_core::sc_time &t);

  void b_transport(tlm::tlm_generic_payload &payload, sc_core::sc_time &delay);

 private:
  aimc_status read(TileTransaction &t, const sc_core::sc_time &start, sc_core::sc_time &duration);
  aimc_status update(TileTransaction &t, const sc_core::sc_time &start, sc_core::sc_time &duration);
  aimc_status device_process(TileTransaction &t, const sc_core::sc_time &start, sc_core::sc_time &duration);
  bool tracing() const { return trace_ && trace_->on(); }
  void trace_sample(int bl, int words, const uint64_t *row_bits, const int8_t *row_sign, const uint64_t *col_bits,
                    const int8_t *col_sign, int weight_sign);
  static void on_sample(void *context, uint64_t sample, int bl, int words, int rows, const uint64_t *row_bits,
                        const int8_t *row_sign, int cols, const uint64_t *col_bits, const int8_t *col_sign,
                        int weight_sign);

  aimc_hw_chip_params params_;
  int rows_, cols_;
  bool timed_;
  aimc_array array_;
  ConductanceMap conductances_;
  std::unique_ptr<DacBank> forward_dac_, backward_dac_;
  std::unique_ptr<AdcBank> forward_adc_, backward_adc_;
  PulseGenerator pulse_generator_;
  sc_core::sc_time clock_;
  double pulse_energy_;
  double conductance_sum_ = 0.0;
  bool conductance_dirty_ = true;
  sc_core::sc_time free_at_ = sc_core::SC_ZERO_TIME;
  int socket_index_ = -1;
  TileTrace *trace_ = nullptr;
  sc_core::sc_time sample_cursor_ = sc_core::SC_ZERO_TIME;  // start of the next traced sample
  std::vector<float> one_hot_;
  std::vector<int32_t> levels_, codes_;
  aimc_io_stats forward_stats_{}, backward_stats_{}, transfer_stats_{};
  aimc_update_stats update_stats_{};
  Counter &reads_;
  Counter &outputs_scaled_;
  Counter &pulses_up_;
  Counter &pulses_down_;
  Counter &half_selected_;
  Counter &read_energy_;
  Counter &program_energy_;
};

}  // namespace aimc::hw

#endif
