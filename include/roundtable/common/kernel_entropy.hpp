#pragma once
// Kernel randomness (getrandom) handed out from a per-thread buffer, refilled a kilobyte at a
// time: one system call per 64 UUIDs instead of one per UUID (the bridge makes two per task).
// The buffer sits in a page of its own marked MADV_WIPEONFORK, so a forked child finds it
// empty and never repeats its parent's bytes.
#include <cstddef>

namespace rt {

// Fills `out` with `size` bytes from the kernel's CSPRNG. False only if the kernel gave none.
bool kernel_random_bytes(unsigned char* out, std::size_t size);

}  // namespace rt
