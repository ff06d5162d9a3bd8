#pragma once
// SIGINT/SIGTERM handled by waiting for them (sigwait) on one thread, never by a handler that
// interrupts whichever thread happens to run. Construct before starting any other thread.
#include <signal.h>

namespace rt {

class TerminationSignals {
 public:
  TerminationSignals();
  // Blocks until SIGINT or SIGTERM arrives; returns which.
  int wait() const;
  static const char* name(int signal) { return signal == SIGTERM ? "SIGTERM" : "SIGINT"; }

 private:
  sigset_t set_;
};

}  // namespace rt
