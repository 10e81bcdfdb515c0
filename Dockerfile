# SPDX-License-Identifier: Apache-2.0
# schemagate: both binaries in one small image.
#   docker build -t schemagate:0.1.0 .
# Runs as a non-root numeric user and needs no writable root filesystem.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libpqxx-dev libpq-dev libcpp-httplib-dev libmicrohttpd-dev nlohmann-json3-dev libspdlog-dev libfmt-dev \
      libcli11-dev libgtest-dev libgmock-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same build as CI, then the unit tests (the integration tests need a PostgreSQL server
# and run in CI, not here).
RUN cmake --preset ci \
 && cmake --build --preset ci -j "$(nproc)" --target schemagate schemagate-sidecar unit_tests \
 && ./build/bin/unit_tests --gtest_brief=1 \
 && strip build/bin/schemagate build/bin/schemagate-sidecar

FROM debian:bookworm-slim
# The one version is CMake's project(VERSION); the build passes it here (tests check they agree).
ARG VERSION=0.1.0
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpqxx-6.4 libpq5 libmicrohttpd12 libspdlog1.10 libfmt9 libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*
COPY --from=build /src/build/bin/schemagate /src/build/bin/schemagate-sidecar /usr/local/bin/
LABEL org.opencontainers.image.title="schemagate" \
      org.opencontainers.image.description="Keeps a Kubernetes app from starting against the wrong database schema: init gate + readiness sidecar" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
USER 65532:65532
WORKDIR /
EXPOSE 8733
ENTRYPOINT ["schemagate"]
CMD ["migrate"]
