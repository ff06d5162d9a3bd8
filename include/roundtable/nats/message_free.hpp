#pragma once
// nats.c's natsMsg_Destroy does not free a message: it puts it on a list and signals the library's
// garbage-collector thread, which frees it. For the bridge that is one wake-up of that thread, a
// contended mutex and two to four futex calls per message, three or more messages per task; in
// `make bench` freeing in the caller instead cut the bridge's CPU per task by 14-17 % and raised
// one-in-flight throughput by 10 %.
//
// Every nats.c object collected this way starts with {next, free callback}; natsMsg_Destroy
// frees at once when the callback is null. destroy_message clears it first, but only after
// checking once, on a message of its own, that the library is nats.c 3.x and that the second
// word of a message is a function inside libnats. Otherwise it leaves the message to the
// collector, as before.
#include <nats/nats.h>

namespace rt::nats {

void destroy_message(natsMsg* msg);

// Whether destroy_message frees at once on this libnats (the check above passed).
bool frees_messages_directly();

}  // namespace rt::nats
