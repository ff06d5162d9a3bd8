// See include/roundtable/nats/kernel_rand_bytes.hpp for why the executables define RAND_bytes.
#include "roundtable/nats/kernel_rand_bytes.hpp"

#include <dlfcn.h>
#include <sys/random.h>

#include <cerrno>
#include <cstddef>

namespace {

using RandBytes = int (*)(unsigned char*, int);

int libcrypto_rand_bytes(unsigned char* buffer, int count) {
  void* symbol = ::dlsym(RTLD_NEXT, "RAND_bytes");
  if (symbol == nullptr) return 0;
  RandBytes function = nullptr;
  static_assert(sizeof function == sizeof symbol);
  __builtin_memcpy(&function, &symbol, sizeof function);
  return function(buffer, count);
}

bool fill_from_kernel(unsigned char* buffer, size_t count) {
  size_t filled = 0;
  while (filled < count) {
    ssize_t got = ::getrandom(buffer + filled, count - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    filled += static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

extern "C" int RAND_bytes(unsigned char* buffer, int count) {
  if (count < 0) return 0;
  if (fill_from_kernel(buffer, static_cast<size_t>(count))) return 1;
  return libcrypto_rand_bytes(buffer, count);
}

namespace rt::nats {

void keep_kernel_rand_bytes() {}

}  // namespace rt::nats
