// State dicts in the format of Python's torch.save / torch.load (swSerialize_*).
//
// Saving uses torch::pickle_save (a zip archive with a pickled dict, which Python's torch.load
// opens). Loading uses a small unpickler of our own rather than torch::pickle_load: libtorch's
// unpickler turns every collections.OrderedDict into None (it only expects one as the empty
// backward-hooks argument of a tensor), so it cannot read what torch.save(model.state_dict())
// writes. Ours reads exactly the subset of pickle that torch.save produces for a dict or an
// OrderedDict of tensors (protocols 2 to 4), maps every tensor to the CPU and rejects anything
// else with a message.
#include "sw_common.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <unordered_map>

namespace {

struct StateDict {
  std::vector<std::string> names;
  std::vector<at::Tensor> tensors;
};

// ---------------------------------------------------------------- pickle values

struct Val;
using ValPtr = std::shared_ptr<Val>;

struct Val {
  enum class Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor };
  Kind kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;                                    // Str; Global: "module.name"
  std::vector<ValPtr> items;                        // Tuple, List
  std::vector<std::pair<ValPtr, ValPtr>> entries;   // Dict, in insertion order
  at::Tensor tensor;                                // Tensor; Storage: a 1-d tensor over the record
};

ValPtr make(Val::Kind kind) {
  auto v = std::make_shared<Val>();
  v->kind = kind;
  return v;
}
ValPtr make_int(int64_t value) {
  auto v = make(Val::Kind::Int);
  v->i = value;
  return v;
}
ValPtr make_str(std::string value, Val::Kind kind = Val::Kind::Str) {
  auto v = make(kind);
  v->s = std::move(value);
  return v;
}

const char* kind_name(Val::Kind k) {
  switch (k) {
    case Val::Kind::None: return "None";
    case Val::Kind::Bool: return "bool";
    case Val::Kind::Int: return "int";
    case Val::Kind::Float: return "float";
    case Val::Kind::Str: return "str";
    case Val::Kind::Tuple: return "tuple";
    case Val::Kind::List: return "list";
    case Val::Kind::Dict: return "dict";
    case Val::Kind::Global: return "global";
    case Val::Kind::Storage: return "storage";
    case Val::Kind::Tensor: return "tensor";
  }
  return "?";
}

void dict_set(Val& dict, ValPtr key, ValPtr value) {
  if (key->kind == Val::Kind::Str) {
    for (auto& e : dict.entries) {
      if (e.first->kind == Val::Kind::Str && e.first->s == key->s) {
        e.second = std::move(value);
        return;
      }
    }
  }
  dict.entries.emplace_back(std::move(key), std::move(value));
}

at::ScalarType storage_dtype(const std::string& global) {
  static const std::unordered_map<std::string, at::ScalarType> types = {
      {"torch.DoubleStorage", at::kDouble},       {"torch.FloatStorage", at::kFloat},
      {"torch.HalfStorage", at::kHalf},           {"torch.BFloat16Storage", at::kBFloat16},
      {"torch.LongStorage", at::kLong},           {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort},         {"torch.CharStorage", at::kChar},
      {"torch.ByteStorage", at::kByte},           {"torch.BoolStorage", at::kBool},
      {"torch.ComplexFloatStorage", at::kComplexFloat}, {"torch.ComplexDoubleStorage", at::kComplexDouble},
  };
  auto it = types.find(global);
  TORCH_CHECK(it != types.end(), "unsupported storage type ", global);
  return it->second;
}

std::vector<int64_t> int_tuple(const Val& v, const char* what) {
  TORCH_CHECK(v.kind == Val::Kind::Tuple || v.kind == Val::Kind::List, what, " is a ", kind_name(v.kind), ", not a tuple");
  std::vector<int64_t> out;
  for (const auto& item : v.items) {
    TORCH_CHECK(item->kind == Val::Kind::Int, what, " holds a ", kind_name(item->kind));
    out.push_back(item->i);
  }
  return out;
}

// ---------------------------------------------------------------- the unpickler

class StateDictUnpickler {
 public:
  StateDictUnpickler(const char* data, size_t size, caffe2::serialize::PyTorchStreamReader& reader)
      : data_(data), size_(size), reader_(reader) {}

  ValPtr run() {
    while (true) {
      const uint8_t op = u8();
      if (op == '.') break;  // STOP
      step(op);
    }
    TORCH_CHECK(stack_.size() == 1, "malformed pickle: ", stack_.size(), " values left on the stack");
    return stack_.back();
  }

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
  caffe2::serialize::PyTorchStreamReader& reader_;
  std::vector<ValPtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, ValPtr> memo_;
  std::unordered_map<std::string, ValPtr> storages_;

