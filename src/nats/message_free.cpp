// See message_free.hpp for why messages are freed here rather than by nats.c's collector thread.
#include "roundtable/nats/message_free.hpp"

#include <dlfcn.h>

namespace rt::nats {
namespace {

constexpr int kFreeCallbackWord = 1;  // natsGCItem { next; freeCb; } heads every natsMsg

void* free_callback_of(natsMsg* msg) { return reinterpret_cast<void**>(msg)[kFreeCallbackWord]; }

bool same_object(const void* a, const void* b) {
  Dl_info first{}, second{};
  return ::dladdr(a, &first) != 0 && ::dladdr(b, &second) != 0 && first.dli_fbase == second.dli_fbase;
}

bool layout_is_known() {
  if (nats_GetVersionNumber() >> 16 != 3) return false;
  natsMsg* probe = nullptr;
  if (natsMsg_Create(&probe, "rt.probe", nullptr, nullptr, 0) != NATS_OK || probe == nullptr) return false;
  void* callback = free_callback_of(probe);
  bool known = callback != nullptr && same_object(callback, ::dlsym(RTLD_DEFAULT, "natsMsg_Create"));
  natsMsg_Destroy(probe);
  return known;
}

}  // namespace

bool frees_messages_directly() {
  static const bool known = layout_is_known();
  return known;
}

void destroy_message(natsMsg* msg) {
  if (msg == nullptr) return;
  if (frees_messages_directly()) reinterpret_cast<void**>(msg)[kFreeCallbackWord] = nullptr;
  natsMsg_Destroy(msg);
}

}  // namespace rt::nats
