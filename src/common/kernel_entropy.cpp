#include "roundtable/common/kernel_entropy.hpp"

#include <sys/mman.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace rt {
namespace {

constexpr std::size_t kRefillBytes = 1024;
constexpr std::size_t kPageBytes = 4096;

// `left` counts the unread bytes at the front of `bytes`; a page wiped by fork reads 0.
struct EntropyPage {
  std::size_t left;
  unsigned char bytes[kRefillBytes];
};
static_assert(sizeof(EntropyPage) <= kPageBytes);

bool fill_directly(unsigned char* out, std::size_t size) {
  while (size > 0) {
    ssize_t got = ::getrandom(out, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    out += got;
    size -= static_cast<std::size_t>(got);
  }
  return true;
}

class ThreadEntropy {
 public:
  ThreadEntropy() {
    void* mapped = ::mmap(nullptr, kPageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return;
    if (::madvise(mapped, kPageBytes, MADV_WIPEONFORK) != 0) {  // without it a child could repeat our bytes
      ::munmap(mapped, kPageBytes);
      return;
    }
    page_ = static_cast<EntropyPage*>(mapped);
  }
  ~ThreadEntropy() {
    if (page_) ::munmap(page_, kPageBytes);
  }
  ThreadEntropy(const ThreadEntropy&) = delete;
  ThreadEntropy& operator=(const ThreadEntropy&) = delete;

  bool take(unsigned char* out, std::size_t size) {
    if (!page_ || size > kRefillBytes) return fill_directly(out, size);
    if (page_->left < size) {
      if (!fill_directly(page_->bytes, kRefillBytes)) return false;
      page_->left = kRefillBytes;
    }
    page_->left -= size;
    unsigned char* taken = page_->bytes + page_->left;
    std::memcpy(out, taken, size);
    std::memset(taken, 0, size);  // handed out once
    return true;
  }

 private:
  EntropyPage* page_ = nullptr;
};

}  // namespace

bool kernel_random_bytes(unsigned char* out, std::size_t size) {
  thread_local ThreadEntropy entropy;  // per thread: no lock on the hot path
  return entropy.take(out, size);
}

}  // namespace rt
