// Process-wide settings: malloc tuning, threads, devices, seeds, version (swTorch_*).
#include "sw_common.h"

#include <malloc.h>

/// Tunes glibc malloc for training workloads. Returns 0, or -1 if glibc refused a setting.
///
/// By default glibc serves blocks above a dynamic threshold with mmap and gives memory at the top
/// of the heap back to the kernel once more than M_TRIM_THRESHOLD is free. A training step frees
/// and re-allocates the same multi-megabyte activation buffers every step, so each step would
/// unmap them and fault the pages in again (page faults and zeroing dominate small CNNs on CPU).
/// We keep such buffers in the heap (mmap only above 32 MiB, glibc's maximum threshold) and never
/// trim, so freed buffers are reused by the next step. Must run before libtorch allocates much.
SW_EXPORT int32_t swTorch_tuneMalloc(int64_t mmap_threshold_bytes, int64_t trim_threshold_bytes) {
  int ok = 1;
  ok &= mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold_bytes));
  ok &= mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim_threshold_bytes));
  return ok == 1 ? 0 : -1;
}

/// glibc heap figures (mallinfo2), in bytes: [0] obtained from the system by brk/sbrk heaps and
/// arenas, [1] in mmapped blocks, [2] in use, [3] free inside the heaps.
SW_EXPORT int32_t swTorch_mallocStats(int64_t* out) {
  const struct mallinfo2 info = mallinfo2();
  out[0] = static_cast<int64_t>(info.arena);
  out[1] = static_cast<int64_t>(info.hblkhd);
  out[2] = static_cast<int64_t>(info.uordblks + info.hblkhd);
  out[3] = static_cast<int64_t>(info.fordblks);
  return 0;
}

/// Gives the free memory of every malloc arena back to the kernel (malloc_trim(0): the heap tops and, with
/// madvise, the free pages inside the heaps). The tuning above never trims during a run; a long-lived process that
/// trains one run after another, each on a thread of its own, would otherwise keep every run's peak in an arena of
/// its own (glibc gives new threads new arenas, up to 8 per core). Returns 1 if memory was released, else 0.
SW_EXPORT int32_t swTorch_mallocTrim() { return malloc_trim(0); }

SW_EXPORT int32_t swTorch_setNumThreads(int32_t threads) { SW_STATUS(at::set_num_threads(threads);) }

SW_EXPORT int32_t swTorch_getNumThreads() { SW_GUARD(-1, return at::get_num_threads();) }

SW_EXPORT int32_t swTorch_cudaIsAvailable() { SW_GUARD(-1, return torch::cuda::is_available() ? 1 : 0;) }

SW_EXPORT int32_t swTorch_cudaDeviceCount() { SW_GUARD(-1, return static_cast<int32_t>(torch::cuda::device_count());) }

SW_EXPORT int32_t swTorch_cudaSynchronize(int32_t device) {
  SW_STATUS(if (torch::cuda::is_available()) torch::cuda::synchronize(device);)
}

/// Seeds the global generators (CPU and, where present, CUDA).
SW_EXPORT int32_t swTorch_manualSeed(uint64_t seed) { SW_STATUS(torch::manual_seed(seed);) }

/// Number of tensor handles currently alive (created and not yet freed).
SW_EXPORT int64_t swTorch_liveTensors() { return sw::live_tensors.load(std::memory_order_relaxed); }

/// The libtorch version this shim was compiled against, e.g. "1.13.0".
SW_EXPORT const char* swTorch_version() {
  static const std::string version = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                                     "." + std::to_string(TORCH_VERSION_PATCH);
  return version.c_str();
}
