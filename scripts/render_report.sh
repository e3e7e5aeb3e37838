#!/usr/bin/env bash
# Renders an output directory's report.html in headless Chromium to a PNG and checks the page.
#
#   scripts/render_report.sh OUTPUT_DIR [PNG]     # PNG defaults to OUTPUT_DIR/report.png
#
# Installs Debian's chromium package when it is missing (needs root and the Debian registry).
# Fails (exit 1) when Chromium reports an error loading the page, when a chart the directory
# holds is missing from the rendered page, or when the screenshot is blank.
set -euo pipefail

dir=${1:?usage: scripts/render_report.sh OUTPUT_DIR [PNG]}
png=${2:-$dir/report.png}
page=$(realpath "$dir/report.html")
[[ -f $page ]] || { echo "render_report: no report.html in $dir" >&2; exit 1; }

if ! command -v chromium >/dev/null; then
    echo "render_report: installing Debian's chromium" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# The flags keep Chromium off the (closed) network and away from the user's profile.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --hide-scrollbars --user-data-dir="$profile" --enable-logging=stderr --v=0)

dom=$(chromium "${flags[@]}" --dump-dom "file://$page" 2>"$profile/dom.log")
chromium "${flags[@]}" --window-size=1280,6000 --screenshot="$png" "file://$page" \
    2>"$profile/shot.log" >/dev/null

status=0
# Page errors: console errors and failed loads (the page needs nothing beyond itself).
if grep -hE 'CONSOLE|net::ERR_|Uncaught|Failed to load' "$profile/dom.log" "$profile/shot.log"; then
    echo "render_report: the page reported errors (above)" >&2
    status=1
fi
# Every chart in the directory is drawn in the page.
for svg in "$dir"/*.svg; do
    stem=$(basename "$svg" .svg)
    if ! grep -q "id=\"fig-$stem\"><svg" <<<"$dom"; then
        echo "render_report: chart $stem is missing from the rendered page" >&2
        status=1
    fi
done
charts=$(grep -o '<svg' <<<"$dom" | wc -l)
# A blank screenshot compresses to almost nothing.
size=$(stat -c %s "$png" 2>/dev/null || echo 0)
if (( size < 20000 )); then
    echo "render_report: the screenshot $png is blank or missing ($size bytes)" >&2
    status=1
fi
echo "render_report: $page -> $png ($size bytes, $charts charts in the page)"
exit $status
