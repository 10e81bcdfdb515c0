#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds a release of schemagate, offline, and optionally publishes it to an OCI registry:
#   scripts/release.sh VERSION [--platforms amd64,arm64] [--registry HOST:PORT/PATH] [--plain-http] [--out DIR]
# Produces in DIR (default build/release/VERSION):
#   - the image for each platform (podman, from the Dockerfile), tagged localhost/schemagate:VERSION-ARCH,
#     with the OCI labels version, revision (the commit), source and licenses;
#   - schemagate-VERSION-ARCH.cdx.json: a CycloneDX 1.6 SBOM listing every file of that image
#     with its hashes and the Debian package and version it came from;
#   - schemagate-VERSION.tgz: the library chart (helm package);
#   - release.txt: sizes and digests.
# With --registry, pushes the images as one multi-platform index REGISTRY/schemagate:VERSION and
# the chart as oci://REGISTRY/charts/schemagate:VERSION. Signing (cosign) is a separate step on
# the published digests: docs/releasing.md.
# The one version source is CMake's project(VERSION); the script refuses a VERSION that the
# chart, its values or CHANGELOG.md do not also carry.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

die() { echo "release: $*" >&2; exit 3; }
[ $# -ge 1 ] || die "usage: scripts/release.sh VERSION [--platforms amd64,arm64] [--registry HOST:PORT/PATH] [--plain-http] [--out DIR]"
version=$1
shift
platforms=amd64,arm64
registry=""
plain_http=0
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --platforms) platforms=$2; shift 2 ;;
    --registry) registry=$2; shift 2 ;;
    --plain-http) plain_http=1; shift ;;
    --out) out=$2; shift 2 ;;
    *) die "unknown argument '$1'" ;;
  esac
done
out=${out:-$root/build/release/$version}

# ---- one version everywhere ----
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "VERSION '$version' is not semantic (1.2.3)"
cmake_version=$(sed -n 's/^project(schemagate VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ "$cmake_version" = "${version%%-*}" ] || die "CMakeLists.txt says $cmake_version, not $version"
grep -qx "version: $version" charts/schemagate/Chart.yaml || die "charts/schemagate/Chart.yaml: version is not $version"
grep -qx "appVersion: \"$version\"" charts/schemagate/Chart.yaml || die "charts/schemagate/Chart.yaml: appVersion is not \"$version\""
grep -q "^  tag: \"$version\"" charts/schemagate/values.yaml || die "charts/schemagate/values.yaml: image.tag is not \"$version\""
grep -q "^## \[$version\]" CHANGELOG.md || die "CHANGELOG.md has no section '## [$version]'"
revision=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain)" ] && [ "${SCHEMAGATE_RELEASE_ALLOW_DIRTY:-0}" != 1 ]; then
  die "the work tree has uncommitted changes: a release is built from a commit"
