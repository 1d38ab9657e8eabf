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
