// Neural-network functional ops (swNN_*). Reductions: 0 = none, 1 = mean, 2 = sum (at::Reduction).
#include "sw_common.h"

SW_EXPORT at::Tensor* swNN_conv2d(at::Tensor* x, at::Tensor* w, at::Tensor* b, const int64_t* stride, const int64_t* padding,
                                  const int64_t* dilation, int64_t groups) {
  SW_TENSOR(at::conv2d(*x, *w, sw::opt(b), sw::ints(stride, 2), sw::ints(padding, 2), sw::ints(dilation, 2), groups))
}
SW_EXPORT at::Tensor* swNN_linear(at::Tensor* x, at::Tensor* w, at::Tensor* b) { SW_TENSOR(at::linear(*x, *w, sw::opt(b))) }
/// Batch norm; in training mode updates running_mean/running_var in place (when given) with `momentum`.
SW_EXPORT at::Tensor* swNN_batchNorm(at::Tensor* x, at::Tensor* weight, at::Tensor* bias, at::Tensor* running_mean,
                                     at::Tensor* running_var, int32_t training, double momentum, double eps) {
  SW_TENSOR(at::batch_norm(*x, sw::opt(weight), sw::opt(bias), sw::opt(running_mean), sw::opt(running_var), training != 0,
                           momentum, eps, /*cudnn_enabled=*/true))
}
SW_EXPORT at::Tensor* swNN_relu(at::Tensor* x) { SW_TENSOR(at::relu(*x)) }
SW_EXPORT int32_t swNN_relu_(at::Tensor* x) { SW_STATUS(at::relu_(*x);) }
SW_EXPORT at::Tensor* swNN_maxPool2d(at::Tensor* x, const int64_t* kernel, const int64_t* stride, const int64_t* padding) {
  SW_TENSOR(at::max_pool2d(*x, sw::ints(kernel, 2), sw::ints(stride, 2), sw::ints(padding, 2)))
}
SW_EXPORT at::Tensor* swNN_avgPool2d(at::Tensor* x, const int64_t* kernel, const int64_t* stride, const int64_t* padding) {
  SW_TENSOR(at::avg_pool2d(*x, sw::ints(kernel, 2), sw::ints(stride, 2), sw::ints(padding, 2)))
}
SW_EXPORT at::Tensor* swNN_adaptiveAvgPool2d(at::Tensor* x, const int64_t* output_size) {
  SW_TENSOR(at::adaptive_avg_pool2d(*x, sw::ints(output_size, 2)))
}
SW_EXPORT at::Tensor* swNN_dropout(at::Tensor* x, double p, int32_t training) { SW_TENSOR(at::dropout(*x, p, training != 0)) }
SW_EXPORT at::Tensor* swNN_softmax(at::Tensor* x, int64_t dim) { SW_TENSOR(at::softmax(*x, dim)) }
SW_EXPORT at::Tensor* swNN_logSoftmax(at::Tensor* x, int64_t dim) { SW_TENSOR(at::log_softmax(*x, dim)) }
/// Cross-entropy of logits against class indices (int64).
SW_EXPORT at::Tensor* swNN_crossEntropy(at::Tensor* logits, at::Tensor* target, int64_t reduction, double label_smoothing) {
  SW_TENSOR(at::cross_entropy_loss(*logits, *target, c10::nullopt, reduction, -100, label_smoothing))
}
SW_EXPORT at::Tensor* swNN_nllLoss(at::Tensor* logp, at::Tensor* target, int64_t reduction) {
  SW_TENSOR(at::nll_loss(*logp, *target, c10::nullopt, reduction))
}
/// KL(target || input) with `input` given as log-probabilities (torch.nn.functional.kl_div).
/// Reduction 3 = "batchmean" (sum divided by the first dimension).
SW_EXPORT at::Tensor* swNN_klDiv(at::Tensor* input, at::Tensor* target, int64_t reduction, int32_t log_target) {
  SW_GUARD(nullptr, {
    if (reduction == 3) return sw::wrap(at::kl_div(*input, *target, at::Reduction::Sum, log_target != 0) / input->size(0));
    return sw::wrap(at::kl_div(*input, *target, reduction, log_target != 0));
  })
}
SW_EXPORT at::Tensor* swNN_mseLoss(at::Tensor* input, at::Tensor* target, int64_t reduction) {
  SW_TENSOR(at::mse_loss(*input, *target, reduction))
}

/// torch.nn.BatchNorm2d's forward in one call: checks for 4-D input; in training mode increments
/// `num_batches_tracked` (when given) and updates the running statistics with `momentum`, or with the
/// cumulative average 1/num_batches_tracked when `momentum` is negative (PyTorch's momentum=None).
SW_EXPORT at::Tensor* swNN_batchNorm2d(at::Tensor* x, at::Tensor* weight, at::Tensor* bias, at::Tensor* running_mean,
                                       at::Tensor* running_var, at::Tensor* num_batches_tracked, int32_t training,
                                       double momentum, double eps) {
  SW_GUARD(nullptr, {
    TORCH_CHECK(x->dim() == 4, "expected 4D input (got ", x->dim(), "D input)");
    double factor = momentum < 0 ? 0.0 : momentum;
    if (training != 0 && num_batches_tracked != nullptr) {
      at::NoGradGuard no_grad;
      num_batches_tracked->add_(1);
      if (momentum < 0) factor = 1.0 / static_cast<double>(num_batches_tracked->item<int64_t>());
    }
    return sw::wrap(at::batch_norm(*x, sw::opt(weight), sw::opt(bias), sw::opt(running_mean), sw::opt(running_var),
                                   training != 0, factor, eps, /*cudnn_enabled=*/true));
  })
}

/// Clears the gradients of `count` tensors: sets them undefined (`set_to_none`) or zeroes them in place
/// (detaching them from any graph first, as torch.nn.Module.zero_grad does).
SW_EXPORT int32_t swNN_zeroGrad(at::Tensor* const* params, int32_t count, int32_t set_to_none) {
  SW_STATUS(for (int32_t i = 0; i < count; ++i) sw::clear_grad(*params[i], set_to_none != 0);)
}
