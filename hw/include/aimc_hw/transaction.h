// Payload extensions of the TLM-2.0 transactions between the Controller and the
// Tiles and Buffer. A transaction is a tlm_generic_payload (command IGNORE for
// tiles, READ/WRITE for the buffer) carrying one of these extensions; the
// target reports failures as TLM_GENERIC_ERROR_RESPONSE plus the status here.
// Transactions are loosely timed: b_transport's delay carries the request time
// in and the completion time out, relative to sc_time_stamp().
#ifndef AIMC_HW_TRANSACTION_H
#define AIMC_HW_TRANSACTION_H

#include <cstdint>

#include <tlm>

#include "aimc/aimc.h"
#include "aimc_hw/chip.h"

namespace aimc::hw {

enum class TileCommand {
  forward,      // y = W x, batch vectors
  backward,     // y = W^T d
  update,       // pulsed W <- W - lr d x^T
  read_columns,  // one-hot forward reads of columns [first_column, first_column + batch)
  device_step,   // the devices' own processes over one mini-batch: diffusion, then lifetime decay
  reset_columns  // every device of columns [first_column, first_column + batch) back to its reset point
};

struct TileTransaction : tlm::tlm_extension<TileTransaction> {
  TileCommand command = TileCommand::forward;
  aimc_hw_phase phase = AIMC_HW_PHASE_FORWARD;
  const aimc_io_params *io = nullptr;          // MVMs and column reads
  const aimc_update_params *update = nullptr;  // updates
  const float *input = nullptr;   // forward: batch x cols; backward: batch x rows; update: x (batch x cols)
  const float *error = nullptr;   // update: d (batch x rows)
  float *output = nullptr;        // MVMs: batch x outputs; column reads: batch x rows
  int batch = 0;                  // vectors, samples or columns
  float lr = 0.0f;
  int first_column = 0;           // read_columns
  // Optional observation: DAC levels (batch x inputs) and ADC codes (batch x
  // outputs) of the final pass of each vector. Levels exist when the DAC
  // quantises deterministically, codes when the ADC quantises; the flags say
  // whether they were filled.
  int32_t *dac_levels = nullptr;
  int32_t *adc_codes = nullptr;
  bool levels_valid = false;
  bool codes_valid = false;
  // Result.
  aimc_status status = AIMC_OK;

  tlm::tlm_extension_base *clone() const override { return new TileTransaction(*this); }
  void copy_from(const tlm::tlm_extension_base &other) override {
    *this = static_cast<const TileTransaction &>(other);
  }
};

struct BufferAccess : tlm::tlm_extension<BufferAccess> {
  uint64_t bits = 0;
  aimc_hw_phase phase = AIMC_HW_PHASE_FORWARD;

  tlm::tlm_extension_base *clone() const override { return new BufferAccess(*this); }
  void copy_from(const tlm::tlm_extension_base &other) override { *this = static_cast<const BufferAccess &>(other); }
};

}  // namespace aimc::hw

#endif
