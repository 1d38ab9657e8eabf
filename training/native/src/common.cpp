// Error capture and the handle counter (swError_*, swTorch_* housekeeping helpers).
#include "sw_common.h"

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

namespace sw {

std::atomic<int64_t> live_tensors{0};

void set_error(const char* message) {
  last_error = message == nullptr ? "unknown error" : message;
  has_error = true;
}

void clear_error() {
  last_error.clear();
  has_error = false;
}

std::vector<at::Tensor> tensor_list(at::Tensor* const* items, int32_t count) {
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) list.push_back(*items[i]);
  return list;
}

void clear_grad(at::Tensor& parameter, bool set_to_none) {
  at::Tensor& g = parameter.mutable_grad();
  if (!g.defined()) return;
  if (set_to_none) {
    g.reset();
    return;
  }
  if (g.grad_fn() != nullptr) {
    g = g.detach();
  } else {
    g.requires_grad_(false);
  }
  g.zero_();
}

}  // namespace sw

/// The message of the last failed export on this thread, or nullptr if none since swError_clear.
SW_EXPORT const char* swError_last() { return has_error ? last_error.c_str() : nullptr; }

/// Forgets the last error of this thread.
SW_EXPORT void swError_clear() { sw::clear_error(); }
