#!/usr/bin/env bash
# Runs lb-manager on embedded defaults: builds the jar and the Nginx image if missing, then starts
# the manager with an in-process ZooKeeper, an LB group "demo" of two Nginx containers on the
# local Docker engine, and two sample backends registered through Curator x-discovery.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"
image="${LBM_IMAGE:-lb-manager/nginx:dev}"
jar=lb-manager/target/lb-manager.jar

if ! docker info >/dev/null 2>&1; then
  echo "demo: the Docker engine does not answer (is dockerd running, and may this user use it?)" >&2
  exit 1
fi
if ! command -v nginx >/dev/null 2>&1; then
  echo "demo: the manager validates configs with the real nginx -t; install nginx (apt-get install nginx)" >&2
  exit 1
fi
if ! command -v bwrap >/dev/null 2>&1; then
  echo "demo: the manager runs every nginx -t in a bubblewrap jail; install it (apt-get install bubblewrap)" >&2
  exit 1
fi
if [ ! -f "$jar" ]; then
  echo "demo: building the jar (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi
# build.sh is quick when the image already holds this jar; an image with an older agent would not
# understand the demo's ZooKeeper credentials and signing key.
if ! docker image inspect "$image" >/dev/null 2>&1; then
  echo "demo: building the Nginx image $image"
fi
bash nginx-image/build.sh "$image" "$jar"
exec java -jar "$jar" demo
