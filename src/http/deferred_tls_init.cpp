// See include/roundtable/http/deferred_tls_init.hpp for why the executables define OPENSSL_init_ssl.
#include "roundtable/http/deferred_tls_init.hpp"

#include <dlfcn.h>
#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>

namespace {

// Process-wide by nature: the dynamic linker runs libcpp-httplib's constructor before main,
// before any object of ours exists.
constinit std::atomic<bool> main_started{false};
constinit std::atomic<uint64_t> deferred_options{0};

using InitSsl = int (*)(uint64_t, const OPENSSL_INIT_SETTINGS*);

InitSsl libssl_init() {
  static const InitSsl real = [] {
    void* symbol = ::dlsym(RTLD_NEXT, "OPENSSL_init_ssl");
    InitSsl function = nullptr;
    static_assert(sizeof function == sizeof symbol);
    __builtin_memcpy(&function, &symbol, sizeof function);
    return function;
  }();
  return real;
}

}  // namespace

extern "C" int OPENSSL_init_ssl(uint64_t opts, const OPENSSL_INIT_SETTINGS* settings) {
  if (!main_started.load(std::memory_order_acquire) && settings == nullptr) {
    deferred_options.fetch_or(opts, std::memory_order_relaxed);
    return 1;
  }
  InitSsl real = libssl_init();
  if (real == nullptr) return 0;
  return real(opts | deferred_options.exchange(0, std::memory_order_relaxed), settings);
}

namespace rt::http {

void end_tls_init_deferral() { main_started.store(true, std::memory_order_release); }

}  // namespace rt::http
