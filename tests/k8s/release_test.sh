#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The release end to end against a real OCI registry (Debian's docker-registry on 127.0.0.1):
# scripts/release.sh builds the amd64 image (OCI labels, SBOM) and the chart and pushes both;
# then, as a user would: helm pull oci://..., an app chart rendered from the pulled chart and
# checked by the pulled image's check-manifests, and the pulled image run. The SBOM is validated
# against CycloneDX's published JSON schema and compared with the image's files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../harness/lib.sh
source "$root/tests/harness/lib.sh"
command -v docker-registry >/dev/null || { echo "FAIL: docker-registry not found: bash scripts/install-deps.sh" >&2; exit 1; }
# podman as release.sh runs it (the project's containers.conf: rlimits within the sandbox's).
SCHEMAGATE_SKIP_IMAGE_BUILD=1 source "$here/podman-env.sh"
HELM=${HELM:-$(bash "$here/install-helm.sh")}
export HELM
version=$(sed -n 's/^project(schemagate VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")

work=$(mktemp -d)
registry_pid=""
pulled=""
cleanup() {
  [ -z "$registry_pid" ] || { kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null || true; }
  [ -z "$pulled" ] || podman rmi -f "$pulled" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Refusals come before any build.
refused=$(bash "$root/scripts/release.sh" 9.9.9 --platforms amd64 2>&1) && code=0 || code=$?
check "a version CMake does not carry is refused (exit 3, naming the file)" \
  bash -c "[ $code = 3 ] && grep -q 'CMakeLists.txt says $version, not 9.9.9' <<<\"\$1\"" _ "$refused"

port=$(free_port)
cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $work/registry}
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
check "the registry answers /v2/" curl -sf -o /dev/null "http://127.0.0.1:$port/v2/"
registry=127.0.0.1:$port/acme

SCHEMAGATE_RELEASE_ALLOW_DIRTY=${SCHEMAGATE_RELEASE_ALLOW_DIRTY:-0} bash "$root/scripts/release.sh" "$version" \
  --platforms amd64 --registry "$registry" --plain-http --out "$work/out" >"$work/release.log" 2>&1 && code=0 || code=$?
cat "$work/release.log"
check "release.sh builds, packages and pushes (exit 0)" [ "$code" = 0 ]
[ "$code" = 0 ] || { finish; exit 1; }

# The SBOM against the image's own files.
image=localhost/schemagate:$version-amd64
container=$(podman create "$image")
podman export "$container" | tar -t | grep -v '/$' | sed 's|^\./||' | grep -v '^$' | sort > "$work/image-files"
podman rm "$container" >/dev/null
check "the SBOM is valid CycloneDX 1.6 and lists every file of the image with its package" \
  node "$here/validate_sbom.mjs" "$work/out/schemagate-$version-amd64.cdx.json" "$work/image-files"

# The chart, as a user pulls it.
# helm pull -d writes into an existing directory only.
mkdir -p "$work/pulled"
pull=$("$HELM" pull "oci://$registry/charts/schemagate" --version "$version" --plain-http -d "$work/pulled" 2>&1) && code=0 || code=$?
echo "$pull"
check "helm pull oci:// exits 0" [ "$code" = 0 ]
chart_digest=$(grep -o 'sha256:[0-9a-f]*' <<<"$pull" | head -1)
check "helm pull oci:// gets the chart that was pushed ($chart_digest)" grep -q "charts/schemagate:$version @ $chart_digest" "$work/out/release.txt"
# -L: the example links its migrations from elsewhere in the repository.
cp -rL "$root/examples/helm/shop" "$work/app"
rm -rf "$work/app/charts" "$work/app/Chart.lock"
sed -i "s|repository: file://.*|repository: oci://$registry/charts|" "$work/app/Chart.yaml"
mkdir -p "$work/app/charts" && cp "$work/pulled/schemagate-$version.tgz" "$work/app/charts/"
"$HELM" template shop "$work/app" --set migrationJob=true > "$work/render.yaml" 2>"$work/render.err" && code=0 || code=$?
[ "$code" = 0 ] || cat "$work/render.err" >&2
check "an app chart renders with the pulled chart" [ "$code" = 0 ]
check "the render has the release-scoped hook Job" grep -q 'name: "shop-schemagate-migrate"' "$work/render.yaml"

# The image, as a node pulls it.
index_digest=$(cat "$work/out/image.digest")
podman rmi "$image" >/dev/null
pulled=$registry/schemagate:$version
podman pull -q --tls-verify=false "$pulled" >/dev/null
label() { podman image inspect --format "{{index .Labels \"org.opencontainers.image.$1\"}}" "$pulled"; }
check "the pulled image carries the pushed digest ($index_digest)" \
  bash -c "podman image inspect --format '{{.Digest}} {{range .RepoDigests}}{{.}} {{end}}' '$pulled' | grep -q '$index_digest'"
check "OCI label version=$version" [ "$(label version)" = "$version" ]
check "OCI label revision is the commit" [ "$(label revision)" = "$(git -C "$root" rev-parse HEAD)" ]
check "OCI label source" [ "$(label source)" = "https://github.com/schemagate/schemagate" ]
check "OCI label licenses" [ "$(label licenses)" = "Apache-2.0" ]
check "the pulled image runs: schemagate --version" \
  bash -c "[ \"\$(podman run --rm --read-only '$pulled' --version)\" = 'schemagate $version' ]"
checked=$(podman run -i --rm --read-only "$pulled" check-manifests < "$work/render.yaml" 2>&1) && code=0 || code=$?
check "the pulled image's check-manifests passes the app rendered from the pulled chart" \
  bash -c "[ $code = 0 ] && grep -q '^ok: 1 gated: Deployment/shop' <<<\"\$1\"" _ "$checked"
# arm64: the full emulated build is not run here (docs/releasing.md, "Platforms"); what can be
# checked is that release.sh's emulation prerequisites work: qemu's binfmt handler runs the
# arm64 base image's programs.
if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && podman image exists localhost/debian-arm64:bookworm; then
  check "arm64 under emulation: the arm64 base image runs (uname -m = aarch64)" \
    bash -c "[ \"\$(podman run --rm --network none localhost/debian-arm64:bookworm uname -m 2>/dev/null)\" = aarch64 ]"
else
  echo "skip: arm64 emulation (no qemu-aarch64 binfmt handler or no localhost/debian-arm64:bookworm)"
fi
cat "$work/out/release.txt"
finish
