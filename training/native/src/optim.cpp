// Optimizers with parameter groups (swOptim_*): libtorch's SGD, Adam and AdamW.
// An optimizer is created without groups; each group is added with its own options.
#include "sw_common.h"

using torch::optim::Optimizer;
using torch::optim::OptimizerParamGroup;

namespace {

template <typename Options>
int32_t add_group(Optimizer* opt, at::Tensor* const* params, int32_t n, Options options) {
  OptimizerParamGroup group(sw::tensor_list(params, n), std::make_unique<Options>(std::move(options)));
  opt->add_param_group(group);
  return 0;
}

torch::optim::SGDOptions sgd(double lr, double momentum, double dampening, double wd, int32_t nesterov) {
  return torch::optim::SGDOptions(lr).momentum(momentum).dampening(dampening).weight_decay(wd).nesterov(nesterov != 0);
}
torch::optim::AdamOptions adam(double lr, double b1, double b2, double eps, double wd, int32_t amsgrad) {
  return torch::optim::AdamOptions(lr).betas({b1, b2}).eps(eps).weight_decay(wd).amsgrad(amsgrad != 0);
}
torch::optim::AdamWOptions adamw(double lr, double b1, double b2, double eps, double wd, int32_t amsgrad) {
  return torch::optim::AdamWOptions(lr).betas({b1, b2}).eps(eps).weight_decay(wd).amsgrad(amsgrad != 0);
}

}  // namespace

SW_EXPORT Optimizer* swOptim_sgdCreate(double lr, double momentum, double dampening, double wd, int32_t nesterov) {
  SW_GUARD(nullptr, return new torch::optim::SGD(std::vector<OptimizerParamGroup>{}, sgd(lr, momentum, dampening, wd, nesterov));)
}
SW_EXPORT int32_t swOptim_sgdAddGroup(Optimizer* opt, at::Tensor* const* params, int32_t n, double lr, double momentum,
                                      double dampening, double wd, int32_t nesterov) {
  SW_GUARD(-1, return add_group(opt, params, n, sgd(lr, momentum, dampening, wd, nesterov));)
}
SW_EXPORT Optimizer* swOptim_adamCreate(double lr, double b1, double b2, double eps, double wd, int32_t amsgrad) {
  SW_GUARD(nullptr, return new torch::optim::Adam(std::vector<OptimizerParamGroup>{}, adam(lr, b1, b2, eps, wd, amsgrad));)
}
SW_EXPORT int32_t swOptim_adamAddGroup(Optimizer* opt, at::Tensor* const* params, int32_t n, double lr, double b1, double b2,
                                       double eps, double wd, int32_t amsgrad) {
  SW_GUARD(-1, return add_group(opt, params, n, adam(lr, b1, b2, eps, wd, amsgrad));)
}
SW_EXPORT Optimizer* swOptim_adamwCreate(double lr, double b1, double b2, double eps, double wd, int32_t amsgrad) {
  SW_GUARD(nullptr, return new torch::optim::AdamW(std::vector<OptimizerParamGroup>{}, adamw(lr, b1, b2, eps, wd, amsgrad));)
}
SW_EXPORT int32_t swOptim_adamwAddGroup(Optimizer* opt, at::Tensor* const* params, int32_t n, double lr, double b1,
                                        double b2, double eps, double wd, int32_t amsgrad) {
  SW_GUARD(-1, return add_group(opt, params, n, adamw(lr, b1, b2, eps, wd, amsgrad));)
}

SW_EXPORT void swOptim_free(Optimizer* opt) { delete opt; }

SW_EXPORT int32_t swOptim_step(Optimizer* opt) { SW_STATUS(torch::NoGradGuard guard; opt->step();) }

/// Clears every parameter's gradient: set_to_none drops the tensor (no memset, and the next
/// backward writes the gradient in place of accumulating), otherwise zeroes it.
SW_EXPORT int32_t swOptim_zeroGrad(Optimizer* opt, int32_t set_to_none) {
  SW_STATUS({
    for (auto& group : opt->param_groups()) {
      for (auto& p : group.params()) {
        if (!p.mutable_grad().defined()) continue;
        if (set_to_none != 0) {
          p.mutable_grad().reset();
        } else {
          p.mutable_grad().detach_();
          p.mutable_grad().zero_();
        }
      }
    }
  })
}

SW_EXPORT int32_t swOptim_groupCount(Optimizer* opt) { SW_GUARD(-1, return static_cast<int32_t>(opt->param_groups().size());) }

SW_EXPORT int32_t swOptim_getLr(Optimizer* opt, int32_t group, double* lr) {
  SW_STATUS(*lr = opt->param_groups().at(static_cast<size_t>(group)).options().get_lr();)
}
SW_EXPORT int32_t swOptim_setLr(Optimizer* opt, int32_t group, double lr) {
  SW_STATUS(opt->param_groups().at(static_cast<size_t>(group)).options().set_lr(lr);)
}

/// Saves the optimizer's state (moments, step counts) to a file (libtorch archive format).
SW_EXPORT int32_t swOptim_save(Optimizer* opt, const char* path) {
  SW_STATUS(torch::serialize::OutputArchive archive; opt->save(archive); archive.save_to(std::string(path));)
}
SW_EXPORT int32_t swOptim_load(Optimizer* opt, const char* path) {
  SW_STATUS(torch::serialize::InputArchive archive; archive.load_from(std::string(path)); opt->load(archive);)
}
