#pragma once
// Debian's shared cpp-httplib initialises OpenSSL from a static constructor as soon as the
// library is loaded: the config file, every cipher and digest, all error strings. That is about
// 2 MiB of resident pages and half a millisecond before main, although most pods never open a
// TLS connection (the offline provider, or an http:// LLM endpoint inside the cluster).
//
// knight-gateway and nats-bridge therefore define OPENSSL_init_ssl themselves (an executable's definition
// comes first in symbol lookup, for libcpp-httplib and libssl alike). A call made before main is
// remembered, not performed; after main every call goes to libssl, with the remembered options
// added to the first one. So the same initialisation happens, at the first TLS client
// (SSL_CTX_new calls OPENSSL_init_ssl), and not at all in a knight that never uses TLS.
namespace rt::http {

// Call first thing in main: OpenSSL initialisation from here on is no longer deferred.
void end_tls_init_deferral();

}  // namespace rt::http