  void need(size_t n) const { TORCH_CHECK(size_ - pos_ >= n, "truncated pickle (at byte ", pos_, ")"); }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(data_[pos_++]);
  }
  template <typename T>
  T le() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string bytes(size_t n) {
    need(n);
    std::string out(data_ + pos_, n);
    pos_ += n;
    return out;
  }
  std::string line() {
    const void* nl = std::memchr(data_ + pos_, '\n', size_ - pos_);
    TORCH_CHECK(nl != nullptr, "truncated pickle (GLOBAL without newline)");
    const size_t n = static_cast<const char*>(nl) - (data_ + pos_);
    std::string out(data_ + pos_, n);
    pos_ += n + 1;
    return out;
  }

  ValPtr pop() {
    TORCH_CHECK(!stack_.empty(), "malformed pickle: stack underflow");
    ValPtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  ValPtr& top() {
    TORCH_CHECK(!stack_.empty(), "malformed pickle: stack underflow");
    return stack_.back();
  }
  /// Pops everything above the last MARK.
  std::vector<ValPtr> pop_mark() {
    TORCH_CHECK(!marks_.empty(), "malformed pickle: no MARK");
    const size_t start = marks_.back();
    marks_.pop_back();
    TORCH_CHECK(start <= stack_.size(), "malformed pickle: MARK beyond the stack");
    std::vector<ValPtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(start), stack_.end());
    stack_.resize(start);
    return items;
  }
  void memo_put(uint32_t id) { memo_[id] = top(); }
  void memo_get(uint32_t id) {
    auto it = memo_.find(id);
    TORCH_CHECK(it != memo_.end(), "malformed pickle: memo entry ", id, " is missing");
    stack_.push_back(it->second);
  }
  void tuple_of(std::vector<ValPtr> items) {
    auto t = make(Val::Kind::Tuple);
    t->items = std::move(items);
    stack_.push_back(std::move(t));
  }

  void step(uint8_t op) {
    switch (op) {
      case 0x80: u8(); break;           // PROTO
      case 0x95: le<uint64_t>(); break; // FRAME
      case '(': marks_.push_back(stack_.size()); break;
      case 'N': stack_.push_back(make(Val::Kind::None)); break;
      case 0x88:
      case 0x89: {
        auto v = make(Val::Kind::Bool);
        v->b = op == 0x88;
        stack_.push_back(v);
      } break;
      case 'K': stack_.push_back(make_int(u8())); break;
      case 'M': stack_.push_back(make_int(le<uint16_t>())); break;
      case 'J': stack_.push_back(make_int(le<int32_t>())); break;
      case 0x8a: {  // LONG1: little-endian two's complement
        const size_t n = u8();
        TORCH_CHECK(n <= 8, "integer of ", n, " bytes does not fit in int64");
        need(n);
        uint64_t value = 0;
        for (size_t k = 0; k < n; ++k) value |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + k])) << (8 * k);
        if (n > 0 && n < 8 && (static_cast<uint8_t>(data_[pos_ + n - 1]) & 0x80) != 0) value |= ~uint64_t{0} << (8 * n);
        pos_ += n;
        stack_.push_back(make_int(static_cast<int64_t>(value)));
      } break;
      case 'G': {  // BINFLOAT, big-endian
        need(8);
        uint64_t bits = 0;
        for (int k = 0; k < 8; ++k) bits = (bits << 8) | static_cast<uint8_t>(data_[pos_ + k]);
        pos_ += 8;
        auto v = make(Val::Kind::Float);
        std::memcpy(&v->f, &bits, 8);
        stack_.push_back(v);
      } break;
      case 'X': stack_.push_back(make_str(bytes(le<uint32_t>()))); break;         // BINUNICODE
      case 0x8c: stack_.push_back(make_str(bytes(u8()))); break;                  // SHORT_BINUNICODE
      case 0x8d: stack_.push_back(make_str(bytes(le<uint64_t>()))); break;        // BINUNICODE8
      case 'T': stack_.push_back(make_str(bytes(le<uint32_t>()))); break;         // BINSTRING
      case 'U': stack_.push_back(make_str(bytes(u8()))); break;                   // SHORT_BINSTRING
      case ')': tuple_of({}); break;
      case 't': tuple_of(pop_mark()); break;
      case 0x85: {
        auto a = pop();
        tuple_of({a});
      } break;
      case 0x86: {
        auto b = pop();
        auto a = pop();
        tuple_of({a, b});
      } break;
      case 0x87: {
        auto c = pop();
        auto b = pop();
        auto a = pop();
        tuple_of({a, b, c});
      } break;
      case ']': stack_.push_back(make(Val::Kind::List)); break;
      case 'l': {
        auto l = make(Val::Kind::List);
        l->items = pop_mark();
        stack_.push_back(l);
      } break;
      case 'a': {
        auto v = pop();
        TORCH_CHECK(top()->kind == Val::Kind::List, "APPEND to a ", kind_name(top()->kind));
        top()->items.push_back(v);
      } break;
      case 'e': {
        auto items = pop_mark();
        TORCH_CHECK(top()->kind == Val::Kind::List, "APPENDS to a ", kind_name(top()->kind));
        for (auto& v : items) top()->items.push_back(v);
      } break;
      case '}': stack_.push_back(make(Val::Kind::Dict)); break;
      case 'd': {
        auto items = pop_mark();
        TORCH_CHECK(items.size() % 2 == 0, "malformed pickle: DICT with an odd item count");
        auto dict = make(Val::Kind::Dict);
        for (size_t k = 0; k < items.size(); k += 2) dict_set(*dict, items[k], items[k + 1]);
        stack_.push_back(dict);
      } break;
      case 's': {
        auto value = pop();
        auto key = pop();
        TORCH_CHECK(top()->kind == Val::Kind::Dict, "SETITEM on a ", kind_name(top()->kind));
        dict_set(*top(), key, value);
      } break;
      case 'u': {
        auto items = pop_mark();
        TORCH_CHECK(items.size() % 2 == 0, "malformed pickle: SETITEMS with an odd item count");
        TORCH_CHECK(top()->kind == Val::Kind::Dict, "SETITEMS on a ", kind_name(top()->kind));
        for (size_t k = 0; k < items.size(); k += 2) dict_set(*top(), items[k], items[k + 1]);
      } break;
      case 'q': memo_put(u8()); break;
      case 'r': memo_put(le<uint32_t>()); break;
      case 0x94: memo_put(static_cast<uint32_t>(memo_.size())); break;  // MEMOIZE
      case 'h': memo_get(u8()); break;
      case 'j': memo_get(le<uint32_t>()); break;
      case '0': pop(); break;                                             // POP
      case '1': pop_mark(); break;                                        // POP_MARK
      case '2': stack_.push_back(top()); break;                           // DUP
      case 'c': {
        std::string module = line();
        std::string name = line();
        stack_.push_back(make_str(module + "." + name, Val::Kind::Global));
      } break;
      case 0x93: {  // STACK_GLOBAL
        auto name = pop();
        auto module = pop();
        TORCH_CHECK(name->kind == Val::Kind::Str && module->kind == Val::Kind::Str, "malformed STACK_GLOBAL");
        stack_.push_back(make_str(module->s + "." + name->s, Val::Kind::Global));
      } break;
      case 'R':     // REDUCE
      case 0x81: {  // NEWOBJ (cls, args)
        auto args = pop();
        auto callable = pop();
        TORCH_CHECK(callable->kind == Val::Kind::Global, "cannot call a ", kind_name(callable->kind));
        TORCH_CHECK(args->kind == Val::Kind::Tuple, "the arguments of ", callable->s, " are not a tuple");
        stack_.push_back(call(callable->s, args->items));
      } break;
      case 'b': {  // BUILD: instance attributes, e.g. an OrderedDict's _metadata; not needed
        auto state = pop();
        const auto kind = top()->kind;
        TORCH_CHECK(kind == Val::Kind::Dict || kind == Val::Kind::Tensor, "cannot set the state of a ", kind_name(kind));
      } break;
      case 'Q': {  // BINPERSID: a storage record of the archive
        auto pid = pop();
        stack_.push_back(storage(*pid));
      } break;
      default:
        TORCH_CHECK(false, "unsupported pickle opcode 0x", c10::str(std::hex, static_cast<int>(op)), " at byte ",
                    pos_ - 1, " (only dicts of tensors can be loaded)");
    }
  }

  ValPtr storage(const Val& pid) {
    TORCH_CHECK(pid.kind == Val::Kind::Tuple && pid.items.size() >= 5 && pid.items[0]->kind == Val::Kind::Str &&
                    pid.items[0]->s == "storage",
                "unsupported persistent id (not a torch storage)");
    const Val& type = *pid.items[1];
    const Val& key = *pid.items[2];
    const Val& numel = *pid.items[4];
    TORCH_CHECK(type.kind == Val::Kind::Global && key.kind == Val::Kind::Str && numel.kind == Val::Kind::Int,
                "malformed storage persistent id");
    auto cached = storages_.find(key.s);
    if (cached != storages_.end()) return cached->second;

    const at::ScalarType dtype = storage_dtype(type.s);
    const int64_t itemsize = static_cast<int64_t>(c10::elementSize(dtype));
    TORCH_CHECK(numel.i >= 0, "negative storage size");
    const std::string record = "data/" + key.s;
    at::Tensor flat;
    if (numel.i == 0) {
      flat = at::empty({0}, at::TensorOptions().dtype(dtype));
    } else {
      TORCH_CHECK(reader_.hasRecord(record), "the archive has no record '", record, "'");
      auto data = reader_.getRecord(record);
      TORCH_CHECK(static_cast<int64_t>(std::get<1>(data)) >= numel.i * itemsize, "record '", record, "' holds ",
                  std::get<1>(data), " bytes, the storage needs ", numel.i * itemsize);
      c10::Storage st(c10::Storage::use_byte_size_t(), static_cast<size_t>(numel.i * itemsize),
                      std::move(std::get<0>(data)), nullptr, false);
      flat = at::empty({0}, at::TensorOptions().dtype(dtype)).set_(st, 0, {numel.i}, {1});
    }
    auto v = make(Val::Kind::Storage);
    v->tensor = flat;
    storages_[key.s] = v;
    return v;
  }

  ValPtr call(const std::string& fn, const std::vector<ValPtr>& args) {
    if (fn == "collections.OrderedDict") {
      auto dict = make(Val::Kind::Dict);
      if (!args.empty()) {  // OrderedDict([(k, v), ...])
        TORCH_CHECK(args[0]->kind == Val::Kind::List || args[0]->kind == Val::Kind::Tuple, "OrderedDict argument");
        for (const auto& pair : args[0]->items) {
          TORCH_CHECK(pair->kind == Val::Kind::Tuple && pair->items.size() == 2, "OrderedDict item is not a pair");
          dict_set(*dict, pair->items[0], pair->items[1]);
        }
      }
      return dict;
    }
    if (fn == "torch._utils._rebuild_tensor_v2" || fn == "torch._utils._rebuild_tensor") {
      TORCH_CHECK(args.size() >= 4, fn, " with ", args.size(), " arguments");
      TORCH_CHECK(args[0]->kind == Val::Kind::Storage, "the first argument of ", fn, " is not a storage");
      TORCH_CHECK(args[1]->kind == Val::Kind::Int, "storage offset is not an int");
      const auto size = int_tuple(*args[2], "tensor size");
      const auto stride = int_tuple(*args[3], "tensor stride");
      TORCH_CHECK(size.size() == stride.size(), "tensor size and stride differ in length");
      const at::Tensor& flat = args[0]->tensor;
      auto t = make(Val::Kind::Tensor);
      t->tensor = at::empty({0}, flat.options()).set_(flat.storage(), args[1]->i, size, stride);
      return t;
    }
    if (fn == "torch._utils._rebuild_parameter") {  // nn.Parameter(data, requires_grad, hooks)
      TORCH_CHECK(!args.empty() && args[0]->kind == Val::Kind::Tensor, "malformed nn.Parameter");
      return args[0];
    }
    if (fn == "torch.jit._pickle.restore_type_tag") {  // (value, type string), written by torch::pickle_save
      TORCH_CHECK(!args.empty(), "restore_type_tag without arguments");
      return args[0];
    }
    if (fn == "torch.jit._pickle.build_intlist" || fn == "torch.jit._pickle.build_tensorlist" ||
        fn == "torch.jit._pickle.build_doublelist" || fn == "torch.jit._pickle.build_boollist") {
      TORCH_CHECK(!args.empty(), fn, " without arguments");
      return args[0];
    }
    TORCH_CHECK(false, "unsupported Python object ", fn, " (only a dict or OrderedDict of tensors can be loaded)");
    return nullptr;
  }
};

