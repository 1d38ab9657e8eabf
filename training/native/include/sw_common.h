// Shared definitions of the Sweeps native shim: export macro, error capture, handle helpers.
//
// Contract of every export: no C++ exception crosses the C boundary. A failing export stores the
// exception's message in a thread-local string (swError_last) and returns its failure value:
// nullptr for functions returning a handle, -1 for functions returning a status or a count.
#pragma once

#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <string>

#define SW_EXPORT extern "C" __attribute__((visibility("default")))

namespace sw {

void set_error(const char* message);
void clear_error();

/// Number of at::Tensor handles currently owned by the managed side.
extern std::atomic<int64_t> live_tensors;

/// Moves a tensor to the heap as a handle owned by the caller (freed by swTensor_free).
inline at::Tensor* wrap(at::Tensor t) {
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

/// An optional tensor argument: nullptr means "not given".
inline c10::optional<at::Tensor> opt(const at::Tensor* t) {
  if (t == nullptr) return c10::nullopt;
  return *t;
}

/// An undefined tensor for a nullptr argument (the convention of ATen's optional tensor arguments).
inline at::Tensor or_undefined(const at::Tensor* t) { return t == nullptr ? at::Tensor() : *t; }

inline at::IntArrayRef ints(const int64_t* data, int32_t length) {
  return at::IntArrayRef(data, static_cast<size_t>(length));
}

std::vector<at::Tensor> tensor_list(at::Tensor* const* items, int32_t count);

/// A memory format argument: c10::MemoryFormat's values 0 (contiguous) or 2 (channels-last), shared with
/// Sweeps.Torch's MemoryFormat; anything else is an error.
inline at::MemoryFormat memory_format(int32_t value) {
  TORCH_CHECK(value == static_cast<int32_t>(at::MemoryFormat::Contiguous) || value == static_cast<int32_t>(at::MemoryFormat::ChannelsLast),
              "unknown memory format ", value, " (expected 0: contiguous or 2: channels-last)");
  return static_cast<at::MemoryFormat>(value);
}

/// Clears a parameter's gradient as torch's zero_grad does: drops it (set_to_none) or zeroes it in
/// place after cutting it from any graph.
void clear_grad(at::Tensor& parameter, bool set_to_none);

}  // namespace sw

// Wraps an export body: catches every exception into the thread-local message.
#define SW_GUARD(fail, ...)                                  \
  try {                                                      \
    __VA_ARGS__                                              \
  } catch (const c10::Error& e) {                            \
    sw::set_error(e.what_without_backtrace());               \
    return fail;                                             \
  } catch (const std::exception& e) {                        \
    sw::set_error(e.what());                                 \
    return fail;                                             \
  } catch (...) {                                            \
    sw::set_error("unknown C++ exception in sweeps_native"); \
    return fail;                                             \
  }

// Body of an export returning a new tensor handle computed by `expr`.
#define SW_TENSOR(expr) SW_GUARD(nullptr, return sw::wrap(expr);)
// Body of an export returning 0 after running `stmts`.
#define SW_STATUS(...) SW_GUARD(-1, __VA_ARGS__ return 0;)
