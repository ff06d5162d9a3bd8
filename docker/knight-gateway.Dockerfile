# knight-gateway: Debian 12 build, slim runtime with python3 for the knights' skills.
# The knights' skills and data ship in the image (/opt/roundtable/knights); the pod's init
# container copies the knight's own into its workspace PVC (deploy/knight-base).
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libnats-dev libcpp-httplib-dev nlohmann-json3-dev \
      libspdlog-dev libhiredis-dev libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build -j"$(nproc)" --target knight-gateway \
    && strip build/bin/knight-gateway

FROM debian:12-slim
LABEL org.opencontainers.image.title="knight-gateway" \
      org.opencontainers.image.description="Round Table knight runtime: SOUL, MEMORY, skills, LLM providers" \
      org.opencontainers.image.source="https://git.example.home/homelab/roundtable" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
RUN apt-get update && apt-get install -y --no-install-recommends \
      libnats3.4 libcpp-httplib0.11 libspdlog1.10 libfmt9 libhiredis0.14 libyaml-cpp0.7 libssl3 zlib1g \
      libbrotli1 ca-certificates python3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin knight
COPY --from=build /src/build/bin/knight-gateway /usr/local/bin/
COPY --chown=0:0 knights/ /opt/roundtable/knights/
USER 10001:10001
ENV WORKSPACE_DIR=/workspace GATEWAY_LISTEN=127.0.0.1:18789
ENTRYPOINT ["/usr/local/bin/knight-gateway"]
