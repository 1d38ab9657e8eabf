// Optimizers with parameter groups (swOptim_*): libtorch's SGD, Adam and AdamW.
// An optimizer is created without groups; each group is added with its own options.
#include "sw_common.h"

#include <unistd.h>

#include <cstdio>

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
      for (auto& p : group.params()) sw::clear_grad(p, set_to_none != 0);
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
/// Atomic: written to a temporary file next to `path`, then renamed over it.
SW_EXPORT int32_t swOptim_save(Optimizer* opt, const char* path) {
  SW_STATUS({
    const std::string target(path);
    const std::string temp = target + ".tmp" + std::to_string(::getpid());
    torch::serialize::OutputArchive archive;
    opt->save(archive);
    try {
      archive.save_to(temp);
    } catch (...) {
      std::remove(temp.c_str());
      throw;
    }
    if (std::rename(temp.c_str(), target.c_str()) != 0) {
      std::remove(temp.c_str());
      TORCH_CHECK(false, "cannot rename '", temp, "' to '", target, "'");
    }
  })
}

/// Restores the state saved by swOptim_save into an optimizer with the same groups (same
/// number of groups, same number of parameters in each, same kind of optimizer). The groups'
/// options (learning rates, ...) are not part of the file: they stay as constructed.
/// The state's tensors are loaded onto the device of the optimizer's parameters (the first one
/// found), whatever device they were saved from: a run checkpointed on cuda:0 resumes on the CPU
/// or on cuda:1 (libtorch would otherwise restore them where they were saved).
SW_EXPORT int32_t swOptim_load(Optimizer* opt, const char* path) {
  SW_STATUS({
    c10::optional<c10::Device> device;
    for (const auto& group : opt->param_groups()) {
      if (!group.params().empty()) {
        device = group.params().front().device();
        break;
      }
    }
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(std::string(path), device);
      opt->load(archive);
    } catch (const c10::Error& e) {
      throw std::runtime_error(std::string("cannot load optimizer state from '") + path + "': " + e.what_without_backtrace());
    }
  })
}

/// An identity of the tensor's autograd node (its TensorImpl): equal for two handles of one tensor.
SW_EXPORT int32_t swOptim_tensorId(const at::Tensor* t, int64_t* id) {
  SW_STATUS(*id = static_cast<int64_t>(reinterpret_cast<intptr_t>(t->unsafeGetTensorImpl()));)
}
