// Element-wise arithmetic, comparisons, reductions and linear algebra (swTensor_*).
#include "sw_common.h"

#define SW_UNARY(name, expr) \
  SW_EXPORT at::Tensor* swTensor_##name(at::Tensor* t) { SW_TENSOR(expr) }
#define SW_BINARY(name, expr) \
  SW_EXPORT at::Tensor* swTensor_##name(at::Tensor* a, at::Tensor* b) { SW_TENSOR(expr) }
#define SW_SCALAR(name, expr) \
  SW_EXPORT at::Tensor* swTensor_##name(at::Tensor* a, double s) { SW_TENSOR(expr) }

// a + alpha b, a - alpha b
SW_EXPORT at::Tensor* swTensor_add(at::Tensor* a, at::Tensor* b, double alpha) { SW_TENSOR(at::add(*a, *b, alpha)) }
SW_EXPORT at::Tensor* swTensor_sub(at::Tensor* a, at::Tensor* b, double alpha) { SW_TENSOR(at::sub(*a, *b, alpha)) }
SW_BINARY(mul, at::mul(*a, *b))
SW_BINARY(div, at::div(*a, *b))
SW_BINARY(pow, at::pow(*a, *b))
SW_BINARY(minimum, at::minimum(*a, *b))
SW_BINARY(maximum, at::maximum(*a, *b))
SW_BINARY(matmul, at::matmul(*a, *b))
SW_BINARY(eq, at::eq(*a, *b))
SW_BINARY(ne, at::ne(*a, *b))
SW_BINARY(gt, at::gt(*a, *b))
SW_BINARY(ge, at::ge(*a, *b))
SW_BINARY(lt, at::lt(*a, *b))
SW_BINARY(le, at::le(*a, *b))
SW_BINARY(logicalAnd, at::logical_and(*a, *b))
SW_BINARY(logicalOr, at::logical_or(*a, *b))

SW_SCALAR(addScalar, at::add(*a, s))
SW_SCALAR(mulScalar, at::mul(*a, s))
SW_SCALAR(divScalar, at::div(*a, s))
SW_SCALAR(rsubScalar, at::rsub(*a, s))             // s - a
SW_SCALAR(rdivScalar, at::mul(at::reciprocal(*a), s))  // s / a
SW_SCALAR(powScalar, at::pow(*a, s))
SW_SCALAR(eqScalar, at::eq(*a, s))
SW_SCALAR(neScalar, at::ne(*a, s))
SW_SCALAR(gtScalar, at::gt(*a, s))
SW_SCALAR(geScalar, at::ge(*a, s))
SW_SCALAR(ltScalar, at::lt(*a, s))
SW_SCALAR(leScalar, at::le(*a, s))

SW_UNARY(neg, at::neg(*t))
SW_UNARY(abs, at::abs(*t))
SW_UNARY(sign, at::sign(*t))
SW_UNARY(round, at::round(*t))
SW_UNARY(floor, at::floor(*t))
SW_UNARY(ceil, at::ceil(*t))
SW_UNARY(sqrt, at::sqrt(*t))
SW_UNARY(rsqrt, at::rsqrt(*t))
SW_UNARY(exp, at::exp(*t))
SW_UNARY(log, at::log(*t))
SW_UNARY(tanh, at::tanh(*t))
SW_UNARY(sigmoid, at::sigmoid(*t))
SW_UNARY(square, at::square(*t))
SW_UNARY(reciprocal, at::reciprocal(*t))
SW_UNARY(logicalNot, at::logical_not(*t))
SW_UNARY(isfinite, at::isfinite(*t))

/// Clamps to [min, max]; a bound is ignored when its has_ flag is 0.
SW_EXPORT at::Tensor* swTensor_clamp(at::Tensor* t, int32_t has_min, double min, int32_t has_max, double max) {
  SW_TENSOR(at::clamp(*t, has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                      has_max ? c10::optional<at::Scalar>(max) : c10::nullopt))
}
/// Clamps to tensor bounds (broadcast); nullptr means unbounded on that side. Differentiable in the bounds.
SW_EXPORT at::Tensor* swTensor_clampTensor(at::Tensor* t, at::Tensor* min, at::Tensor* max) {
  SW_TENSOR(at::clamp(*t, sw::opt(min), sw::opt(max)))
}
SW_EXPORT at::Tensor* swTensor_where(at::Tensor* cond, at::Tensor* a, at::Tensor* b) { SW_TENSOR(at::where(*cond, *a, *b)) }

