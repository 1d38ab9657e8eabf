// Seedable random generators (swGenerator_*). Generators are CPU generators: random tensors for
// other devices are drawn on the CPU and moved, so a seed gives the same numbers on every device.
#include "sw_common.h"

#include <ATen/CPUGeneratorImpl.h>

SW_EXPORT at::Generator* swGenerator_create(uint64_t seed) {
  SW_GUARD(nullptr, return new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed));)
}

SW_EXPORT void swGenerator_free(at::Generator* g) { delete g; }

SW_EXPORT int32_t swGenerator_setSeed(at::Generator* g, uint64_t seed) {
  SW_STATUS(std::lock_guard<std::mutex> lock(g->mutex()); g->set_current_seed(seed);)
}

/// The generator's full state as a uint8 tensor (for checkpoints).
SW_EXPORT at::Tensor* swGenerator_getState(at::Generator* g) {
  SW_GUARD(nullptr, std::lock_guard<std::mutex> lock(g->mutex()); return sw::wrap(g->get_state());)
}

SW_EXPORT int32_t swGenerator_setState(at::Generator* g, at::Tensor* state) {
  SW_STATUS(std::lock_guard<std::mutex> lock(g->mutex()); g->set_state(*state);)
}
