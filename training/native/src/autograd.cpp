// Autograd: backward, gradients, grad mode and the EWGS rounding function (swAutograd_*).
#include "sw_common.h"

#include <torch/csrc/autograd/custom_function.h>

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

// EWGS rounding (Lee et al., CVPR 2021), applied to a normalised input x^ in [0, 1]:
//   forward   x_q = round(x^ (L - 1)) / (L - 1)
//   backward  g_x^ = g (1 + delta sign(g) (x^ - x_q));  delta = 0 is the straight-through estimator.
struct EwgsRound : public torch::autograd::Function<EwgsRound> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& xhat, int64_t levels, double delta) {
    const double n = static_cast<double>(levels - 1);
    at::Tensor xq = at::round(xhat * n) / n;
    ctx->saved_data["delta"] = delta;
    if (delta != 0.0) ctx->save_for_backward({xhat - xq});
    return xq;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const double delta = ctx->saved_data["delta"].toDouble();
    at::Tensor g = grads[0];
    if (delta != 0.0) {
      const at::Tensor diff = ctx->get_saved_variables()[0];
      g = g * (1.0 + delta * at::sign(g) * diff);
    }
    return {g, at::Tensor(), at::Tensor()};
  }
};

// The whole EWGS quantizer in one pass each way (CPU), the same arithmetic as the composed ops of
// EwgsQuantizer in the same order and precision, so values are bit-identical to them:
//   r   = (x - l) / (u - l)                     xhat = clamp(r, 0, 1)
//   xq  = round(xhat (L - 1)) / (L - 1)         (round half to even, as torch.round)
//   d   = 2 (xq - 1/2)  (mode 0: weights)   |  xq  (mode 1: activations)  |  xq (u - l) + l  (mode 2: signed)
//   y   = d s
// Backward: g_d = g s; g_xq = g_d dd/dxq; EWGS g_xhat = g_xq (1 + delta sign(g_xq) (xhat - xq));
// clamp passes where 0 <= r <= 1 (inclusive, as torch.clamp's backward); then x, l, u through r (and d in
// mode 2), s through y. The loops are templated on the mode and written so that the compiler vectorises
// them (no calls, no branches, independent partial sums per lane). The backward is not differentiable:
// with create_graph (EWGS's Hessian-vector products) the composed ops must be used, and this says so.
//
// Layout: the loops run over the elements in memory order, so any dense layout works as it is: a channels-last
// input (activations and conv weights in CPU training) is read and written in place of being copied to NCHW and
// back, the output and dL/dx get the input's strides (empty_like), and the incoming gradient is brought to them
// when it has others. Only the order of the partial sums of dL/dl, dL/du and dL/ds depends on the layout. Inputs
// that are not dense (a strided view) are made contiguous first.

// Round half to even of 0 <= v < 2^22 (float) or 2^51 (double) without a libm call: adding and removing
// 1.5 * 2^23 (2^52) leaves v rounded to an integer by the FPU's default mode, round-to-nearest-even,
// exactly as std::nearbyint / torch.round. v is xhat (L - 1) <= 255 here.
inline float round_even(float v) {
  const float magic = 12582912.0f;
  return (v + magic) - magic;
}
inline double round_even(double v) {
  const double magic = 6755399441055744.0;
  return (v + magic) - magic;
}

template <typename T>
struct EwgsScalars {
  T l, range, n, s, delta;
};

template <typename T>
inline T clamp01(T r) {
  const T low = r < T(0) ? T(0) : r;  // NaN stays NaN, as torch.clamp
  return low > T(1) ? T(1) : low;
}

template <typename T, int MODE>
inline T transform(T xq, const EwgsScalars<T>& c) {
  if constexpr (MODE == 0) return (xq - T(0.5)) * T(2);
  if constexpr (MODE == 1) return xq;
  return xq * c.range + c.l;
}

template <typename T, int MODE>
void ewgs_forward(const T* x, T* y, int64_t count, const EwgsScalars<T> c) {
  at::parallel_for(0, count, 16384, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T xq = round_even(clamp01((x[i] - c.l) / c.range) * c.n) / c.n;
      y[i] = transform<T, MODE>(xq, c) * c.s;
    }
  });
}

// One element of the backward: writes dL/dx and adds to the partial sums of dL/dl, dL/du, dL/ds.
template <typename T, int MODE, bool DELTA>
inline void ewgs_backward_one(T x, T g, T* gx, const EwgsScalars<T>& c, T& sl, T& su, T& ss) {
  const T a = x - c.l;
  const T r = a / c.range;
  const T xhat = clamp01(r);
  const T xq = round_even(xhat * c.n) / c.n;
  ss += g * transform<T, MODE>(xq, c);
  const T gd = g * c.s;
  T gq = gd;
  if constexpr (MODE == 0) gq = gd * T(2);
  if constexpr (MODE == 2) {
    gq = gd * c.range;
    su += gd * xq;
    sl += gd - gd * xq;
  }
  T gh = gq;
  if constexpr (DELTA) {
    const T sign = static_cast<T>((gq > T(0)) - (gq < T(0)));
    gh = gq * (T(1) + c.delta * sign * (xhat - xq));
  }
  const T gr = (r >= T(0) && r <= T(1)) ? gh : T(0);
  const T ga = gr / c.range;
  *gx = ga;
  const T grange = -gr * a / (c.range * c.range);  // r = a / range: d r / d range = -a / range^2
  su += grange;
  sl -= grange + ga;  // a = x - l and range = u - l both fall with l
}

