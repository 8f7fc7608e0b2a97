#!/usr/bin/env bash
# Builds the deployment package for Azure Functions (Flex Consumption, custom handler):
#   <out>/reviewwatch-functions/      the app root, unzipped (azure.yaml's `dist` points here)
#   <out>/reviewwatch-functions.zip   the same tree zipped, for a manual zip deploy
# The handler is published self-contained for linux-x64, because the `custom` runtime image carries no .NET.
# usage: tools/package.sh [--output DIR]   (default DIR: artifacts/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
OUT="$ROOT/artifacts"
while [ $# -gt 0 ]; do
  case "$1" in
    --output) OUT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    *) echo "package: unknown argument '$1' (usage: tools/package.sh [--output DIR])" >&2; exit 2 ;;
  esac
done
command -v dotnet >/dev/null 2>&1 || { echo "package: '.NET SDK 10' (dotnet) is required" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "package: python3 is required (it writes the zip with Unix modes)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

APP="$OUT/reviewwatch-functions"
ZIP="$OUT/reviewwatch-functions.zip"
rm -rf "$APP" "$ZIP"
mkdir -p "$OUT"

echo "package: publishing functions/ReviewWatch.Functions (Release, linux-x64, self-contained)…" >&2
dotnet publish functions/ReviewWatch.Functions/ReviewWatch.Functions.csproj -c Release -r linux-x64 \
  --self-contained true -o "$APP" -nologo -v:q -clp:ErrorsOnly >&2

# Local-only settings never ship: in Azure every setting is an app setting (infra/app/api.bicep).
find "$APP" \( -name 'local.settings*.json' -o -name 'appsettings.Development.json' \) -delete

# Fail here, not in Azure, if the layout the Functions host expects is not there.
[ -f "$APP/host.json" ] || { echo "package: host.json is missing from the publish output" >&2; exit 1; }
[ -x "$APP/ReviewWatch.Functions" ] || { echo "package: the executable ReviewWatch.Functions is missing or not executable" >&2; exit 1; }
for dir in functions/ReviewWatch.Functions/*/; do
  name="$(basename "$dir")"
  if [ -f "$dir/function.json" ] && [ ! -f "$APP/$name/function.json" ]; then
    echo "package: $name/function.json is missing from the publish output" >&2; exit 1
  fi
done

# zip(1) is not on every machine and .NET's ZipFile does not record Unix modes, so write the zip with
# Python: sorted entries, each with its file mode in the upper 16 bits of external_attr (keeps +x).
python3 - "$APP" "$ZIP" <<'PY'
import os, stat, sys, zipfile
root, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, root))
            info.external_attr = (stat.S_IFREG | stat.S_IMODE(os.stat(path).st_mode)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
echo "package: wrote $ZIP ($(du -h "$ZIP" | cut -f1)) and $APP/" >&2
echo "$ZIP"
