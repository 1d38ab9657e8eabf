// State dicts in the format of Python's torch.save / torch.load (swSerialize_*).
#include "sw_common.h"

#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <iterator>

namespace {

struct StateDict {
  std::vector<std::string> names;
  std::vector<at::Tensor> tensors;
};

}  // namespace

/// Writes {name: tensor} to `path` as torch.save would (zip archive, pickled dict); tensors are
/// detached and copied to the CPU so the file opens anywhere.
SW_EXPORT int32_t swSerialize_save(const char* const* names, at::Tensor* const* tensors, int32_t count, const char* path) {
  SW_STATUS({
    c10::Dict<std::string, at::Tensor> dict;
    for (int32_t i = 0; i < count; ++i) {
      TORCH_CHECK(!dict.contains(names[i]), "duplicate state-dict key '", names[i], "'");
      dict.insert(names[i], tensors[i]->detach().to(at::kCPU));
    }
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
    const std::string target(path);
    const std::string temp = target + ".tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      TORCH_CHECK(out.good(), "cannot open '", temp, "' for writing");
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.flush();
      TORCH_CHECK(out.good(), "cannot write '", temp, "'");
    }
    TORCH_CHECK(std::rename(temp.c_str(), target.c_str()) == 0, "cannot rename '", temp, "' to '", target, "'");
  })
}

/// Reads a file saved by swSerialize_save or by Python's torch.save(dict_of_tensors).
SW_EXPORT StateDict* swSerialize_load(const char* path) {
  SW_GUARD(nullptr, {
    std::ifstream in(path, std::ios::binary);
    TORCH_CHECK(in.good(), "cannot open '", path, "'");
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    c10::IValue value = torch::pickle_load(bytes);
    TORCH_CHECK(value.isGenericDict(), "'", path, "' does not hold a dict of tensors (found ", value.tagKind(), ")");
    auto result = std::make_unique<StateDict>();
    for (const auto& entry : value.toGenericDict()) {
      TORCH_CHECK(entry.key().isString(), "'", path, "': a key is not a string");
      TORCH_CHECK(entry.value().isTensor(), "'", path, "': entry '", entry.key().toStringRef(), "' is not a tensor");
      result->names.push_back(entry.key().toStringRef());
      result->tensors.push_back(entry.value().toTensor());
    }
    return result.release();
  })
}
SW_EXPORT int32_t swSerialize_count(StateDict* d) { return static_cast<int32_t>(d->names.size()); }
/// The i-th key; the pointer lives as long as the dict.
SW_EXPORT const char* swSerialize_name(StateDict* d, int32_t i) { SW_GUARD(nullptr, return d->names.at(static_cast<size_t>(i)).c_str();) }
SW_EXPORT at::Tensor* swSerialize_tensor(StateDict* d, int32_t i) { SW_TENSOR(d->tensors.at(static_cast<size_t>(i))) }
SW_EXPORT void swSerialize_free(StateDict* d) { delete d; }
