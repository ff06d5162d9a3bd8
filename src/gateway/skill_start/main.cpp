// rt-skill-start: the program a skill's process runs first (docs/security.md, "Skills").
//
// knight-gateway forks each skill non-dumpable, as it is itself, so the child's /proc files
// belong to root until an exec makes them its user's again; only then can the gateway make
// the skill the OOM killer's first choice. This program is that exec. It holds none of the
// gateway's memory, waits on fd 4 until the gateway has adjusted it, and then execs the skill
// (argv[1] onwards) in its place, so the skill's first instruction already runs adjusted.
#include <unistd.h>

#include <cerrno>

int main(int argc, char** argv) {
  constexpr int kGoAhead = 4;  // the gateway writes one byte once the adjustment is made
  char byte = 0;
  ssize_t n = 0;
  do {
    n = ::read(kGoAhead, &byte, 1);
  } while (n < 0 && errno == EINTR);
  ::close(kGoAhead);
  if (n != 1 || argc < 2) return 126;  // the gateway gave up on this run, or a bad command line
  ::execve(argv[1], argv + 1, environ);
  return 127;  // as a failed exec in the gateway's child
}