/// Reads a torch.save zip archive holding {str: tensor}; every failure names the file.
std::unique_ptr<StateDict> load_state_dict(const std::string& path) {
  {
    std::ifstream probe(path, std::ios::binary);
    TORCH_CHECK(probe.good(), "cannot open '", path, "'");
    char magic[2] = {0, 0};
    probe.read(magic, 2);
    TORCH_CHECK(probe.gcount() == 2 && magic[0] == 'P' && magic[1] == 'K', "'", path,
                "' is not a torch.save zip archive (a file saved with _use_new_zipfile_serialization=False, or not "
                "a torch file at all)");
  }
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    TORCH_CHECK(reader.hasRecord("data.pkl"), "the archive has no data.pkl");
    auto pickle = reader.getRecord("data.pkl");
    StateDictUnpickler unpickler(static_cast<const char*>(std::get<0>(pickle).get()), std::get<1>(pickle), reader);
    ValPtr root = unpickler.run();
    TORCH_CHECK(root->kind == Val::Kind::Dict, "the file holds a ", kind_name(root->kind), ", not a dict of tensors");
    auto result = std::make_unique<StateDict>();
    for (const auto& entry : root->entries) {
      TORCH_CHECK(entry.first->kind == Val::Kind::Str, "a key is a ", kind_name(entry.first->kind), ", not a string");
      TORCH_CHECK(entry.second->kind == Val::Kind::Tensor, "entry '", entry.first->s, "' is a ",
                  kind_name(entry.second->kind), ", not a tensor");
      result->names.push_back(entry.first->s);
      result->tensors.push_back(entry.second->tensor);
    }
    return result;
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot load '" + path + "': " + e.what_without_backtrace());
  }
}

