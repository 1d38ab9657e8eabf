// Tensor handles: creation, inspection, data transfer, conversion (swTensor_*).
#include "sw_common.h"

#include <cstring>

namespace {

at::TensorOptions options(int32_t dtype, const char* device) {
  auto o = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
  if (device != nullptr) o = o.device(c10::Device(std::string(device)));
  return o;
}

// Draws with a CPU generator and moves the result to the requested device.
template <typename F>
at::Tensor draw(const at::TensorOptions& o, F&& f) {
  if (o.device().is_cpu()) return f(o);
  return f(o.device(at::kCPU)).to(o.device());
}

c10::optional<at::Generator> gen(at::Generator* g) {
  if (g == nullptr) return c10::nullopt;
  return *g;
}

}  // namespace

SW_EXPORT void swTensor_free(at::Tensor* t) {
  if (t == nullptr) return;
  sw::live_tensors.fetch_sub(1, std::memory_order_relaxed);
  delete t;
}

/// A new handle to the same tensor (shares storage and autograd identity).
SW_EXPORT at::Tensor* swTensor_share(at::Tensor* t) { SW_TENSOR(*t) }

/// A tensor of the given (logical) shape holding a copy of `data`, whose elements are in the memory order of
/// `memory_format` (sw::memory_format): row-major for contiguous, N, H, W, C for channels-last (4-D only).
SW_EXPORT at::Tensor* swTensor_fromData(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype,
                                        const char* device, int32_t memory_format) {
  SW_GUARD(nullptr, {
    auto cpu = at::empty(sw::ints(shape, ndim), options(dtype, nullptr).memory_format(sw::memory_format(memory_format)));
    const auto bytes = static_cast<size_t>(cpu.numel()) * cpu.element_size();
    if (bytes > 0) std::memcpy(cpu.data_ptr(), data, bytes);
    return sw::wrap(device == nullptr ? cpu : cpu.to(c10::Device(std::string(device))));
  })
}

SW_EXPORT at::Tensor* swTensor_empty(const int64_t* shape, int32_t ndim, int32_t dtype, const char* device) {
  SW_TENSOR(at::empty(sw::ints(shape, ndim), options(dtype, device)))
}
SW_EXPORT at::Tensor* swTensor_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, const char* device) {
  SW_TENSOR(at::zeros(sw::ints(shape, ndim), options(dtype, device)))
}
SW_EXPORT at::Tensor* swTensor_ones(const int64_t* shape, int32_t ndim, int32_t dtype, const char* device) {
  SW_TENSOR(at::ones(sw::ints(shape, ndim), options(dtype, device)))
}
SW_EXPORT at::Tensor* swTensor_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype, const char* device) {
  SW_TENSOR(at::full(sw::ints(shape, ndim), value, options(dtype, device)))
}
SW_EXPORT at::Tensor* swTensor_arange(double start, double end, double step, int32_t dtype, const char* device) {
  SW_TENSOR(at::arange(start, end, step, options(dtype, device)))
}
SW_EXPORT at::Tensor* swTensor_eye(int64_t n, int64_t m, int32_t dtype, const char* device) {
  SW_TENSOR(at::eye(n, m, options(dtype, device)))
}
SW_EXPORT at::Tensor* swTensor_rand(const int64_t* shape, int32_t ndim, int32_t dtype, const char* device,
                                    at::Generator* g) {
  SW_TENSOR(draw(options(dtype, device), [&](const at::TensorOptions& o) { return at::rand(sw::ints(shape, ndim), gen(g), o); }))
}
SW_EXPORT at::Tensor* swTensor_randn(const int64_t* shape, int32_t ndim, int32_t dtype, const char* device,
                                     at::Generator* g) {
  SW_TENSOR(draw(options(dtype, device), [&](const at::TensorOptions& o) { return at::randn(sw::ints(shape, ndim), gen(g), o); }))
}
SW_EXPORT at::Tensor* swTensor_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, const char* device,
                                       at::Generator* g) {
  SW_TENSOR(draw(options(static_cast<int32_t>(at::kLong), device),
                 [&](const at::TensorOptions& o) { return at::randint(low, high, sw::ints(shape, ndim), gen(g), o); }))
}
SW_EXPORT at::Tensor* swTensor_randperm(int64_t n, const char* device, at::Generator* g) {
  SW_TENSOR(draw(options(static_cast<int32_t>(at::kLong), device),
                 [&](const at::TensorOptions& o) { return at::randperm(n, gen(g), o); }))
}
/// Draws 0/1 with the probabilities in `probs` (same shape, floating point).
SW_EXPORT at::Tensor* swTensor_bernoulli(at::Tensor* probs, at::Generator* g) {
  SW_GUARD(nullptr, {
    if (probs->device().is_cpu()) return sw::wrap(at::bernoulli(*probs, gen(g)));
    return sw::wrap(at::bernoulli(probs->cpu(), gen(g)).to(probs->device()));
  })
}
SW_EXPORT int32_t swTensor_normal_(at::Tensor* t, double mean, double std, at::Generator* g) {
  SW_STATUS({
    if (t->device().is_cpu()) {
      t->normal_(mean, std, gen(g));
    } else {
      t->copy_(at::empty(t->sizes(), t->options().device(at::kCPU)).normal_(mean, std, gen(g)));
    }
  })
}
SW_EXPORT int32_t swTensor_uniform_(at::Tensor* t, double from, double to, at::Generator* g) {
  SW_STATUS({
    if (t->device().is_cpu()) {
      t->uniform_(from, to, gen(g));
    } else {
      t->copy_(at::empty(t->sizes(), t->options().device(at::kCPU)).uniform_(from, to, gen(g)));
    }
  })
}

