#include "roundtable/common/signals.hpp"

#include <pthread.h>

namespace rt {

TerminationSignals::TerminationSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed socket is an error to handle, not a reason to die
}

int TerminationSignals::wait() const {
  int received = 0;
  sigwait(&set_, &received);
  return received;
}

}  // namespace rt
