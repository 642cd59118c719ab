#!/usr/bin/env bash
# Checks the systemd unit in packaging/ against systemd's own parser (any warning fails) and its
# confinement score (`systemd-analyze security`: exposure 0 best, 10 worst; at most 2.0 here), with the
# binary built by the test command in place of /usr/local/bin; then the container image's runtime,
# emulated in a chroot (below). Usage: check-packaging.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "$1")"
if ! command -v systemd-analyze >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
  else
    echo "error: systemd-analyze is needed to check packaging/portcullis.service" >&2
    exit 1
  fi
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
sed "s|/usr/local/bin/portcullis|$bin|g" packaging/portcullis.service >"$scratch/portcullis.service"
warnings="$(systemd-analyze verify "$scratch/portcullis.service" 2>&1 || true)"
if [ -n "$warnings" ]; then
  echo "error: systemd-analyze verify packaging/portcullis.service:" >&2
  echo "$warnings" >&2
  exit 1
fi
systemd-analyze security --offline=yes --threshold=20 "$scratch/portcullis.service" | tail -1

# The container image as it runs, without a container engine: a root holding only the binary and
# the shared libraries it links, which must be among those the distroless cc base has (glibc and
# libgcc; no shell, no package manager); user 65532; configured only by the environment the
# Dockerfile sets, plus a secrets file. The server must start, the HEALTHCHECK command must pass
# in that root, and SIGTERM must end it cleanly with the database in the volume.
if [ "$(id -u)" != 0 ]; then
  echo "warning: not root, so the container's runtime was not emulated (it needs chroot)" >&2
  exit 0
fi
for line in 'USER 65532:65532' 'PORTCULLIS_DATABASE_URL=sqlite:///var/lib/portcullis/portcullis.db' \
  'CMD ["/usr/local/bin/portcullis", "health"]' 'ENTRYPOINT ["/usr/local/bin/portcullis"]' \
  'FROM gcr.io/distroless/cc-debian12:nonroot'; do
  grep -qF "$line" Dockerfile || { echo "error: the Dockerfile no longer says $line; update this check" >&2; exit 1; }
done
root="$scratch/root"
mkdir -p "$root/usr/local/bin" "$root/var/lib/portcullis" "$root/run/secrets"
cp "$bin" "$root/usr/local/bin/portcullis"
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
  case "$(basename "$lib")" in
    libc.so.6 | libm.so.6 | libgcc_s.so.1 | ld-linux-*.so.* | libpthread.so.0 | libdl.so.2 | librt.so.1) ;;
    *)
      echo "error: the binary links $lib, which the distroless cc image does not have" >&2
      exit 1
      ;;
  esac
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
head -c 32 /dev/urandom | base64 >"$root/run/secrets/master_key"
chown 65532:65532 "$root/var/lib/portcullis"
chmod 0700 "$root/var/lib/portcullis"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# The image's environment (the Dockerfile's ENV, the listener moved to a free loopback port).
image_env=(env -i PORTCULLIS_LISTEN="127.0.0.1:$port"
  PORTCULLIS_DATABASE_URL=sqlite:///var/lib/portcullis/portcullis.db
  PORTCULLIS_ISSUER=https://id.example.com
  PORTCULLIS_MASTER_KEY_FILE=/run/secrets/master_key
  "$(command -v chroot)" --userspec=65532:65532 "$root" /usr/local/bin/portcullis)
"${image_env[@]}" serve >"$scratch/serve.log" 2>&1 &
server=$!
healthy=""
for _ in $(seq 1 100); do
  if "${image_env[@]}" health >/dev/null 2>&1; then healthy=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$healthy" ]; then
  kill "$server" 2>/dev/null || true
  echo "error: the server in the image's root did not become healthy:" >&2
  cat "$scratch/serve.log" >&2
  exit 1
fi
kill -TERM "$server"
if ! wait "$server"; then
  echo "error: the server in the image's root did not exit cleanly on SIGTERM:" >&2
  cat "$scratch/serve.log" >&2
  exit 1
fi
if [ "$(stat -c %u "$root/var/lib/portcullis/portcullis.db")" != 65532 ]; then
  echo "error: the database in the volume is not the image user's" >&2
  exit 1
fi
echo "container runtime emulated: libraries $(ldd "$bin" | grep -o '/[^ ]*' | xargs -n1 basename | tr '\n' ' ')as uid 65532, healthy, clean SIGTERM"