/// Whether the strides are exactly the row-major ones of the sizes (those torch.empty gives), size-1 dimensions
/// included: a channels-last tensor with one channel is dense in row-major order too, but its strides differ.
bool row_major_strides(const at::Tensor& t) {
  int64_t expected = 1;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    if (t.stride(d) != expected) return false;
    expected *= std::max<int64_t>(t.size(d), 1);
  }
  return true;
}

/// A tensor that owns exactly its elements, in row-major order with row-major strides: a view into a larger storage
/// would save all of it, and a file holds the standard layout whatever the memory format trained in (a
/// channels-last model saves as an NCHW one would).
at::Tensor compact(const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU);
  const bool exact = c.is_contiguous() && row_major_strides(c) && c.storage_offset() == 0 &&
                     c.storage().nbytes() == static_cast<size_t>(c.numel()) * c.element_size();
  return exact ? c : c.clone(at::MemoryFormat::Contiguous);
}

}  // namespace

/// Writes {name: tensor} to `path` as torch.save would (zip archive, pickled dict); tensors are
/// detached and copied to the CPU so the file opens anywhere. Atomic: written to a temporary
/// file in the same folder, then renamed over `path`.
SW_EXPORT int32_t swSerialize_save(const char* const* names, at::Tensor* const* tensors, int32_t count, const char* path) {
  SW_STATUS({
    c10::Dict<std::string, at::Tensor> dict;
    for (int32_t i = 0; i < count; ++i) {
      TORCH_CHECK(!dict.contains(names[i]), "duplicate state-dict key '", names[i], "'");
      dict.insert(names[i], compact(*tensors[i]));
    }
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
    const std::string target(path);
    const std::string temp = target + ".tmp" + std::to_string(::getpid());
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      TORCH_CHECK(out.good(), "cannot open '", temp, "' for writing");
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.flush();
      if (!out.good()) {
        out.close();
        std::remove(temp.c_str());
        TORCH_CHECK(false, "cannot write '", temp, "'");
      }
    }
    if (std::rename(temp.c_str(), target.c_str()) != 0) {
      std::remove(temp.c_str());
      TORCH_CHECK(false, "cannot rename '", temp, "' to '", target, "'");
    }
  })
}

/// Reads a file saved by swSerialize_save or by Python's torch.save of a dict or OrderedDict of
/// tensors (e.g. model.state_dict()), in the file's order. Tensors are on the CPU.
SW_EXPORT StateDict* swSerialize_load(const char* path) {
  SW_GUARD(nullptr, return load_state_dict(path).release();)
}
SW_EXPORT int32_t swSerialize_count(StateDict* d) { return static_cast<int32_t>(d->names.size()); }
/// The i-th key; the pointer lives as long as the dict.
SW_EXPORT const char* swSerialize_name(StateDict* d, int32_t i) { SW_GUARD(nullptr, return d->names.at(static_cast<size_t>(i)).c_str();) }
SW_EXPORT at::Tensor* swSerialize_tensor(StateDict* d, int32_t i) { SW_TENSOR(d->tensors.at(static_cast<size_t>(i))) }
SW_EXPORT void swSerialize_free(StateDict* d) { delete d; }