template <typename T, int MODE, bool DELTA>
void ewgs_backward(const T* x, const T* g, T* gx, int64_t count, const EwgsScalars<T> c, double sums[3]) {
  constexpr int kLanes = 8;      // independent partial sums: the compiler keeps them in vector registers
  constexpr int64_t kBlock = 2048;  // then folded into double, so long tensors lose no precision
  std::vector<double> partial(3 * static_cast<size_t>(at::get_num_threads()), 0.0);
  at::parallel_for(0, count, 16384, [&](int64_t begin, int64_t end) {
    double dl = 0, du = 0, ds = 0;
    for (int64_t start = begin; start < end; start += kBlock) {
      const int64_t stop = std::min(end, start + kBlock);
      T sl[kLanes] = {}, su[kLanes] = {}, ss[kLanes] = {};
      int64_t i = start;
      for (; i + kLanes <= stop; i += kLanes) {
        for (int k = 0; k < kLanes; ++k) {
          ewgs_backward_one<T, MODE, DELTA>(x[i + k], g[i + k], gx + i + k, c, sl[k], su[k], ss[k]);
        }
      }
      for (; i < stop; ++i) ewgs_backward_one<T, MODE, DELTA>(x[i], g[i], gx + i, c, sl[0], su[0], ss[0]);
      for (int k = 0; k < kLanes; ++k) {
        dl += sl[k];
        du += su[k];
        ds += ss[k];
      }
    }
    const size_t t = 3 * static_cast<size_t>(at::get_thread_num());
    partial[t] += dl;
    partial[t + 1] += du;
    partial[t + 2] += ds;
  });
  for (size_t t = 0; t < partial.size(); t += 3) {
    sums[0] += partial[t];
    sums[1] += partial[t + 1];
    sums[2] += partial[t + 2];
  }
}

// `t` itself when its elements fill its storage span without gaps or overlaps (any order of dimensions), else a
// contiguous copy: the kernel's loops then visit every element once in memory order.
at::Tensor dense(const at::Tensor& t) { return t.is_non_overlapping_and_dense() ? t : t.contiguous(); }

// `t` (the incoming gradient) with exactly the strides of `reference`, copied only when they differ.
at::Tensor like(const at::Tensor& t, const at::Tensor& reference) {
  if (t.strides() == reference.strides()) return t;
  return at::empty_like(reference).copy_(t);
}

template <typename T>
EwgsScalars<T> ewgs_scalars(const at::Tensor& lower, const at::Tensor& upper, const at::Tensor& scale, int64_t levels, double delta) {
  const T l = lower.item<T>(), u = upper.item<T>();
  return {l, static_cast<T>(u - l), static_cast<T>(levels - 1), scale.item<T>(), static_cast<T>(delta)};
}

