// Views, reshaping, indexing and joining (swTensor_*).
#include "sw_common.h"

using at::indexing::TensorIndex;

SW_EXPORT at::Tensor* swTensor_reshape(at::Tensor* t, const int64_t* shape, int32_t ndim) { SW_TENSOR(t->reshape(sw::ints(shape, ndim))) }
SW_EXPORT at::Tensor* swTensor_view(at::Tensor* t, const int64_t* shape, int32_t ndim) { SW_TENSOR(t->view(sw::ints(shape, ndim))) }
SW_EXPORT at::Tensor* swTensor_expand(at::Tensor* t, const int64_t* shape, int32_t ndim) { SW_TENSOR(t->expand(sw::ints(shape, ndim))) }
SW_EXPORT at::Tensor* swTensor_repeat(at::Tensor* t, const int64_t* shape, int32_t ndim) { SW_TENSOR(t->repeat(sw::ints(shape, ndim))) }
SW_EXPORT at::Tensor* swTensor_permute(at::Tensor* t, const int64_t* dims, int32_t ndim) { SW_TENSOR(t->permute(sw::ints(dims, ndim))) }
SW_EXPORT at::Tensor* swTensor_flip(at::Tensor* t, const int64_t* dims, int32_t ndim) { SW_TENSOR(at::flip(*t, sw::ints(dims, ndim))) }
SW_EXPORT at::Tensor* swTensor_transpose(at::Tensor* t, int64_t d0, int64_t d1) { SW_TENSOR(t->transpose(d0, d1)) }
SW_EXPORT at::Tensor* swTensor_unsqueeze(at::Tensor* t, int64_t dim) { SW_TENSOR(t->unsqueeze(dim)) }
SW_EXPORT at::Tensor* swTensor_squeeze(at::Tensor* t) { SW_TENSOR(t->squeeze()) }
SW_EXPORT at::Tensor* swTensor_squeezeDim(at::Tensor* t, int64_t dim) { SW_TENSOR(t->squeeze(dim)) }
SW_EXPORT at::Tensor* swTensor_flatten(at::Tensor* t, int64_t start, int64_t end) { SW_TENSOR(t->flatten(start, end)) }
SW_EXPORT at::Tensor* swTensor_narrow(at::Tensor* t, int64_t dim, int64_t start, int64_t length) { SW_TENSOR(t->narrow(dim, start, length)) }
SW_EXPORT at::Tensor* swTensor_select(at::Tensor* t, int64_t dim, int64_t index) { SW_TENSOR(t->select(dim, index)) }
SW_EXPORT at::Tensor* swTensor_slice(at::Tensor* t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  SW_TENSOR(t->slice(dim, start, end, step))
}
SW_EXPORT at::Tensor* swTensor_indexSelect(at::Tensor* t, int64_t dim, at::Tensor* index) { SW_TENSOR(t->index_select(dim, *index)) }
SW_EXPORT at::Tensor* swTensor_gather(at::Tensor* t, int64_t dim, at::Tensor* index) { SW_TENSOR(t->gather(dim, *index)) }
SW_EXPORT at::Tensor* swTensor_cat(at::Tensor* const* items, int32_t count, int64_t dim) { SW_TENSOR(at::cat(sw::tensor_list(items, count), dim)) }
SW_EXPORT at::Tensor* swTensor_stack(at::Tensor* const* items, int32_t count, int64_t dim) { SW_TENSOR(at::stack(sw::tensor_list(items, count), dim)) }
/// Constant padding; `pad` lists (before, after) pairs starting from the last dimension, as torch.nn.functional.pad.
SW_EXPORT at::Tensor* swTensor_pad(at::Tensor* t, const int64_t* pad, int32_t npad, double value) {
  SW_TENSOR(at::constant_pad_nd(*t, sw::ints(pad, npad), value))
}

namespace {

// Index kinds shared with Sweeps.Torch's TensorIndex.Kind.
enum IndexKind : int32_t { kSingle = 0, kSlice = 1, kEllipsis = 2, kNone = 3, kTensor = 4, kBool = 5 };
constexpr int64_t kAbsent = INT64_MIN;

c10::optional<int64_t> bound(int64_t v) { return v == kAbsent ? c10::nullopt : c10::optional<int64_t>(v); }

std::vector<TensorIndex> indices(const int32_t* kinds, const int64_t* ints, at::Tensor* const* tensors, int32_t count) {
  std::vector<TensorIndex> out;
  out.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    const int64_t* v = ints + 3 * i;
    switch (kinds[i]) {
      case kSingle: out.emplace_back(v[0]); break;
      case kSlice:
        out.emplace_back(at::indexing::Slice(bound(v[0]), bound(v[1]), bound(v[2])));
        break;
      case kEllipsis: out.emplace_back(at::indexing::Ellipsis); break;
      case kNone: out.emplace_back(at::indexing::None); break;
      case kTensor: out.emplace_back(*tensors[i]); break;
      case kBool: out.emplace_back(v[0] != 0); break;
      default: TORCH_CHECK(false, "unknown index kind ", kinds[i]);
    }
  }
  return out;
}

}  // namespace

/// t[indices], as Python indexing: ints, slices (INT64_MIN = omitted bound), ..., None, tensors, bools.
SW_EXPORT at::Tensor* swTensor_index(at::Tensor* t, const int32_t* kinds, const int64_t* ints, at::Tensor* const* tensors,
                                     int32_t count) {
  SW_TENSOR(t->index(indices(kinds, ints, tensors, count)))
}
/// t[indices] = value (in place).
SW_EXPORT int32_t swTensor_indexPut_(at::Tensor* t, const int32_t* kinds, const int64_t* ints, at::Tensor* const* tensors,
                                     int32_t count, at::Tensor* value) {
  SW_STATUS(t->index_put_(indices(kinds, ints, tensors, count), *value);)
}
