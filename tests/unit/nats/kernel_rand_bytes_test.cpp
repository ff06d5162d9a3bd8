#include "roundtable/nats/kernel_rand_bytes.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <nats/nats.h>
#include <openssl/rand.h>

#include <array>
#include <filesystem>

namespace rt::nats {
namespace {

std::filesystem::path object_defining(const char* symbol) {
  void* address = ::dlsym(RTLD_DEFAULT, symbol);
  Dl_info info{};
  if (address == nullptr || ::dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
  return std::filesystem::weakly_canonical(info.dli_fname);
}

TEST(KernelRandBytes, LibnatsFindsTheExecutablesRandBytesFirst) {
  keep_kernel_rand_bytes();
  ASSERT_EQ(nats_Open(0), NATS_OK);  // seeds the NUIDs, through whichever RAND_bytes libnats bound to
  EXPECT_EQ(object_defining("RAND_bytes"), std::filesystem::canonical("/proc/self/exe"))
      << "RAND_bytes resolves to libcrypto: nats_Open would initialise OpenSSL";
}

TEST(KernelRandBytes, FillsEveryByteFromTheKernel) {
  std::array<unsigned char, 64> first{}, second{};
  ASSERT_EQ(RAND_bytes(first.data(), static_cast<int>(first.size())), 1);
  ASSERT_EQ(RAND_bytes(second.data(), static_cast<int>(second.size())), 1);
  EXPECT_NE(first, second);
  EXPECT_NE(first, decltype(first){});
}

TEST(KernelRandBytes, NegativeCountIsAFailureAndZeroASuccess) {
  unsigned char byte = 0;
  EXPECT_EQ(RAND_bytes(&byte, -1), 0);
  EXPECT_EQ(RAND_bytes(&byte, 0), 1);
}

}  // namespace
}  // namespace rt::nats
