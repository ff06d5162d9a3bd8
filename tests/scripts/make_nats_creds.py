#!/usr/bin/python3
"""Makes an operator, an account and a user as NATS JWTs (ed25519 nkeys), writes the server's
operator-mode config fragment and the user's .creds file. Usage: make_nats_creds.py DIR
Writes DIR/operator.conf (to include in nats-server's config), DIR/user.creds and DIR/user.nonces
(two nonces: the user's signature of the first starts with a 0 byte, of the second it does not)."""
import base64
import hashlib
import itertools
import json
import os
import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

PREFIX = {"operator": 14 << 3, "account": 0, "user": 20 << 3}
SEED = 18 << 3


def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def b32(raw):
    return base64.b32encode(raw).decode().rstrip("=")


def encode(raw):
    return b32(raw + crc16(raw).to_bytes(2, "little"))


class NKey:
    def __init__(self, kind):
        self.kind = kind
        self.private = Ed25519PrivateKey.generate()
        self.raw_seed = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        self.public = encode(bytes([PREFIX[kind]]) + self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
        prefix = PREFIX[kind]
        self.seed = encode(bytes([SEED | (prefix >> 5), (prefix & 31) << 3]) + self.raw_seed)

    def sign(self, data):
        return self.private.sign(data)


def nonce_signed(user, first_byte_zero):
    """nats.c 3.4 leaves a signature that starts with a 0 byte out of CONNECT (one nonce in 256)."""
    for i in itertools.count():
        nonce = ("zero%d" if first_byte_zero else "fine%d") % i
        if (user.sign(nonce.encode())[0] == 0) == first_byte_zero:
            return nonce


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(issuer, subject, name, nats):
    header = b64url(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}).encode())
    claims = {"jti": "", "iat": int(time.time()), "iss": issuer.public, "name": name, "sub": subject.public, "nats": nats}
    claims["jti"] = b32(hashlib.sha256(json.dumps(claims, sort_keys=True).encode()).digest())
    body = b64url(json.dumps(claims).encode())
    signature = b64url(issuer.sign((header + "." + body).encode()))
    return header + "." + body + "." + signature


def main():
    out = sys.argv[1]
    operator, account, system, user = NKey("operator"), NKey("account"), NKey("account"), NKey("user")
    operator_jwt = jwt(operator, operator, "roundtable-test", {"type": "operator", "version": 2})
    unlimited = {"subs": -1, "conn": -1, "leaf": -1, "imports": -1, "exports": -1, "data": -1, "payload": -1,
                 "wildcards": True, "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1}
    account_jwt = jwt(operator, account, "fleet-a", {"limits": unlimited, "type": "account", "version": 2})
    system_jwt = jwt(operator, system, "SYS", {"limits": {"subs": -1, "conn": -1, "data": -1, "payload": -1},
                                              "type": "account", "version": 2})
    user_jwt = jwt(account, user, "galahad", {"pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1,
                                              "type": "user", "version": 2})
    with open(os.path.join(out, "operator.conf"), "w") as f:
        f.write("operator: %s\nsystem_account: %s\nresolver: MEMORY\nresolver_preload: {\n  %s: %s\n  %s: %s\n}\n"
                % (operator_jwt, system.public, account.public, account_jwt, system.public, system_jwt))
    with open(os.path.join(out, "user.creds"), "w") as f:
        f.write("-----BEGIN NATS USER JWT-----\n%s\n------END NATS USER JWT------\n\n"
                "************************* IMPORTANT *************************\n"
                "NKEY Seed printed below can be used to sign and prove identity.\n\n"
                "-----BEGIN USER NKEY SEED-----\n%s\n------END USER NKEY SEED------\n" % (user_jwt, user.seed))
    os.chmod(os.path.join(out, "user.creds"), 0o600)
    with open(os.path.join(out, "user.nonces"), "w") as f:
        f.write("%s\n%s\n" % (nonce_signed(user, True), nonce_signed(user, False)))
    print("operator %s account %s user %s" % (operator.public, account.public, user.public))


if __name__ == "__main__":
    main()