// In place: a += alpha b, a *= b, a *= s, a += s, clamp_.
SW_EXPORT int32_t swTensor_add_(at::Tensor* a, at::Tensor* b, double alpha) { SW_STATUS(a->add_(*b, alpha);) }
SW_EXPORT int32_t swTensor_mul_(at::Tensor* a, at::Tensor* b) { SW_STATUS(a->mul_(*b);) }
SW_EXPORT int32_t swTensor_mulScalar_(at::Tensor* a, double s) { SW_STATUS(a->mul_(s);) }
SW_EXPORT int32_t swTensor_addScalar_(at::Tensor* a, double s) { SW_STATUS(a->add_(s);) }
SW_EXPORT int32_t swTensor_clamp_(at::Tensor* t, int32_t has_min, double min, int32_t has_max, double max) {
  SW_STATUS(t->clamp_(has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                      has_max ? c10::optional<at::Scalar>(max) : c10::nullopt);)
}

// Reductions. dims/ndims select dimensions; ndims == 0 reduces over all of them.
SW_EXPORT at::Tensor* swTensor_sum(at::Tensor* t, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  SW_TENSOR(ndims == 0 ? at::sum(*t) : at::sum(*t, sw::ints(dims, ndims), keepdim != 0))
}
SW_EXPORT at::Tensor* swTensor_mean(at::Tensor* t, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  SW_TENSOR(ndims == 0 ? at::mean(*t) : at::mean(*t, sw::ints(dims, ndims), keepdim != 0))
}
SW_EXPORT at::Tensor* swTensor_var(at::Tensor* t, const int64_t* dims, int32_t ndims, int32_t unbiased, int32_t keepdim) {
  SW_TENSOR(ndims == 0 ? at::var(*t, unbiased != 0) : at::var(*t, sw::ints(dims, ndims), unbiased != 0, keepdim != 0))
}
SW_EXPORT at::Tensor* swTensor_std(at::Tensor* t, const int64_t* dims, int32_t ndims, int32_t unbiased, int32_t keepdim) {
  SW_TENSOR(ndims == 0 ? at::std(*t, unbiased != 0) : at::std(*t, sw::ints(dims, ndims), unbiased != 0, keepdim != 0))
}
SW_EXPORT at::Tensor* swTensor_logsumexp(at::Tensor* t, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  SW_TENSOR(at::logsumexp(*t, sw::ints(dims, ndims), keepdim != 0))
}
SW_EXPORT at::Tensor* swTensor_norm(at::Tensor* t, double p) { SW_TENSOR(at::norm(*t, p)) }
SW_UNARY(maxAll, at::max(*t))
SW_UNARY(minAll, at::min(*t))
SW_UNARY(all, at::all(*t))
SW_UNARY(any, at::any(*t))
SW_UNARY(trace, at::trace(*t))
SW_EXPORT at::Tensor* swTensor_argmax(at::Tensor* t, int64_t dim, int32_t keepdim) { SW_TENSOR(at::argmax(*t, dim, keepdim != 0)) }
SW_EXPORT at::Tensor* swTensor_argmin(at::Tensor* t, int64_t dim, int32_t keepdim) { SW_TENSOR(at::argmin(*t, dim, keepdim != 0)) }
/// Max along a dimension: values and indices.
SW_EXPORT int32_t swTensor_maxDim(at::Tensor* t, int64_t dim, int32_t keepdim, at::Tensor** values, at::Tensor** indices) {
  SW_STATUS(auto r = at::max(*t, dim, keepdim != 0); *values = sw::wrap(std::get<0>(r)); *indices = sw::wrap(std::get<1>(r));)
}
SW_EXPORT int32_t swTensor_minDim(at::Tensor* t, int64_t dim, int32_t keepdim, at::Tensor** values, at::Tensor** indices) {
  SW_STATUS(auto r = at::min(*t, dim, keepdim != 0); *values = sw::wrap(std::get<0>(r)); *indices = sw::wrap(std::get<1>(r));)
}
SW_EXPORT int32_t swTensor_topk(at::Tensor* t, int64_t k, int64_t dim, int32_t largest, int32_t sorted, at::Tensor** values,
                                at::Tensor** indices) {
  SW_STATUS(auto r = at::topk(*t, k, dim, largest != 0, sorted != 0); *values = sw::wrap(std::get<0>(r));
            *indices = sw::wrap(std::get<1>(r));)
}

// Linear algebra (used by tests of the MEC regulariser).
SW_EXPORT int32_t swTensor_slogdet(at::Tensor* t, at::Tensor** sign, at::Tensor** logabsdet) {
  SW_STATUS(auto r = at::linalg_slogdet(*t); *sign = sw::wrap(std::get<0>(r)); *logabsdet = sw::wrap(std::get<1>(r));)
}
SW_EXPORT at::Tensor* swTensor_eigvalsh(at::Tensor* t) { SW_TENSOR(at::linalg_eigvalsh(*t, "L")) }
SW_EXPORT at::Tensor* swTensor_diag(at::Tensor* t, int64_t diagonal) { SW_TENSOR(at::diag(*t, diagonal)) }
