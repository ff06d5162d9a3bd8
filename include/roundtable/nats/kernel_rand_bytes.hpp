#pragma once
// nats.c seeds its NUIDs (the unique part of every inbox and of every reply subject) with
// OpenSSL's RAND_bytes in nats_Open. That first call initialises libcrypto: it reads
// /usr/lib/ssl/openssl.cnf, loads the default provider and sets up the DRBGs, about 1.9 MiB of
// resident pages and half a millisecond of start-up, in a bridge that most often never opens a
// TLS connection.
//
// Any executable that connects through rt::nats::Connection therefore defines RAND_bytes itself,
// backed by getrandom(2), the kernel's CSPRNG: the same quality of randomness (OpenSSL seeds
// itself from the same source), fork-safe, and no OpenSSL state. An executable's definition comes
// first in symbol lookup, so libnats takes it; OpenSSL's own TLS code uses RAND_bytes_ex and
// RAND_priv_bytes_ex and is not affected. If getrandom fails the call goes to libcrypto's.
namespace rt::nats {

// Referenced by Connection::connect so that the linker keeps the definition in every executable
// that connects; it does nothing.
void keep_kernel_rand_bytes();

}  // namespace rt::nats