struct EwgsQuantize : public torch::autograd::Function<EwgsQuantize> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& lower, const at::Tensor& upper,
                            const at::Tensor& scale, int64_t levels, double delta, int64_t mode) {
    TORCH_CHECK(x.device().is_cpu(), "ewgsQuantize: CPU tensors only (use the composed ops on ", x.device(), ")");
    TORCH_CHECK(lower.numel() == 1 && upper.numel() == 1 && scale.numel() == 1, "ewgsQuantize: lower, upper and scale must be scalars");
    TORCH_CHECK(mode >= 0 && mode <= 2, "ewgsQuantize: mode must be 0 (weights), 1 (activations) or 2 (signed activations), got ", mode);
    TORCH_CHECK(levels >= 2 && levels <= 256, "ewgsQuantize: levels must be 2 to 256, got ", levels);
    at::Tensor input = dense(x);
    at::Tensor y = at::empty_like(input);  // the input's strides (dense: empty_like preserves them)
    AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "ewgsQuantize", [&] {
      const auto c = ewgs_scalars<scalar_t>(lower, upper, scale, levels, delta);
      const scalar_t* xp = input.data_ptr<scalar_t>();
      scalar_t* yp = y.data_ptr<scalar_t>();
      if (mode == 0) ewgs_forward<scalar_t, 0>(xp, yp, input.numel(), c);
      else if (mode == 1) ewgs_forward<scalar_t, 1>(xp, yp, input.numel(), c);
      else ewgs_forward<scalar_t, 2>(xp, yp, input.numel(), c);
    });
    ctx->save_for_backward({input, lower, upper, scale});
    ctx->saved_data["levels"] = levels;
    ctx->saved_data["delta"] = delta;
    ctx->saved_data["mode"] = mode;
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "ewgsQuantize: its backward is not differentiable (create_graph): use the composed EWGS ops");
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& input = saved[0];
    const int64_t levels = ctx->saved_data["levels"].toInt();
    const double delta = ctx->saved_data["delta"].toDouble();
    const int64_t mode = ctx->saved_data["mode"].toInt();
    const at::Tensor g = like(grads[0], input);
    at::Tensor gx = at::empty_like(input);
    double sums[3] = {0, 0, 0};  // dL/dl, dL/du, dL/ds
    AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "ewgsQuantizeBackward", [&] {
      const auto c = ewgs_scalars<scalar_t>(saved[1], saved[2], saved[3], levels, delta);
      const scalar_t* xp = input.data_ptr<scalar_t>();
      const scalar_t* gp = g.data_ptr<scalar_t>();
      scalar_t* gxp = gx.data_ptr<scalar_t>();
      const int64_t n = input.numel();
      const bool withDelta = delta != 0.0;
      if (mode == 0) {
        withDelta ? ewgs_backward<scalar_t, 0, true>(xp, gp, gxp, n, c, sums) : ewgs_backward<scalar_t, 0, false>(xp, gp, gxp, n, c, sums);
      } else if (mode == 1) {
        withDelta ? ewgs_backward<scalar_t, 1, true>(xp, gp, gxp, n, c, sums) : ewgs_backward<scalar_t, 1, false>(xp, gp, gxp, n, c, sums);
      } else {
        withDelta ? ewgs_backward<scalar_t, 2, true>(xp, gp, gxp, n, c, sums) : ewgs_backward<scalar_t, 2, false>(xp, gp, gxp, n, c, sums);
      }
    });
    return {gx, at::full_like(saved[1], sums[0]), at::full_like(saved[2], sums[1]), at::full_like(saved[3], sums[2]),
            at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

/// Backpropagates from `t`; `grad` may be nullptr for a scalar output.
SW_EXPORT int32_t swAutograd_backward(at::Tensor* t, at::Tensor* grad, int32_t retain_graph, int32_t create_graph) {
  SW_STATUS(t->backward(sw::or_undefined(grad), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt,
                        create_graph != 0);)
}

/// Gradients of `outputs` w.r.t. `inputs` (torch.autograd.grad). `grad_outputs` entries may be nullptr.
/// Writes one handle per input into `result`; an unused input gets nullptr when allow_unused is set.
SW_EXPORT int32_t swAutograd_grad(at::Tensor* const* outputs, at::Tensor* const* grad_outputs, int32_t n_outputs,
                                  at::Tensor* const* inputs, int32_t n_inputs, int32_t retain_graph, int32_t create_graph,
                                  int32_t allow_unused, at::Tensor** result) {
  SW_STATUS({
    std::vector<at::Tensor> gouts;
    for (int32_t i = 0; i < n_outputs; ++i) gouts.push_back(grad_outputs == nullptr ? at::Tensor() : sw::or_undefined(grad_outputs[i]));
    auto grads = torch::autograd::grad(sw::tensor_list(outputs, n_outputs), sw::tensor_list(inputs, n_inputs), gouts,
                                       retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt, create_graph != 0,
                                       allow_unused != 0);
    for (int32_t i = 0; i < n_inputs; ++i) result[i] = grads[i].defined() ? sw::wrap(grads[i]) : nullptr;
  })
}

/// The accumulated gradient of `t` into *out, or nullptr when it has none.
SW_EXPORT int32_t swTensor_grad(at::Tensor* t, at::Tensor** out) {
  SW_STATUS(const at::Tensor& g = t->grad(); *out = g.defined() ? sw::wrap(g) : nullptr;)
}
/// Sets (or, for nullptr, clears) the gradient of `t`.
SW_EXPORT int32_t swTensor_setGrad(at::Tensor* t, at::Tensor* grad) {
  SW_STATUS(t->mutable_grad() = sw::or_undefined(grad);)
}

/// Enables or disables gradient recording on this thread; returns the previous mode (1/0).
SW_EXPORT int32_t swAutograd_setGradEnabled(int32_t enabled) {
  SW_GUARD(-1, const bool previous = at::GradMode::is_enabled(); at::GradMode::set_enabled(enabled != 0); return previous ? 1 : 0;)
}
SW_EXPORT int32_t swAutograd_isGradEnabled() { return at::GradMode::is_enabled() ? 1 : 0; }

/// EWGS rounding of a normalised input (see EwgsRound above); levels = 2^bits.
SW_EXPORT at::Tensor* swAutograd_ewgsRound(at::Tensor* xhat, int64_t levels, double delta) {
  SW_GUARD(nullptr, {
    TORCH_CHECK(levels >= 2, "ewgsRound: levels must be >= 2, got ", levels);
    return sw::wrap(EwgsRound::apply(*xhat, levels, delta));
  })
}

/// The fused EWGS quantizer (see EwgsQuantize above) on CPU tensors; mode 0 weights, 1 activations, 2 signed activations.
SW_EXPORT at::Tensor* swAutograd_ewgsQuantize(at::Tensor* x, at::Tensor* lower, at::Tensor* upper, at::Tensor* scale, int64_t levels,
                                              double delta, int64_t mode) {
  SW_GUARD(nullptr, return sw::wrap(EwgsQuantize::apply(*x, *lower, *upper, *scale, levels, delta, mode));)
}
