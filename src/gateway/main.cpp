#include <cstdio>
int main(int argc, char** argv) {
  (void)argc;
  std::printf("usage: %s (not yet implemented)\n", argv[0]);
  return 0;
}
