# SPDX-License-Identifier: Apache-2.0
# schemagate: both binaries in one small image, FROM scratch: no shell, no package manager.
#   docker build -t schemagate:0.1.0 .
#   docker buildx build --platform linux/amd64,linux/arm64 -t registry/schemagate:0.1.0 --push .
# Runs as the non-root numeric user 65532 and needs no writable root filesystem.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      libpqxx-dev libpq-dev libcpp-httplib-dev libmicrohttpd-dev nlohmann-json3-dev libspdlog-dev libfmt-dev \
      libcli11-dev libgtest-dev libgmock-dev libssl-dev libtomlplusplus-dev libyaml-dev nettle-dev \
      postgresql-server-dev-15 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same build as CI, then the unit tests (the integration tests need a PostgreSQL server
# and run in CI, not here).
RUN cmake --preset ci \
 && cmake --build --preset ci -j "$(nproc)" --target schemagate schemagate-sidecar unit_tests \
 && ./build/bin/unit_tests --gtest_brief=1 \
 && strip build/bin/schemagate build/bin/schemagate-sidecar
# The final image's whole file system, in /rootfs: the binaries, exactly the shared libraries
# the dynamic loader resolves for them (computed here, for this architecture, never a kept
# list), the loader itself, CA certificates (for sslmode=verify-full), the user, and the
# license files of the project and of every package a library came from, linked shared or, in
# the static build (cmake/StaticLink.cmake), compiled in.
RUN set -eu; \
    mkdir -p /rootfs/usr/local/bin /rootfs/etc/ssl/certs /rootfs/usr/share/doc/schemagate; \
    cp build/bin/schemagate build/bin/schemagate-sidecar /rootfs/usr/local/bin/; \
    libs=$(ldd build/bin/schemagate build/bin/schemagate-sidecar \
           | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u); \
    for lib in $libs; do cp --parents -L "$lib" /rootfs/; done; \
    for lib in $libs; do \
      pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1); \
      [ -z "$pkg" ] || { mkdir -p "/rootfs/usr/share/doc/$pkg"; \
                         cp "/usr/share/doc/$pkg/copyright" "/rootfs/usr/share/doc/$pkg/" 2>/dev/null || true; }; \
    done; \
    for pkg in libpq-dev postgresql-server-dev-15 libpqxx-dev libssl-dev nettle-dev libspdlog-dev libfmt-dev \
               libtomlplusplus-dev libstdc++-12-dev; do \
      mkdir -p "/rootfs/usr/share/doc/$pkg"; cp "/usr/share/doc/$pkg/copyright" "/rootfs/usr/share/doc/$pkg/"; \
    done; \
    cp LICENSE /rootfs/usr/share/doc/schemagate/; \
    cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/; \
    echo 'nonroot:x:65532:65532:schemagate:/nonexistent:/sbin/nologin' > /rootfs/etc/passwd; \
    echo 'nonroot:x:65532:' > /rootfs/etc/group; \
    printf '%s\n' $libs > /rootfs/usr/share/doc/schemagate/libraries.txt; \
    # Identical license texts (krb5's four packages share one) stored once, as hard links.
    find /rootfs/usr/share/doc -type f -name copyright -exec sha256sum {} + | sort | \
      awk '{ if ($1 == last) print first, $2; else { last = $1; first = $2 } }' | \
      while read -r keep dup; do ln -f "$keep" "$dup"; done
# What the SBOM lists (scripts/release.sh reads it from this stage): every file of the image
# with its SHA-1, SHA-256 and the Debian package and version it came from ("-" for the
# project's own files).
RUN set -eu; cd /rootfs; \
    find . -type f | sort | while read -r file; do \
      path=${file#.}; owner=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1 || true); \
      [ -n "$owner" ] || owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1 || true); \
      case $path in /etc/ssl/certs/ca-certificates.crt) owner=ca-certificates ;; esac; \
      version=-; [ -z "$owner" ] || version=$(dpkg-query -W -f='${Version}' "$owner"); \
      printf '%s\t%s\t%s\t%s\t%s\n' "$path" "$(sha1sum < "$file" | cut -c1-40)" \
        "$(sha256sum < "$file" | cut -c1-64)" "${owner:--}" "$version"; \
    done > /sbom-files.tsv

FROM scratch
# The one version is CMake's project(VERSION); the build passes it here (tests check they agree).
ARG VERSION=0.1.0
# scripts/release.sh passes the commit and where its source is published.
ARG REVISION=unknown
ARG SOURCE=https://github.com/schemagate/schemagate
COPY --from=build /rootfs/ /
LABEL org.opencontainers.image.title="schemagate" \
      org.opencontainers.image.description="Keeps a Kubernetes app from starting against the wrong database schema: init gate + readiness sidecar" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
# No shell to search a PATH for the sidecar's `command: ["schemagate-sidecar"]`: the runtime
# resolves it with this.
ENV PATH=/usr/local/bin
USER 65532:65532
WORKDIR /
EXPOSE 8733
ENTRYPOINT ["/usr/local/bin/schemagate"]
CMD ["migrate"]