fi
source_url=${SCHEMAGATE_SOURCE_URL:-https://github.com/schemagate/schemagate}

# ---- tools ----
SCHEMAGATE_SKIP_IMAGE_BUILD=1 source tests/k8s/podman-env.sh
helm=${HELM:-$(command -v helm || bash tests/k8s/install-helm.sh)}
command -v node >/dev/null || die "node not found: bash scripts/install-deps.sh"
mkdir -p "$out"
: > "$out/release.txt"
note() { echo "$*" | tee -a "$out/release.txt"; }

# An arm64 build runs the Dockerfile's build stage under emulation: it needs qemu's binfmt
# handler (Debian qemu-user-static + binfmt-support) and an arm64 Debian base image.
arm64_base() {
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
    die "arm64: no qemu-aarch64 binfmt handler (apt-get install qemu-user-static binfmt-support; mount binfmt_misc)"
  if ! podman image exists localhost/debian-arm64:bookworm; then
    local rootfs="$podman_state/rootfs-arm64" mirror
    mirror=$(apt_mirror)
    rm -rf "$rootfs"
    debootstrap --arch=arm64 --variant=minbase bookworm "$rootfs" "$mirror" >"$podman_state/debootstrap-arm64.log" 2>&1 ||
      { tail -20 "$podman_state/debootstrap-arm64.log" >&2; die "arm64: debootstrap failed"; }
    echo "deb $mirror bookworm main" > "$rootfs/etc/apt/sources.list"
    tar -C "$rootfs" -c . | podman import --arch arm64 \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - localhost/debian-arm64:bookworm >/dev/null
    rm -rf "$rootfs"
  fi
  echo localhost/debian-arm64:bookworm
}

# The build context is the commit itself (git archive), not the work tree: the image holds
# exactly what its revision label names, and both builds below see one context, so the second
# (the build stage, for the SBOM) comes from the layer cache.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
git archive --format=tar HEAD | tar -x -C "$context"
# The labels that differ from build to build are also given as --label: podman's layer cache
# does not key a Dockerfile LABEL on the build args it expands, so an image built before with
# another REVISION (the image test's, say) would lend its label; --label adds a final step.
build_args=(--pull=never --network host --build-arg "VERSION=$version" --build-arg "REVISION=$revision"
  --build-arg "SOURCE=$source_url" --label "org.opencontainers.image.version=$version"
  --label "org.opencontainers.image.revision=$revision"
  --label "org.opencontainers.image.source=$source_url" -f "$context/Dockerfile")
images=()
for arch in ${platforms//,/ }; do
  case $arch in
    amd64) from=() ;;
    arm64) from=(--from "$(arm64_base)") ;;
    *) die "platform '$arch': amd64 or arm64" ;;
  esac
  image=localhost/schemagate:$version-$arch
  echo "release: building $image" >&2
  # The build's own output goes to stderr: a failing step shows why.
  podman build "${build_args[@]}" "${from[@]}" --platform "linux/$arch" -t "$image" "$context" >&2
  # The SBOM's file list comes from the build stage (cached: nothing is built again).
  stage=$(podman build "${build_args[@]}" "${from[@]}" --platform "linux/$arch" -q --target build "$context")
  podman run --rm --network none "$stage" cat /sbom-files.tsv > "$out/files-$arch.tsv"
  node scripts/sbom.mjs --name schemagate --version "$version" --arch "$arch" --revision "$revision" \
    --source "$source_url" --image-id "$(podman image inspect --format '{{.Id}}' "$image")" \
    < "$out/files-$arch.tsv" > "$out/schemagate-$version-$arch.cdx.json"
  note "image $image: $(podman image inspect --format '{{.Size}}' "$image") bytes uncompressed, id sha256:$(podman image inspect --format '{{.Id}}' "$image"), $(wc -l < "$out/files-$arch.tsv") files in the SBOM"
  images+=("$image")
done

"$helm" package charts/schemagate -d "$out" >/dev/null
chart=$out/schemagate-$version.tgz
note "chart $(basename "$chart"): $(stat -c %s "$chart") bytes, sha256:$(sha256sum "$chart" | cut -c1-64)"

[ -n "$registry" ] || exit 0
tls=()
helm_http=()
if [ "$plain_http" = 1 ]; then tls=(--tls-verify=false); helm_http=(--plain-http); fi
index=localhost/schemagate:$version
podman manifest exists "$index" 2>/dev/null && podman manifest rm "$index" >/dev/null
podman manifest create "$index" >/dev/null
for image in "${images[@]}"; do podman manifest add "$index" "containers-storage:$image" >/dev/null; done
podman manifest push --all "${tls[@]}" --digestfile "$out/image.digest" "$index" "docker://$registry/schemagate:$version" >/dev/null
note "pushed $registry/schemagate:$version @ $(cat "$out/image.digest")"
pushed=$("$helm" push "$chart" "oci://$registry/charts" "${helm_http[@]}" 2>&1)
note "pushed oci://$registry/charts/schemagate:$version @ $(grep -o 'sha256:[0-9a-f]*' <<<"$pushed" | head -1)"
