# nats-bridge (and the roundtable CLI, for the streams Job): Debian 12 build, slim runtime.
# Base images: Debian 12.12 point-release tags (see deploy/README.md, "Images", on pinning digests).
FROM debian:12.12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config lld libnats-dev libcpp-httplib-dev nlohmann-json3-dev \
      libhiredis-dev libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build -j"$(nproc)" --target nats-bridge roundtable \
    && strip build/bin/nats-bridge build/bin/roundtable

FROM debian:12.12-slim
LABEL org.opencontainers.image.title="nats-bridge" \
      org.opencontainers.image.description="Round Table sidecar: JetStream tasks to a knight gateway, results back, never lost" \
      org.opencontainers.image.source="https://git.example.home/homelab/roundtable" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
RUN apt-get update && apt-get install -y --no-install-recommends \
      libnats3.4 libcpp-httplib0.11 libhiredis0.14 libyaml-cpp0.7 libssl3 zlib1g \
      libbrotli1 ca-certificates \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
    && groupadd --system --gid 10001 knight \
    && useradd --system --uid 10001 --gid 10001 --home-dir /home/knight --create-home --shell /usr/sbin/nologin knight
COPY --from=build /src/build/bin/nats-bridge /src/build/bin/roundtable /usr/local/bin/
# The user and group exist (/etc/passwd, /etc/group) with a home, as tools that look up the
# running user expect.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/nats-bridge"]