SW_EXPORT int32_t swTensor_ndim(at::Tensor* t) { SW_GUARD(-1, return static_cast<int32_t>(t->dim());) }

/// Writes the sizes into `out` (room for ndim values).
SW_EXPORT int32_t swTensor_shape(at::Tensor* t, int64_t* out) {
  SW_STATUS(auto s = t->sizes(); std::copy(s.begin(), s.end(), out);)
}
SW_EXPORT int64_t swTensor_numel(at::Tensor* t) { SW_GUARD(-1, return t->numel();) }
SW_EXPORT int32_t swTensor_dtype(at::Tensor* t) { SW_GUARD(-1, return static_cast<int32_t>(t->scalar_type());) }
/// 0 = cpu, 1 = cuda (c10::DeviceType values).
SW_EXPORT int32_t swTensor_deviceType(at::Tensor* t) { SW_GUARD(-1, return static_cast<int32_t>(t->device().type());) }
SW_EXPORT int32_t swTensor_deviceIndex(at::Tensor* t) { SW_GUARD(-2, return t->device().index();) }
SW_EXPORT int32_t swTensor_requiresGrad(at::Tensor* t) { SW_GUARD(-1, return t->requires_grad() ? 1 : 0;) }
SW_EXPORT int32_t swTensor_setRequiresGrad(at::Tensor* t, int32_t value) { SW_STATUS(t->requires_grad_(value != 0);) }
SW_EXPORT int32_t swTensor_isLeaf(at::Tensor* t) { SW_GUARD(-1, return t->is_leaf() ? 1 : 0;) }
SW_EXPORT int32_t swTensor_isContiguous(at::Tensor* t) { SW_GUARD(-1, return t->is_contiguous() ? 1 : 0;) }
/// Whether the elements are dense in the memory order of `memory_format` (sw::memory_format).
SW_EXPORT int32_t swTensor_isContiguousIn(at::Tensor* t, int32_t memory_format) {
  SW_GUARD(-1, return t->is_contiguous(sw::memory_format(memory_format)) ? 1 : 0;)
}
/// The memory format the strides suggest (at::Tensor::suggest_memory_format): 2 when they are channels-last's, else 0.
SW_EXPORT int32_t swTensor_memoryFormat(at::Tensor* t) { SW_GUARD(-1, return static_cast<int32_t>(t->suggest_memory_format());) }

/// Copies the elements (row-major) into `dst`, which holds exactly `nbytes`.
SW_EXPORT int32_t swTensor_copyToHost(at::Tensor* t, void* dst, int64_t nbytes) {
  SW_STATUS({
    auto c = t->detach().to(at::kCPU).contiguous();
    const int64_t have = c.numel() * static_cast<int64_t>(c.element_size());
    TORCH_CHECK(have == nbytes, "copyToHost: tensor holds ", have, " bytes, destination ", nbytes);
    std::memcpy(dst, c.data_ptr(), static_cast<size_t>(nbytes));
  })
}
SW_EXPORT int32_t swTensor_itemDouble(at::Tensor* t, double* out) { SW_STATUS(*out = t->item<double>();) }
SW_EXPORT int32_t swTensor_itemLong(at::Tensor* t, int64_t* out) { SW_STATUS(*out = t->item<int64_t>();) }

/// Converts dtype and/or device; dtype < 0 keeps the dtype, device nullptr keeps the device.
SW_EXPORT at::Tensor* swTensor_to(at::Tensor* t, int32_t dtype, const char* device, int32_t non_blocking) {
  SW_GUARD(nullptr, {
    auto o = t->options();
    if (dtype >= 0) o = o.dtype(static_cast<at::ScalarType>(dtype));
    if (device != nullptr) o = o.device(c10::Device(std::string(device)));
    return sw::wrap(t->to(o, non_blocking != 0));
  })
}
SW_EXPORT at::Tensor* swTensor_clone(at::Tensor* t) { SW_TENSOR(t->clone()) }
SW_EXPORT at::Tensor* swTensor_contiguous(at::Tensor* t) { SW_TENSOR(t->contiguous()) }
/// The tensor with the strides of `memory_format` (sw::memory_format), as torch's `t.to(memory_format=...)`: an alias
/// when its strides already suggest that format, else a copy (recorded by autograd). A 4-D tensor with one channel
/// gets the format's own strides even though its elements need no reordering, so that libtorch's kernels pick the
/// format's implementation from them.
SW_EXPORT at::Tensor* swTensor_toMemoryFormat(at::Tensor* t, int32_t memory_format) {
  SW_TENSOR(t->to(t->scalar_type(), /*non_blocking=*/false, /*copy=*/false, sw::memory_format(memory_format)))
}
SW_EXPORT at::Tensor* swTensor_detach(at::Tensor* t) { SW_TENSOR(t->detach()) }
SW_EXPORT int32_t swTensor_detach_(at::Tensor* t) { SW_STATUS(t->detach_();) }
SW_EXPORT int32_t swTensor_copy_(at::Tensor* dst, at::Tensor* src) { SW_STATUS(dst->copy_(*src);) }
SW_EXPORT int32_t swTensor_zero_(at::Tensor* t) { SW_STATUS(t->zero_();) }
SW_EXPORT int32_t swTensor_fill_(at::Tensor* t, double value) { SW_STATUS(t->fill_(value);) }
/// Replaces the tensor's data (not its autograd identity) by `src`'s, as Python's `p.data = src`.
SW_EXPORT int32_t swTensor_setData(at::Tensor* t, at::Tensor* src) { SW_STATUS(t->set_data(*src);) }
