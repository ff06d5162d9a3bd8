# knight-gateway: Debian 12 build, slim runtime with python3 for the knights' skills.
# No knight is baked in: a knight's workspace (knight.yaml, SOUL.md, MEMORY.md, skills, data)
# comes from its folder in git through its ConfigMap (deploy/knight-base), so adding or editing
# a knight needs no image build. The shell, sed and cp of this image run the pod's init container.
# Base images: Debian 12.12 point-release tags (see deploy/README.md, "Images", on pinning digests).
FROM debian:12.12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libnats-dev libcpp-httplib-dev nlohmann-json3-dev \
      libhiredis-dev libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build -j"$(nproc)" --target knight-gateway rt-skill-start \
    && strip build/bin/knight-gateway build/bin/rt-skill-start

FROM debian:12.12-slim
LABEL org.opencontainers.image.title="knight-gateway" \
      org.opencontainers.image.description="Round Table knight runtime: SOUL, MEMORY, skills, LLM providers" \
      org.opencontainers.image.source="https://git.example.home/homelab/roundtable" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
RUN apt-get update && apt-get install -y --no-install-recommends \
      libnats3.4 libcpp-httplib0.11 libhiredis0.14 libyaml-cpp0.7 libssl3 zlib1g \
      libbrotli1 ca-certificates python3 \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
    && groupadd --system --gid 10001 knight \
    && useradd --system --uid 10001 --gid 10001 --home-dir /home/knight --create-home --shell /usr/sbin/nologin knight
# rt-skill-start must sit beside knight-gateway: every skill starts through it (docs/security.md).
COPY --from=build /src/build/bin/knight-gateway /src/build/bin/rt-skill-start /usr/local/bin/
# The user and group exist (/etc/passwd, /etc/group) with a home, as tools that look up the
# running user expect.
USER 10001:10001
ENV WORKSPACE_DIR=/workspace GATEWAY_LISTEN=127.0.0.1:18789
ENTRYPOINT ["/usr/local/bin/knight-gateway"]
